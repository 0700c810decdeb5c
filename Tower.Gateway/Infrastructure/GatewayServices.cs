using MassTransit;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Tower.Gateway.Calls;
using Tower.Gateway.Configuration;
using Tower.Gateway.Webhooks;

namespace Tower.Gateway.Infrastructure;

internal static class GatewayServices
{
    public static WebApplicationBuilder AddGatewayServices(this WebApplicationBuilder builder)
    {
        // HTTPS (with HTTP/2) when the launcher gives the gateway a certificate (Kestrel:Certificates:Default).
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.Services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        // The bus starts (and its per-replica queue for change events exists) before the first
        // snapshot is loaded, so that no change falls between the two.
        builder.AddTowerBus(
            bus => bus.AddConsumer<ConfigChangedConsumer>().Endpoint(endpoint =>
            {
                // A queue of this replica's own (fan-out, not competing consumers), deleted when it stops.
                endpoint.InstanceId = Guid.NewGuid().ToString("N")[..12];
                endpoint.Temporary = true;
            }),
            configureBus: null);
        builder.Services.Configure<MassTransitHostOptions>(options => options.WaitUntilStarted = true);

        builder.Services.AddSingleton<ConfigHolder>();
        builder.Services.AddInternalClient<AdminClient>("admin");
        builder.Services.AddSingleton<SnapshotLoader>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<SnapshotLoader>());

        builder.Services.AddSingleton<CallRecorder>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<CallRecorder>());

        builder.Services.AddSingleton<AuthClient>();
        builder.Services.AddSingleton<ExecutorClient>();

        builder.Services.AddHealthChecks().AddCheck<ConfigLoadedHealthCheck>("configuration");
        return builder;
    }
}

/// <summary>The gateway is ready once it holds a configuration snapshot.</summary>
internal sealed class ConfigLoadedHealthCheck(ConfigHolder holder) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(holder.Loaded
            ? HealthCheckResult.Healthy($"{holder.Current.Count} webhooks, snapshot of {holder.Current.TakenAt:O}")
            : HealthCheckResult.Unhealthy("No configuration snapshot loaded yet."));
}
