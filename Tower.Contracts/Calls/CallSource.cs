namespace Tower.Contracts.Calls;

/// <summary>The values of a call record's <c>source</c> (spec §12).</summary>
public static class CallSource
{
    /// <summary>A request to the public webhook route.</summary>
    public const string Call = "call";

    /// <summary>A run through <c>POST /api/webhooks/{reference}/test</c>.</summary>
    public const string Test = "test";

    /// <summary>A run through <c>POST /api/webhook-logs/{id}/replay</c>.</summary>
    public const string Replay = "replay";

    /// <summary>An attempt of an accepted async call.</summary>
    public const string Async = "async";

    /// <summary>An attempt queued by <c>POST /api/webhook-logs/{id}/retry</c>.</summary>
    public const string Retry = "retry";
}
