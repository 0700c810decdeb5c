using System.Text.Json.Serialization;

namespace Tower.Admin.Infrastructure;

/// <summary>
/// Request bodies are read strictly: a field the body type does not have is refused (a misspelt
/// <c>allowed_ip</c> must never create an authenticator open to everyone), and every body that
/// cannot be read answers a 400 problem naming the field, in every environment.
/// </summary>
public static class StrictJsonBodies
{
    public static IServiceCollection AddStrictJsonBodies(this IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(options => options.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow);

        // Outside Development, a body that cannot be bound is answered with a bare 400 before any
        // handler sees why; thrown, it reaches the exception handler, which names the field.
        services.PostConfigure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        return services;
    }
}
