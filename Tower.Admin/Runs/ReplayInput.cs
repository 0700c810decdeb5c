namespace Tower.Admin.Runs;

/// <summary><c>POST /api/webhook-logs/{id}/replay</c> (spec §12): draft code to run instead of the webhook's current code.</summary>
public sealed record ReplayInput
{
    public string? Code { get; init; }
}
