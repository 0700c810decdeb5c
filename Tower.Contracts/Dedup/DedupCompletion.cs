namespace Tower.Contracts.Dedup;

/// <summary>
/// How a call that claimed a key ended (gateway → Logging): a 2xx answer is kept for the window,
/// from now; any other releases the key (providers retry failures).
/// </summary>
public sealed record DedupCompletion
{
    public required string Webhook { get; init; }
    public required string Key { get; init; }
    public required Guid CallId { get; init; }
    public required int WindowSeconds { get; init; }
    public required DedupAnswer Answer { get; init; }
}
