using Tower.Contracts;
using Tower.Contracts.Async;

namespace Tower.Gateway.Async;

/// <summary>The async schedule in the Logging service (spec §10): leases due attempts and ends them.</summary>
public sealed class AsyncClient(HttpClient http)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public async Task<IReadOnlyList<AsyncJob>> LeaseAsync(AsyncLease lease, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("/internal/async/lease", lease, TowerJson.Options, cancellationToken);
        response.EnsureSuccessStatusCode();
        var jobs = await response.Content.ReadFromJsonAsync<List<AsyncJob>>(TowerJson.Options, cancellationToken) ?? [];
        var now = DateTimeOffset.UtcNow;
        return [.. jobs.Select(job => job with { LeasedAt = now })];
    }

    public async Task CompleteAsync(AsyncCompletion completion, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("/internal/async/complete", completion, TowerJson.Options, cancellationToken);
        response.EnsureSuccessStatusCode();
    }
}
