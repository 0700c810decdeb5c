using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Tower.Gateway.Configuration;

/// <summary>The gateway is ready once it holds a configuration snapshot.</summary>
internal sealed class ConfigLoadedHealthCheck(ConfigHolder holder) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(holder.Loaded
            ? HealthCheckResult.Healthy($"{holder.Current.Count} webhooks, snapshot of {holder.Current.TakenAt:O}")
            : HealthCheckResult.Unhealthy("No configuration snapshot loaded yet."));
}
