using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Tower.System.Tests;

/// <summary>The rows of the contract's status table (webhooks.md §3), over real HTTP.</summary>
[Collection(TowerSystemCollection.Name)]
public sealed class GatewayFlowTests(TowerSystem tower)
{
    private readonly string _prefix = "flow/" + Guid.NewGuid().ToString("N")[..8];

    private async Task<string> AuthenticatorAsync(string? code = null, string allowedIps = "")
    {
        var reference = "flow_" + Guid.NewGuid().ToString("N")[..10];
        var response = await tower.Admin.PostAsJsonAsync("/api/authenticators", new { reference, name = reference, allowed_ips = allowedIps, code });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return reference;
    }

    private async Task<string> WebhookAsync(string authenticator, string name, string? code = null, string method = "POST",
        string payloadType = "json", int timeoutMs = 10000)
    {
        var endpoint = $"{_prefix}/{name}";
        var response = await tower.Admin.PostAsJsonAsync("/api/webhooks", new
        {
            name = "Flow " + name, authenticator, endpoint, code, method, payload_type = payloadType, timeout_ms = timeoutMs,
        });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return endpoint;
    }

    /// <summary>
    /// Calls the gateway and reads the call's log record. A new webhook reaches the gateway through
    /// a change event, so a 404 on a path that should match is retried for up to two seconds.
    /// </summary>
    private async Task<(HttpStatusCode Status, string Message, JsonObject Log)> CallAsync(string path, string method = "POST", string? body = "{}",
        string? contentType = "application/json", string? token = null, bool waitForWebhook = true, byte[]? bytes = null)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (body is not null || bytes is not null)
            {
                request.Content = bytes is null ? new StringContent(body!, Encoding.UTF8) : new ByteArrayContent(bytes);
                request.Content.Headers.ContentType = contentType is null ? null : new(contentType);
            }

            if (token is not null)
            {
                request.Headers.Add("X-Token", token);
            }

            using var response = await tower.Gateway.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.NotFound && waitForWebhook && attempt < 20)
            {
                await Task.Delay(100);
                continue;
            }

            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            var message = (string)JsonNode.Parse(text)!["message"]!;
            var id = Assert.Single(response.Headers.GetValues("X-Tower-Call-Id"));
            return (response.StatusCode, message, await ReadLogAsync(id));
        }
    }

    private async Task<JsonObject> ReadLogAsync(string id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (true)
        {
            var response = await tower.Admin.GetAsync($"/api/webhook-logs/{id}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
            }

            Assert.True(DateTime.UtcNow < deadline, $"no log record for call {id}");
            await Task.Delay(50);
        }
    }

    private static void AssertRow((HttpStatusCode Status, string Message, JsonObject Log) call, int status, string message, string authStatus, string codeStatus)
    {
        Assert.Equal(status, (int)call.Status);
        Assert.Equal(message, call.Message);
        Assert.Equal(status, (int)call.Log["http_status"]!);
        Assert.Equal(authStatus, (string)call.Log["authentication_status"]!);
        Assert.Equal(codeStatus, (string)call.Log["code_status"]!);
        Assert.Equal(message, (string)call.Log["result_message"]!);
        // A call to the public route, related to no other call (spec §6, §12).
        Assert.Equal("call", (string)call.Log["source"]!);
        foreach (var relation in new[] { "duplicate_of", "parent_id", "attempt", "replay_of" })
        {
            Assert.True(call.Log.ContainsKey(relation) && call.Log[relation] is null, $"{relation} should be present and null");
        }
    }

    [Fact]
    public async Task Limits_matching_addresses_and_payloads()
    {
        var open = await AuthenticatorAsync();
        var json = await WebhookAsync(open, "json", "result.message = $\"id {payload?[\"id\"]}\";");
        var form = await WebhookAsync(open, "form", "result.message = $\"a={payload?[\"a\"]}\";", payloadType: "form");
        var get = await WebhookAsync(open, "get", "result.message = $\"q={payload?[\"q\"]}\";", method: "GET");
        var fenced = await WebhookAsync(await AuthenticatorAsync(allowedIps: "203.0.113.0/24, 2001:db8::/32"), "fenced");

        AssertRow(await CallAsync($"/cetmix_tower_webhooks/{json}", body: new string('x', 1024 * 1024 + 1)), 413, "Payload too large", "failed", "skipped");
        AssertRow(await CallAsync("/cetmix_tower_webhooks/nothing/here", waitForWebhook: false), 404, "Webhook not found", "failed", "skipped");
        AssertRow(await CallAsync($"/cetmix_tower_webhooks/{json}/", waitForWebhook: false), 404, "Webhook not found", "failed", "skipped");
        // Matching is on the raw path: an escaped slash is not a slash (HttpClient keeps %2F as it is).
        AssertRow(await CallAsync($"/cetmix_tower_webhooks/{json.Replace("/json", "%2Fjson")}", waitForWebhook: false), 404, "Webhook not found", "failed", "skipped");
        AssertRow(await CallAsync($"/cetmix_tower_webhooks/{json}", method: "PUT", waitForWebhook: false), 404, "Webhook not found", "failed", "skipped");
        AssertRow(await CallAsync($"/cetmix_tower_webhooks/{json.ToUpperInvariant()}", waitForWebhook: false), 404, "Webhook not found", "failed", "skipped");
        AssertRow(await CallAsync($"/cetmix_tower_webhooks/{fenced}"), 403, "Address not allowed", "failed", "skipped");
        AssertRow(await CallAsync($"/cetmix_tower_webhooks/{json}", body: "{\"id\": "), 400, "Invalid JSON payload", "failed", "skipped");
        AssertRow(await CallAsync($"/cetmix_tower_webhooks/{json}", body: "{\"id\": 1}", contentType: "text/plain"), 200, "id 1", "success", "success");
        AssertRow(await CallAsync($"/cetmix_tower_webhooks/{json}", body: ""), 200, "id ", "success", "success");
        AssertRow(await CallAsync($"/cetmix_tower_webhooks/{form}", body: "a=%zz", contentType: "application/x-www-form-urlencoded"), 400, "Invalid form payload", "failed", "skipped");
        AssertRow(await CallAsync($"/cetmix_tower_webhooks/{json}", bytes: [.. "{\"id\": \""u8, 0xFF, 0xFE, .. "\"}"u8]), 400, "Invalid JSON payload", "failed", "skipped");
        AssertRow(await CallAsync($"/cetmix_tower_webhooks/{form}", bytes: [.. "a="u8, 0xC3, 0x28], contentType: "application/x-www-form-urlencoded"), 400, "Invalid form payload", "failed", "skipped");
        AssertRow(await CallAsync($"/cetmix_tower_webhooks/{form}", body: "a=1&a=2", contentType: "application/x-www-form-urlencoded"), 200, "a=1", "success", "success");
        AssertRow(await CallAsync($"/cetmix_tower_webhooks/{get}?q=hello&q=again", method: "GET", body: null), 200, "q=hello", "success", "success");
    }

    [Fact]
    public async Task Authenticator_code_outcomes()
    {
        var allowed = await WebhookAsync(await AuthenticatorAsync("result.allowed = true;"), "allowed");
        var refused = await WebhookAsync(await AuthenticatorAsync("result.allowed = false;"), "refused");
        var custom = await WebhookAsync(await AuthenticatorAsync("result = new() { allowed = false, http_code = 401, message = \"Bad token\" };"), "custom");
        var outOfRange = await WebhookAsync(await AuthenticatorAsync("result = new() { allowed = false, http_code = 302 };"), "range");
        var throws = await WebhookAsync(await AuthenticatorAsync("throw new InvalidOperationException(\"boom\");"), "throws");
        var slow = await WebhookAsync(await AuthenticatorAsync("while (true) { }"), "slow");

        AssertRow(await CallAsync($"/cetmix_tower_webhooks/{allowed}"), 200, "OK", "success", "success");
        AssertRow(await CallAsync($"/cetmix_tower_webhooks/{refused}"), 403, "Authentication not allowed", "failed", "skipped");
        AssertRow(await CallAsync($"/cetmix_tower_webhooks/{custom}"), 401, "Bad token", "failed", "skipped");
        AssertRow(await CallAsync($"/cetmix_tower_webhooks/{outOfRange}"), 403, "Authentication not allowed", "failed", "skipped");
        var thrown = await CallAsync($"/cetmix_tower_webhooks/{throws}");
        AssertRow(thrown, 403, "Authentication code error", "failed", "skipped");
        Assert.Contains("boom", (string)thrown.Log["error_message"]!);
        AssertRow(await CallAsync($"/cetmix_tower_webhooks/{slow}"), 403, "Authentication code timed out", "failed", "skipped");
    }

    [Fact]
    public async Task Webhook_code_outcomes()
    {
        var open = await AuthenticatorAsync();
        var ok = await WebhookAsync(open, "ok", "log.info(\"hello\");");
        var failed = await WebhookAsync(open, "failed", "result.exit_code = 2;");
        var failedWithMessage = await WebhookAsync(open, "failed_message", "result = new() { exit_code = 3, message = \"nope\" };");
        var throws = await WebhookAsync(open, "throws", "throw new Exception(\"secret detail\");");
        var slow = await WebhookAsync(open, "slow", "while (true) { }", timeoutMs: 300);

        var okCall = await CallAsync($"/cetmix_tower_webhooks/{ok}");
        AssertRow(okCall, 200, "OK", "success", "success");
        Assert.Contains("hello", (string)okCall.Log["script_log"]!);
        AssertRow(await CallAsync($"/cetmix_tower_webhooks/{failed}"), 500, "Webhook code failed", "success", "failed");
        AssertRow(await CallAsync($"/cetmix_tower_webhooks/{failedWithMessage}"), 500, "nope", "success", "failed");
        var thrown = await CallAsync($"/cetmix_tower_webhooks/{throws}");
        AssertRow(thrown, 500, "Webhook code execution error", "success", "failed");
        Assert.Contains("secret detail", (string)thrown.Log["error_message"]!);
        AssertRow(await CallAsync($"/cetmix_tower_webhooks/{slow}"), 504, "Webhook code timed out", "success", "failed");
    }

    [Fact]
    public async Task Unreachable_script_services_answer_503()
    {
        var withCode = await WebhookAsync(await AuthenticatorAsync("result.allowed = true;"), "unreachable_auth", "result.message = \"x\";");
        var open = await WebhookAsync(await AuthenticatorAsync(), "unreachable_executor", "result.message = \"x\";");
        AssertRow(await CallAsync($"/cetmix_tower_webhooks/{withCode}"), 200, "x", "success", "success");

        await tower.StopAsync("auth");
        try
        {
            AssertRow(await CallAsync($"/cetmix_tower_webhooks/{withCode}"), 503, "Authentication service unavailable", "failed", "skipped");
        }
        finally
        {
            await tower.StartAsync("auth");
        }

        await tower.StopAsync("executor");
        try
        {
            AssertRow(await CallAsync($"/cetmix_tower_webhooks/{open}"), 503, "Executor unavailable", "success", "failed");
        }
        finally
        {
            await tower.StartAsync("executor");
        }
    }
}
