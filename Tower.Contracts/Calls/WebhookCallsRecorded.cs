namespace Tower.Contracts.Calls;

/// <summary>
/// A batch of call records published by the gateway. Many calls share one bus message and one
/// broker confirmation; the Logging service stores each record once, keyed by its id. The
/// records travel packed by <see cref="CallRecordCodec"/>: at tens of thousands of records a
/// second, reading and writing them as JSON inside the bus's JSON envelope cost more CPU than
/// storing them.
/// </summary>
public sealed record WebhookCallsRecorded
{
    /// <summary>The records, packed by <see cref="CallRecordCodec.Pack"/>.</summary>
    public required byte[] Records { get; init; }

    public static WebhookCallsRecorded Of(IReadOnlyList<WebhookCallRecord> records) => new() { Records = CallRecordCodec.Pack(records) };

    /// <summary>The records; a body that is not a packed batch throws <see cref="InvalidDataException"/>.</summary>
    public IReadOnlyList<WebhookCallRecord> Unpack() => CallRecordCodec.Unpack(Records);
}
