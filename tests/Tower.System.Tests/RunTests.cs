using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Tower.System.Tests;

/// <summary>Test and replay from the Admin API (spec §12, §14), through the gateway's own flow.</summary>
[Collection(TowerSystemCollection.Name)]
public sealed class RunTests(TowerSystem tower)
{
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    private async Task<string> WebhookAsync(string name, string code, bool enabled = true, string? authenticatorCode = null, object? rateLimit = null)
    {
        var reference = $"run_{name}_{_id}";
        await tower.CreateAsync("/api/authenticators", new { reference, name = reference, code = authenticatorCode });
        await tower.CreateAsync("/api/webhooks", new
        {
            reference, name = reference, authenticator = reference, endpoint = $"runs/{_id}/{name}", code, enabled, rate_limit = rateLimit,
        });
        return reference;
    }

    private async Task<JsonObject> TestAsync(string reference, object body)
    {
        using var response = await tower.Admin.PostAsJsonAsync($"/api/webhooks/{reference}/test", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    [Fact]
    public async Task A_test_runs_draft_code_on_a_disabled_webhook_and_its_record_says_test()
    {
        var reference = await WebhookAsync("draft", "result.message = \"saved\";", enabled: false);

        var saved = await TestAsync(reference, new { body = "{\"id\": 1}" });
        var draft = await TestAsync(reference, new
        {
            headers = new Dictionary<string, string> { ["X-Order"] = "77" },
            query = new Dictionary<string, string> { ["mode"] = "dry" },
            body = "{\"id\": 5}",
            client_ip = "198.51.100.4",
            code = "log.info(\"checking\"); result.exit_code = 2; result.message = $\"{payload?[\"id\"]} {headers[\"X-Order\"]} {query[\"mode\"]}\";",
        });

        Assert.Equal((200, "saved", "success", "success"), ((int)saved["http_status"]!, (string)saved["message"]!, (string)saved["authentication_status"]!, (string)saved["code_status"]!));
        Assert.Equal((500, "5 77 dry", "failed"), ((int)draft["http_status"]!, (string)draft["message"]!, (string)draft["code_status"]!));
        Assert.Contains("checking", (string)draft["script_log"]!);
        Assert.True((double)draft["duration_ms"]! > 0);
        var log = await tower.LogOfAsync((string)draft["call_id"]!);
        Assert.Equal(("test", "198.51.100.4", 500), ((string)log["source"]!, (string)log["ip_address"]!, (int)log["http_status"]!));
        // The saved code is unchanged, and the disabled webhook still answers 404 on its public route.
        Assert.Equal("result.message = \"saved\";", (string)(await tower.Admin.GetFromJsonAsync<JsonObject>($"/api/webhooks/{reference}"))!["code"]!);
        Assert.Equal(HttpStatusCode.NotFound, (await tower.Gateway.PostAsync($"/cetmix_tower_webhooks/runs/{_id}/draft", new StringContent("{}"))).StatusCode);
    }

    [Fact]
    public async Task A_test_runs_the_authenticator_draft_too_and_skips_the_rate_limit()
    {
        var reference = await WebhookAsync("auth", "result.message = \"in\";", authenticatorCode: "result.allowed = true;",
            rateLimit: new { requests = 1, per_seconds = 3600 });
        await tower.WaitMatchedAsync($"runs/{_id}/auth");

        var refused = await TestAsync(reference, new { body_base64 = Convert.ToBase64String("{}"u8.ToArray()), authenticator_code = "result.allowed = false; result.http_code = 401;" });
        var first = await TestAsync(reference, new { });
        var second = await TestAsync(reference, new { });

        Assert.Equal((401, "failed", "skipped"), ((int)refused["http_status"]!, (string)refused["authentication_status"]!, (string)refused["code_status"]!));
        Assert.Equal((200, "in"), ((int)first["http_status"]!, (string)first["message"]!));
        Assert.Equal((200, "in"), ((int)second["http_status"]!, (string)second["message"]!));
    }

    [Fact]
    public async Task A_test_refuses_bad_input_naming_the_field()
    {
        var reference = await WebhookAsync("input", "result.message = \"x\";");

        Assert.True((await tower.RefusedAsync($"/api/webhooks/{reference}/test", new { body = "{}", body_base64 = "e30=" })).ContainsKey("body"));
        var compile = await tower.RefusedAsync($"/api/webhooks/{reference}/test", new { code = "result.message = ;" });
        Assert.Contains("line 1", compile["code"]![0]!.ToString());
        Assert.True((await tower.RefusedAsync($"/api/webhooks/{reference}/test", new { client_ip = "not-an-address" })).ContainsKey("client_ip"));
        Assert.True((await tower.RefusedAsync($"/api/webhooks/{reference}/test", new { bodi = "{}" })).ContainsKey("bodi"));
        Assert.Equal(HttpStatusCode.NotFound, (await tower.Admin.PostAsJsonAsync("/api/webhooks/no_such_webhook_x/test", new { })).StatusCode);
    }

    [Fact]
    public async Task A_replay_runs_the_logged_request_through_draft_code_and_answers_both_side_by_side()
    {
        var reference = await WebhookAsync("replay", "result.exit_code = 1; result.message = \"broken\";");
        await tower.WaitMatchedAsync($"runs/{_id}/replay");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/cetmix_tower_webhooks/runs/{_id}/replay?from=shop")
        {
            Content = new StringContent("{\"order\": 9}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Shop", "north");
        using var call = await tower.Gateway.SendAsync(request);
        var callId = Assert.Single(call.Headers.GetValues("X-Tower-Call-Id"));
        await tower.LogOfAsync(callId);

        using var response = await tower.Admin.PostAsJsonAsync($"/api/webhook-logs/{callId}/replay",
            new { code = "result.message = $\"fixed {payload?[\"order\"]} {headers[\"X-Shop\"]} {query[\"from\"]}\";" });
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((500, "broken", callId), ((int)answer["original"]!["http_status"]!, (string)answer["original"]!["message"]!, (string)answer["original"]!["call_id"]!));
        Assert.Equal((200, "fixed 9 north shop"), ((int)answer["replay"]!["http_status"]!, (string)answer["replay"]!["message"]!));
        var log = await tower.LogOfAsync((string)answer["replay"]!["call_id"]!);
        Assert.Equal(("replay", callId, "success"), ((string)log["source"]!, (string)log["replay_of"]!, (string)log["authentication_status"]!));

        var current = await tower.Admin.PostAsJsonAsync($"/api/webhook-logs/{callId}/replay", new { });
        Assert.Equal("broken", (string)JsonNode.Parse(await current.Content.ReadAsStringAsync())!["replay"]!["message"]!);
    }

    [Fact]
    public async Task A_replay_skips_the_address_allowlist_like_the_rest_of_authentication()
    {
        var reference = $"run_allow_{_id}";
        await tower.CreateAsync("/api/authenticators", new { reference, name = reference, allowed_ips = "192.0.2.0/24" });
        await tower.CreateAsync("/api/webhooks", new { reference, name = reference, authenticator = reference, endpoint = $"runs/{_id}/allow", code = "result.message = \"in\";" });
        await tower.WaitMatchedAsync($"runs/{_id}/allow");
        using var refused = await tower.Gateway.PostAsync($"/cetmix_tower_webhooks/runs/{_id}/allow", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var callId = Assert.Single(refused.Headers.GetValues("X-Tower-Call-Id"));
        await tower.LogOfAsync(callId);

        using var response = await tower.Admin.PostAsJsonAsync($"/api/webhook-logs/{callId}/replay", new { });
        var replay = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["replay"]!;

        Assert.Equal((200, "in", "failed"), ((int)replay["http_status"]!, (string)replay["message"]!, (string)replay["authentication_status"]!));
    }

    [Fact]
    public async Task A_replay_of_an_unknown_call_is_404_and_of_a_call_that_matched_no_webhook_409()
    {
        using var unmatched = await tower.Gateway.PostAsync($"/cetmix_tower_webhooks/runs/{_id}/nothing_here", new StringContent("{}"));
        var callId = Assert.Single(unmatched.Headers.GetValues("X-Tower-Call-Id"));
        await tower.LogOfAsync(callId);

        Assert.Equal(HttpStatusCode.Conflict, (await tower.Admin.PostAsJsonAsync($"/api/webhook-logs/{callId}/replay", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await tower.Admin.PostAsJsonAsync($"/api/webhook-logs/{Guid.CreateVersion7()}/replay", new { })).StatusCode);
    }

    [Fact]
    public async Task A_bulk_replay_runs_every_call_the_filters_select_through_draft_code_oldest_first()
    {
        var reference = await WebhookAsync("bulk", "result.exit_code = payload?[\"fail\"] is null ? 0 : 1; result.message = \"v1\";");
        await tower.WaitMatchedAsync($"runs/{_id}/bulk");
        var failed = new List<string>();
        foreach (var body in new[] { "{\"fail\": 1, \"n\": 1}", "{\"n\": 2}", "{\"fail\": 1, \"n\": 3}" })
        {
            using var response = await tower.Gateway.PostAsync($"/cetmix_tower_webhooks/runs/{_id}/bulk", new StringContent(body));
            if (response.StatusCode == HttpStatusCode.InternalServerError)
            {
                failed.Add(Assert.Single(response.Headers.GetValues("X-Tower-Call-Id")));
            }
        }

        foreach (var id in failed)
        {
            await tower.LogOfAsync(id);
        }

        using var replayed = await tower.Admin.PostAsJsonAsync($"/api/webhook-logs/replay?webhook={reference}&http_status=5xx",
            new { code = "result.message = $\"v2 {payload?[\"n\"]}\";" });
        var text = await replayed.Content.ReadAsStringAsync();

        Assert.True(replayed.StatusCode == HttpStatusCode.OK, $"{(int)replayed.StatusCode} {text}");
        var answer = JsonNode.Parse(text)!.AsObject();
        Assert.Equal((2, 2, 0, 0), ((int)answer["matched"]!, (int)answer["replayed"]!, (int)answer["skipped"]!, (int)answer["failed"]!));
        var items = answer["items"]!.AsArray().Select(item => item!.AsObject()).ToList();
        Assert.Equal(failed, items.Select(item => (string)item["original_id"]!));
        Assert.Equal(["v2 1", "v2 3"], items.Select(item => (string)item["replay"]!["message"]!));
        var record = await tower.LogOfAsync((string)items[0]["replay"]!["call_id"]!);
        Assert.Equal(("replay", failed[0]), ((string)record["source"]!, (string)record["replay_of"]!));
    }

    [Fact]
    public async Task A_bulk_replay_refuses_a_bad_limit_a_bad_filter_and_draft_code_without_a_webhook()
    {
        using var limit = await tower.Admin.PostAsync("/api/webhook-logs/replay?limit=1001", null);
        using var filter = await tower.Admin.PostAsync("/api/webhook-logs/replay?http_status=abc", null);
        using var code = await tower.Admin.PostAsJsonAsync("/api/webhook-logs/replay", new { code = "result.message = \"x\";" });

        Assert.Equal(HttpStatusCode.BadRequest, limit.StatusCode);
        Assert.Contains("limit", (await limit.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().Select(pair => pair.Key));
        Assert.Equal(HttpStatusCode.BadRequest, filter.StatusCode);
        Assert.Contains("http_status", await filter.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, code.StatusCode);
        Assert.Contains("code", (await code.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().Select(pair => pair.Key));
    }
}
