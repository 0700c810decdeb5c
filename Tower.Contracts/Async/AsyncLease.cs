namespace Tower.Contracts.Async;

/// <summary>A gateway replica asks for due attempts (gateway → Logging).</summary>
public sealed record AsyncLease
{
    /// <summary>At most this many jobs.</summary>
    public required int Max { get; init; }

    /// <summary>How long the jobs stay the replica's: one not ended by then is leased again (at least once).</summary>
    public required int LeaseSeconds { get; init; }
}
