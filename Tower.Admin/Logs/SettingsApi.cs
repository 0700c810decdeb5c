using Tower.Admin.Identity;

namespace Tower.Admin.Logs;

/// <summary><c>GET/PUT /api/settings</c>: relayed to the Logging service, which stores and enforces them.</summary>
internal static class SettingsApi
{
    public static RouteGroupBuilder MapSettingsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/settings").RequireAuthorization(Groups.RootPolicy).WithTags("Settings");
        group.MapGet("/", (HttpContext context, LoggingClient logging) => logging.RelayAsync("/internal/settings", context));
        group.MapPut("/", (SettingsInput input, HttpContext context, LoggingClient logging) => logging.RelayPutAsync("/internal/settings", input, context));
        return group;
    }
}
