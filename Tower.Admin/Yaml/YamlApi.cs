using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Tower.Admin.Identity;
using Tower.Admin.Infrastructure;

namespace Tower.Admin.Yaml;

/// <summary>
/// YAML (root): export one webhook or authenticator with what it links, several webhooks, or
/// everything; import a document all-or-nothing.
/// </summary>
internal static class YamlApi
{
    public static IEndpointRouteBuilder MapYamlApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/webhooks/{reference}/yaml", async (string reference, YamlExporter exporter, CancellationToken ct) =>
        {
            var (yaml, _) = await exporter.ExportWebhooksAsync([reference], ct);
            return yaml is null ? Results.NotFound() : Results.Text(yaml, YamlExporter.ContentType);
        }).RequireAuthorization(Groups.RootPolicy).WithTags("YAML");

        app.MapGet("/api/authenticators/{reference}/yaml", async (string reference, YamlExporter exporter, CancellationToken ct) =>
            await exporter.ExportAuthenticatorAsync(reference, ct) is { } yaml ? Results.Text(yaml, YamlExporter.ContentType) : Results.NotFound())
            .RequireAuthorization(Groups.RootPolicy).WithTags("YAML");

        app.MapGet("/api/yaml", async (string? webhooks, YamlExporter exporter, CancellationToken ct) =>
        {
            var references = string.IsNullOrWhiteSpace(webhooks)
                ? null
                : webhooks.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var (yaml, unknown) = await exporter.ExportWebhooksAsync(references, ct);
            return yaml is not null
                ? Results.Text(yaml, YamlExporter.ContentType)
                : Results.ValidationProblem(new Dictionary<string, string[]>
                {
                    ["webhooks"] = unknown.Select(reference => $"There is no webhook with reference '{reference}'.").ToArray(),
                });
        }).RequireAuthorization(Groups.RootPolicy).WithTags("YAML");

        app.MapPost("/api/yaml", ImportAsync).RequireAuthorization(Groups.RootPolicy).WithTags("YAML")
            .Accepts<string>(YamlExporter.ContentType, "text/yaml", "text/plain");
        return app;
    }

    /// <summary>The longest document an import reads.</summary>
    public const int MaxDocumentChars = 16 * 1024 * 1024;

    private static async Task<Results<Ok<ImportReport>, ValidationProblem, ProblemHttpResult>> ImportAsync(
        HttpRequest request, ClaimsPrincipal user, YamlImporter importer, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var ifExists = (string?)request.Query["if_exists"] switch
        {
            null or "" or "update" => IfExists.Update,
            "skip" => IfExists.Skip,
            "create" => IfExists.Create,
            var other => Invalid(errors, "if_exists", $"'{other}' is not an if_exists choice: use update, skip or create."),
        };

        var dryRun = false;
        string? dryRunText = request.Query["dry_run"];
        if (!string.IsNullOrEmpty(dryRunText) && !bool.TryParse(dryRunText, out dryRun))
        {
            errors.Add("dry_run", $"'{dryRunText}' is not true or false.");
        }

        var text = await ReadBodyAsync(request, errors, ct);
        if (errors.Any)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary(), title: "The document was not imported");
        }

        try
        {
            var report = await importer.ImportAsync(text, ifExists, dryRun, user.Login(), errors, ct);
            return report is not null
                ? TypedResults.Ok(report)
                : TypedResults.ValidationProblem(errors.ToDictionary(), title: "The document was not imported; nothing was changed");
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.UniqueViolation
                                              or PostgresErrorCodes.ForeignKeyViolation)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Changed while importing",
                detail: "Another change touched the same records while the document was imported; nothing was changed. Send it again.");
        }
    }

    private static IfExists Invalid(ValidationErrors errors, string field, string message)
    {
        errors.Add(field, message);
        return IfExists.Update;
    }

    private static async Task<string> ReadBodyAsync(HttpRequest request, ValidationErrors errors, CancellationToken ct)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var text = new StringBuilder();
        var chunk = new char[16 * 1024];
        int read;
        while ((read = await reader.ReadAsync(chunk, ct)) > 0)
        {
            text.Append(chunk, 0, read);
            if (text.Length > MaxDocumentChars)
            {
                errors.Add("body", $"The document is longer than {MaxDocumentChars / (1024 * 1024)} Mi characters.");
                return "";
            }
        }

        var document = text.ToString();
        if (string.IsNullOrWhiteSpace(document))
        {
            errors.Add("body", "The request has no YAML document.");
        }

        return document;
    }
}
