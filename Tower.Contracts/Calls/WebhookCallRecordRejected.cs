namespace Tower.Contracts.Calls;

/// <summary>
/// A call record the Logging service could not store even alone and simplified; it is kept on
/// the error queue <c>webhook-call-records-rejected</c> for an operator, never dropped.
/// </summary>
public sealed record WebhookCallRecordRejected
{
    public const string QueueName = "webhook-call-records-rejected";

    public required WebhookCallRecord Record { get; init; }
    public required string Reason { get; init; }
}
