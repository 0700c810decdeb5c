using Tower.Admin.Identity;

namespace Tower.Admin.Logs;

/// <summary>
/// Call logs, read from the Logging service, which owns them: the query string goes through
/// unchanged and the answer (a page, a record, or a validation problem) comes back as it is.
/// </summary>
internal static class WebhookLogsApi
{
    public static RouteGroupBuilder MapWebhookLogsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/webhook-logs").RequireAuthorization(Groups.RootPolicy).WithTags("Call logs");
        group.MapGet("/", (HttpContext context, LoggingClient logging) =>
            logging.RelayAsync($"/internal/calls{context.Request.QueryString}", context));
        group.MapGet("/{id}", (string id, HttpContext context, LoggingClient logging) =>
            logging.RelayAsync($"/internal/calls/{Uri.EscapeDataString(id)}", context));
        // A webhook's calls within a time range (default: the last day), from its log.
        app.MapGet("/api/webhooks/{reference}/stats", async (string reference, HttpContext context, Webhooks.WebhookStore webhooks, LoggingClient logging) =>
        {
            if (!await webhooks.ExistsAsync(reference, context.RequestAborted))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            await logging.RelayAsync($"/internal/stats/{Uri.EscapeDataString(reference)}{context.Request.QueryString}", context);
        }).RequireAuthorization(Groups.RootPolicy).WithTags("Webhooks");
        return group;
    }
}
