using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;

namespace Microsoft.Extensions.Hosting;

/// <summary>HTTP clients for calls between Tower services, found through service discovery.</summary>
public static class InternalClients
{
    /// <summary>
    /// A client for idempotent internal calls (snapshots, log queries, settings): standard
    /// resilience with retries, and the service credential.
    /// </summary>
    public static IHttpClientBuilder AddInternalClient<TClient>(this IServiceCollection services, string serviceName)
        where TClient : class
    {
        var builder = services.AddHttpClient<TClient>(client => client.BaseAddress = new Uri($"http://{serviceName}"));
        builder.AddServiceCredential();
        builder.AddStandardResilienceHandler();
        return builder;
    }

    /// <summary>
    /// A client for calls that run user code (gateway to Auth and Executor): never retried,
    /// since a retry would run a webhook twice, and with a timeout that exceeds the script's
    /// own limit so that the script's deadline, not the client, decides.
    /// </summary>
    public static IHttpClientBuilder AddScriptServiceClient<TClient>(this IServiceCollection services, string serviceName, TimeSpan timeout)
        where TClient : class
    {
        var builder = services.AddHttpClient<TClient>(client =>
        {
            client.BaseAddress = new Uri($"http://{serviceName}");
            client.Timeout = timeout;
        });
        builder.AddServiceCredential();
        builder.ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
        {
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            MaxConnectionsPerServer = 256,
            ConnectTimeout = TimeSpan.FromSeconds(2),
        });
        return builder;
    }
}
