using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Tower.Admin.Infrastructure;

/// <summary>
/// Request examples in the OpenAPI document (and so on the <c>/reference</c> page) for the
/// endpoints whose bodies carry options objects or drafts: what a newcomer can send as it is.
/// </summary>
public static class OpenApiExamples
{
    private const string Webhook = """
        {"name": "Partner orders", "authenticator": "partner", "endpoint": "partner/orders", "method": "POST",
         "payload_type": "json", "timeout_ms": 10000, "variables": [], "secrets": [],
         "code": "result.message = $\"order {payload?[\"id\"]}\";",
         "rate_limit": {"requests": 100, "per_seconds": 60, "by": "client_ip"}, "max_concurrency": 4,
         "dedup": {"source": "header", "key": "X-Delivery-Id", "window_seconds": 86400},
         "response_mode": "async", "retry": {"max_attempts": 5, "backoff_seconds": 10}}
        """;

    private const string Authenticator = """
        {"name": "GitHub", "allowed_ips": "192.30.252.0/22, 185.199.108.0/22", "trusted_proxy_ips": "",
         "variables": [], "secrets": [], "code": "",
         "verifier": {"kind": "github", "secret": "github_secret", "secondary_secret": null},
         "lockout": {"failures": 5, "window_seconds": 600, "block_seconds": 3600}}
        """;

    private static readonly Dictionary<(string Method, string Path), string> Requests = new()
    {
        [("POST", "api/webhooks")] = Webhook,
        [("PUT", "api/webhooks/{reference}")] = Webhook,
        [("POST", "api/authenticators")] = Authenticator,
        [("PUT", "api/authenticators/{reference}")] = Authenticator,
        [("POST", "api/webhooks/{reference}/test")] = """
            {"headers": {"X-Token": "change-me-0123456789"}, "query": {"source": "test"}, "body": "{\"id\": 7}",
             "client_ip": "203.0.113.7", "code": "result.message = \"draft\";", "authenticator_code": "result.allowed = true;"}
            """,
        [("POST", "api/webhook-logs/{id}/replay")] = """{"code": "result.message = $\"order {payload?[\"id\"]}\";"}""",
        [("POST", "api/webhook-logs/replay")] = """{"code": "result.message = $\"order {payload?[\"id\"]}\";"}""",
    };

    /// <summary>Adds the example of the operation's request body, when there is one.</summary>
    public static Task AddAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        // A group's own route ("/" in the group) ends with a slash.
        var key = (context.Description.HttpMethod ?? "", (context.Description.RelativePath ?? "").TrimEnd('/'));
        if (Requests.TryGetValue(key, out var example) && operation.RequestBody?.Content is { } content)
        {
            foreach (var media in content.Values)
            {
                media.Example = JsonNode.Parse(example);
            }
        }

        return Task.CompletedTask;
    }
}
