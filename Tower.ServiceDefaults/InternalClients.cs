using Microsoft.Extensions.DependencyInjection;

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
}
