using MassTransit;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Tower.Gateway.Async;
using Tower.Gateway.Calls;
using Tower.Gateway.Configuration;
using Tower.Gateway.Dedup;
using Tower.Gateway.Traffic;
using Tower.Gateway.Webhooks;

namespace Tower.Gateway.Infrastructure;

internal static class GatewayServices
{
    public static WebApplicationBuilder AddGatewayServices(this WebApplicationBuilder builder)
    {
        // HTTPS (with HTTP/2) when the launcher gives the gateway a certificate (Kestrel:Certificates:Default).
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.Services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        // The gateway serves without the broker (records go to the spill meanwhile), so its start
        // does not wait for the bus; the configuration is reloaded each time the change
        // subscription becomes ready (ChangeSubscriptionObserver), so no change falls between them.
        builder.AddTowerBus(
            bus =>
            {
                bus.AddConsumer<ConfigChangedConsumer>().Endpoint(endpoint =>
                {
                    // A queue of this replica's own (fan-out, not competing consumers), deleted when it stops.
                    endpoint.InstanceId = Guid.NewGuid().ToString("N")[..12];
                    endpoint.Temporary = true;
                });
                // Without the broker the gateway still answers every call (records go to the spill):
                // degraded, not unhealthy, so that nothing takes it out of service for it.
                bus.ConfigureHealthCheckOptions(health => health.MinimalFailureStatus = HealthStatus.Degraded);
            },
            configureBus: null);
        builder.Services.Configure<MassTransitHostOptions>(options => options.WaitUntilStarted = false);
        builder.Services.AddReceiveEndpointObserver<ChangeSubscriptionObserver>();

        builder.Services.AddSingleton<ConfigHolder>();
        builder.Services.AddSingleton<SavedSnapshot>();
        builder.Services.AddInternalClient<AdminClient>("admin");
        builder.Services.AddSingleton<SnapshotLoader>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<SnapshotLoader>());

        builder.Services.AddSingleton<CallRecorder>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<CallRecorder>());

        // Traffic control (spec §10): per replica, in memory.
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<RateLimits>();
        builder.Services.AddSingleton<Lockouts>();
        builder.Services.AddSingleton<ConcurrencySlots>();

        // Dedup keys live in the Logging service's database, shared by every replica (spec §10):
        // one try each, bounded, and then 503 rather than a caller left waiting.
        builder.Services.AddHttpClient<DedupClient>(client =>
        {
            client.BaseAddress = new Uri("http://logging");
            client.Timeout = DedupClient.Timeout;
        }).AddServiceCredential();

        // Async calls (spec §10): requests sealed with the secrets key; attempts leased from the
        // schedule in Logging's database by every replica.
        builder.Services.AddSingleton<AsyncRequestSeal>();
        builder.Services.AddHttpClient<AsyncClient>(client =>
        {
            client.BaseAddress = new Uri("http://logging");
            client.Timeout = AsyncClient.Timeout;
        }).AddServiceCredential();
        builder.Services.AddHostedService<AsyncDispatcher>();

        builder.Services.AddSingleton<AuthClient>();
        builder.Services.AddSingleton<ExecutorClient>();

        builder.Services.AddHealthChecks().AddCheck<ConfigLoadedHealthCheck>("configuration");
        return builder;
    }
}
