using Tower.Admin.Identity;

namespace Tower.Admin.Yaml;

/// <summary>YAML export (root): one webhook or authenticator with what it links, several webhooks, or everything.</summary>
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
        return app;
    }
}
