namespace Tower.Contracts.Dedup;

/// <summary>What the dedup store says of a claim.</summary>
public sealed record DedupVerdict
{
    public const string Claimed = "claimed";
    public const string InProgress = "in_progress";
    public const string Duplicate = "duplicate";

    /// <summary><see cref="Claimed"/> (this call runs), <see cref="InProgress"/> (another call with the key runs) or <see cref="Duplicate"/>.</summary>
    public required string Outcome { get; init; }

    /// <summary>The call that holds the key.</summary>
    public required Guid FirstCallId { get; init; }

    /// <summary>For a duplicate: the first call's answer.</summary>
    public DedupAnswer? Answer { get; init; }
}
