using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

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
