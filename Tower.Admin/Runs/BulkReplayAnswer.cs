namespace Tower.Admin.Runs;

/// <summary>What <c>POST /api/webhook-logs/replay</c> did: counts, then one item per matched call, oldest first.</summary>
public sealed record BulkReplayAnswer(IReadOnlyList<BulkReplayItem> Items)
{
    public int Matched => Items.Count;
    public int Replayed => Items.Count(item => item.Replay is not null);
    public int Skipped => Items.Count(item => item.Skipped is not null);
    public int Failed => Items.Count(item => item.Failed is not null);
}
