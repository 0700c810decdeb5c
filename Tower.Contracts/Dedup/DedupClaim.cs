namespace Tower.Contracts.Dedup;

/// <summary>A call's claim on its webhook's dedup key (gateway → Logging).</summary>
public sealed record DedupClaim
{
    public required string Webhook { get; init; }
    public required string Key { get; init; }
    public required Guid CallId { get; init; }

    /// <summary>How long the claim holds if the call never finishes (its code's limit plus 30 s).</summary>
    public required int ClaimSeconds { get; init; }
}
