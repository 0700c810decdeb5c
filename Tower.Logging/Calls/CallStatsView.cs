namespace Tower.Logging.Calls;

/// <summary>
/// A webhook's calls within [from, to) as <c>GET /api/webhooks/{reference}/stats</c> shows them:
/// counts by status class, the share answered 5xx (<c>error_rate</c>) and 4xx (<c>refused_rate</c>),
/// calls whose code failed, and durations.
/// </summary>
public sealed record CallStatsView(
    string Webhook, DateTimeOffset From, DateTimeOffset To, long Calls, IReadOnlyDictionary<string, long> ByStatusClass,
    double ErrorRate, double RefusedRate, long CodeFailed, IReadOnlyDictionary<string, double?> DurationMs)
{
    public static CallStatsView Of(string webhook, DateTimeOffset from, DateTimeOffset to, CallStats stats) => new(
        webhook, from, to, stats.Calls,
        new Dictionary<string, long> { ["2xx"] = stats.Status2xx, ["3xx"] = stats.Status3xx, ["4xx"] = stats.Status4xx, ["5xx"] = stats.Status5xx },
        stats.Calls == 0 ? 0 : Math.Round((double)stats.Status5xx / stats.Calls, 4),
        stats.Calls == 0 ? 0 : Math.Round((double)stats.Status4xx / stats.Calls, 4),
        stats.CodeFailed,
        new Dictionary<string, double?> { ["p50"] = Round(stats.P50Ms), ["p95"] = Round(stats.P95Ms), ["p99"] = Round(stats.P99Ms) });

    private static double? Round(double? value) => value is { } present ? Math.Round(present, 2) : null;
}
