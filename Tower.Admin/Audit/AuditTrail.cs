using System.Text.RegularExpressions;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Tower.Admin.Identity;
using Tower.Admin.Infrastructure;

namespace Tower.Admin.Audit;

/// <summary>
/// The audit trail (admin-api.md): every change the Admin API accepted (a POST, PUT or DELETE
/// answered 2xx) is written after it with who made it, the action, the resource and its
/// reference, and the caller's address; <c>GET /api/audit</c> (root) lists it newest first.
/// Dry-run imports and reads change nothing and are not written.
/// </summary>
internal static partial class AuditTrail
{
    public static IApplicationBuilder UseAuditTrail(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        await next(context);
        if (Describe(context) is not { } change)
        {
            return;
        }

        try
        {
            var dataSource = context.RequestServices.GetRequiredService<NpgsqlDataSource>();
            await using var connection = await dataSource.OpenConnectionAsync(CancellationToken.None);
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO audit_events (id, actor, action, resource, reference, address) VALUES (@id, @actor, @action, @resource, @reference, @address)",
                new
                {
                    id = Guid.CreateVersion7(), actor = context.User.Login(), change.Action, change.Resource, change.Reference,
                    address = Tower.Contracts.Networking.IpRangeList.Normalize(context.Connection.RemoteIpAddress ?? System.Net.IPAddress.IPv6None).ToString(),
                }));
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException)
        {
            LogNotAudited(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AuditTrail)),
                change.Action, change.Resource, change.Reference, exception);
        }
    });

    public static RouteGroupBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/audit").RequireAuthorization(Groups.RootPolicy).WithTags("Audit");
        group.MapGet("/", ListAsync);
        return group;
    }

    private static Task<Results<Ok<Page<AuditEvent>>, ValidationProblem>> ListAsync(HttpRequest request, NpgsqlDataSource db, CancellationToken ct) =>
        Paging.ListAsync(request, async (after, limit) =>
        {
            var before = Guid.TryParse(after, out var id) ? id : (Guid?)null;
            await using var connection = await db.OpenConnectionAsync(ct);
            return (IReadOnlyList<AuditEvent>)(await connection.QueryAsync<AuditEvent>(new CommandDefinition(
                "SELECT id, at, actor, action, resource, reference, address FROM audit_events WHERE @before::uuid IS NULL OR id < @before ORDER BY id DESC LIMIT @limit",
                new { before, limit }, cancellationToken: ct))).AsList();
        }, row => row.Id.ToString(), row => row);

    /// <summary>The change a request made, or null when it made none (a read, a refusal, a dry run).</summary>
    private static (string Action, string Resource, string Reference)? Describe(HttpContext context)
    {
        var request = context.Request;
        if (context.Response.StatusCode is < 200 or > 299 || request.Method is not ("POST" or "PUT" or "DELETE")
            || context.User.Identity?.IsAuthenticated != true || ChangedPath().Match(request.Path.Value ?? "") is not { Success: true } match)
        {
            return null;
        }

        var collection = match.Groups["collection"].Value.ToLowerInvariant();
        var reference = match.Groups["reference"].Value;
        var key = match.Groups["key"].Value;
        return collection switch
        {
            "yaml" when request.Method == "POST" && !string.Equals(request.Query["dry_run"], "true", StringComparison.OrdinalIgnoreCase) => ("import", "yaml", ""),
            "settings" when request.Method == "PUT" => ("update", "settings", ""),
            "users" when match.Groups["keys"].Success && request.Method == "POST" && key.Length == 0 => ("create", "api_key", Created(context)),
            "users" when match.Groups["keys"].Success && request.Method == "DELETE" => ("revoke", "api_key", key),
            "users" when !match.Groups["keys"].Success => (Action(request.Method), "user", reference.Length > 0 ? reference : Created(context)),
            "webhooks" or "authenticators" or "variables" or "secrets" when !match.Groups["keys"].Success && match.Groups["rest"].Length == 0 =>
                (Action(request.Method), collection[..^1], reference.Length > 0 ? reference : Created(context)),
            // A copy creates a record of its own.
            "webhooks" or "authenticators" when request.Method == "POST" && match.Groups["rest"].Value.Equals("/copy", StringComparison.OrdinalIgnoreCase) => ("create", collection[..^1], Created(context)),
            _ => null,
        };
    }

    private static string Action(string method) => method switch { "POST" => "create", "PUT" => "update", _ => "delete" };

    /// <summary>The reference of what a POST created, from the Location it answered with.</summary>
    private static string Created(HttpContext context) =>
        context.Response.Headers.Location.ToString() is { Length: > 0 } location ? Uri.UnescapeDataString(location[(location.LastIndexOf('/') + 1)..]) : "";

    // Routes match whatever the letter case of the path, and so does this.
    [GeneratedRegex("^/api/(?<collection>webhooks|authenticators|variables|secrets|users|yaml|settings)/?(?<reference>[^/]*)(?<keys>/keys/?(?<key>[^/]*))?(?<rest>/.*)?$", RegexOptions.IgnoreCase)]
    private static partial Regex ChangedPath();

    [LoggerMessage(Level = LogLevel.Error, Message = "A change was made but could not be written to the audit trail: {Action} {Resource} '{Reference}'")]
    private static partial void LogNotAudited(ILogger logger, string action, string resource, string reference, Exception exception);
}
