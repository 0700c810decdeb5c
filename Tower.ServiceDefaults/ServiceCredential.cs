using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The per-run secret that every internal endpoint requires and every internal client sends.
/// The launcher generates it and hands it to each service as <c>Tower:ServiceKey</c>.
/// </summary>
public sealed class ServiceCredential
{
    public const string HeaderName = "X-Tower-Service-Key";
    public const string ConfigurationKey = "Tower:ServiceKey";

    private readonly byte[] _expected;

    public ServiceCredential(IConfiguration configuration)
    {
        var key = configuration[ConfigurationKey];
        if (string.IsNullOrEmpty(key) || key.Length < 32)
        {
            throw new InvalidOperationException(
                $"The service credential '{ConfigurationKey}' is missing or shorter than 32 characters; the launcher must provide it.");
        }

        Value = key;
        _expected = Encoding.UTF8.GetBytes(key);
    }

    public string Value { get; }

    public bool Matches(string? presented) =>
        presented is not null
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _expected);
}

public static class ServiceCredentialExtensions
{
    public static IServiceCollection AddTowerServiceCredential(this IServiceCollection services)
    {
        services.AddSingleton<ServiceCredential>();
        services.AddTransient<ServiceCredentialHandler>();
        return services;
    }

    /// <summary>Refuses with 401 every request of the group that does not carry the service credential.</summary>
    public static TBuilder RequireServiceCredential<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.AddEndpointFilter(static async (context, next) =>
        {
            var credential = context.HttpContext.RequestServices.GetRequiredService<ServiceCredential>();
            return credential.Matches(context.HttpContext.Request.Headers[ServiceCredential.HeaderName])
                ? await next(context)
                : Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Service credential required");
        });
        return builder;
    }

    /// <summary>Sends the service credential with every request of this client.</summary>
    public static IHttpClientBuilder AddServiceCredential(this IHttpClientBuilder builder) =>
        builder.AddHttpMessageHandler<ServiceCredentialHandler>();
}

public sealed class ServiceCredentialHandler(ServiceCredential credential) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.TryAddWithoutValidation(ServiceCredential.HeaderName, credential.Value);
        return base.SendAsync(request, cancellationToken);
    }
}
