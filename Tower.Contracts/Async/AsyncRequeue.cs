namespace Tower.Contracts.Async;

/// <summary>A dead async call queued once more through <c>POST /api/webhook-logs/{id}/retry</c> (Admin → Logging).</summary>
public sealed record AsyncRequeue
{
    /// <summary>The request rebuilt from the accepted call's record (<see cref="AsyncRequest"/>), sealed.</summary>
    public required byte[] Request { get; init; }
}
