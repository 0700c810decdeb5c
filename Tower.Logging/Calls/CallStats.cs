namespace Tower.Logging.Calls;

/// <summary>A webhook's calls within a time range, as PostgreSQL counts them.</summary>
public sealed record CallStats
{
    public long Calls { get; init; }
    public long Status2xx { get; init; }
    public long Status3xx { get; init; }
    public long Status4xx { get; init; }
    public long Status5xx { get; init; }
    public long CodeFailed { get; init; }
    public double? P50Ms { get; init; }
    public double? P95Ms { get; init; }
    public double? P99Ms { get; init; }
}
