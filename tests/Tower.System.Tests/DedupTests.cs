using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Tower.System.Tests;

/// <summary>Deduplication on a provider's delivery id (spec §10, §14), over real HTTP.</summary>
[Collection(TowerSystemCollection.Name)]
public sealed class DedupTests(TowerSystem tower)
{
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    internal static async Task<string> WebhookAsync(TowerSystem tower, string id, string name, string code, object dedup)
    {
        var reference = $"dedup_{name}_{id}";
        await tower.CreateAsync("/api/authenticators", new { reference, name = reference });
        var endpoint = $"dedup/{id}/{name}";
        await tower.CreateAsync("/api/webhooks", new { reference, name = reference, authenticator = reference, endpoint, code, dedup });
        await tower.WaitMatchedAsync(endpoint);
        return "/cetmix_tower_webhooks/" + endpoint;
    }

    internal static async Task<HttpResponseMessage> CallAsync(TowerSystem tower, string path, string body, string? delivery = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (delivery is not null)
        {
            request.Headers.Add("X-Delivery", delivery);
        }

        return await tower.Gateway.SendAsync(request);
    }

    private static string CallId(HttpResponseMessage response) => Assert.Single(response.Headers.GetValues("X-Tower-Call-Id"));

    private static async Task<string> MessageAsync(HttpResponseMessage response) =>
        (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["message"]!;

    [Fact]
    public async Task A_duplicate_gets_the_first_answer_whole_and_the_code_does_not_run_again()
    {
        var path = await WebhookAsync(tower, _id, "header", "result.status_code = 201; result.message = $\"order {payload?[\"id\"]}\"; result.headers[\"X-Seen\"] = \"yes\";",
            new { source = "header", key = "X-Delivery" });

        using var first = await CallAsync(tower, path, "{\"id\": 1}", "delivery-1");
        using var duplicate = await CallAsync(tower, path, "{\"id\": 2}", "delivery-1");
        using var other = await CallAsync(tower, path, "{\"id\": 3}", "delivery-2");
        using var keyless = await CallAsync(tower, path, "{\"id\": 4}");

        Assert.Equal((HttpStatusCode.Created, "order 1"), (first.StatusCode, await MessageAsync(first)));
        Assert.Equal((HttpStatusCode.Created, "order 1"), (duplicate.StatusCode, await MessageAsync(duplicate)));
        Assert.Equal(CallId(first), Assert.Single(duplicate.Headers.GetValues("X-Tower-Duplicate-Of")));
        Assert.Equal("yes", Assert.Single(duplicate.Headers.GetValues("X-Seen")));
        Assert.Equal("order 3", await MessageAsync(other));
        Assert.Equal("order 4", await MessageAsync(keyless));
        Assert.False(first.Headers.Contains("X-Tower-Duplicate-Of"));
        var log = await tower.LogOfAsync(CallId(duplicate));
        Assert.Equal((CallId(first), "success", "skipped", 201, "order 1"),
            ((string)log["duplicate_of"]!, (string)log["authentication_status"]!, (string)log["code_status"]!, (int)log["http_status"]!, (string)log["result_message"]!));
    }

    [Fact]
    public async Task A_json_pointer_key_dedups_on_the_payload_and_a_call_without_it_runs()
    {
        var path = await WebhookAsync(tower, _id, "json", "result.message = $\"run {payload?[\"n\"]}\";", new { source = "json", key = "/event/id", window_seconds = 60 });

        using var first = await CallAsync(tower, path, "{\"event\": {\"id\": \"evt_1\"}, \"n\": 1}");
        using var duplicate = await CallAsync(tower, path, "{\"event\": {\"id\": \"evt_1\"}, \"n\": 2}");
        using var numeric = await CallAsync(tower, path, "{\"event\": {\"id\": 7}, \"n\": 3}");
        using var missing = await CallAsync(tower, path, "{\"event\": {}, \"n\": 4}");
        using var missingAgain = await CallAsync(tower, path, "{\"event\": {}, \"n\": 5}");

        Assert.Equal(["run 1", "run 1", "run 3", "run 4", "run 5"],
            [await MessageAsync(first), await MessageAsync(duplicate), await MessageAsync(numeric), await MessageAsync(missing), await MessageAsync(missingAgain)]);
    }

    [Fact]
    public async Task A_duplicate_of_a_call_still_running_gets_409_and_a_failed_first_call_does_not_count()
    {
        var path = await WebhookAsync(tower, _id, "running",
            "if (payload?[\"slow\"] is not null) { var until = DateTime.UtcNow.AddSeconds(2); while (DateTime.UtcNow < until) { } } result.exit_code = payload?[\"fail\"] is null ? 0 : 1; result.message = \"done\";",
            new { source = "header", key = "X-Delivery" });

        var slow = CallAsync(tower, path, "{\"slow\": true}", "slow-1");
        await Task.Delay(700);
        using var inProgress = await CallAsync(tower, path, "{}", "slow-1");
        using var slowAnswer = await slow;
        using var failed = await CallAsync(tower, path, "{\"fail\": true}", "fails-1");
        using var retried = await CallAsync(tower, path, "{}", "fails-1");

        Assert.Equal(((HttpStatusCode)409, "Duplicate call in progress"), (inProgress.StatusCode, await MessageAsync(inProgress)));
        Assert.Equal(TimeSpan.FromSeconds(1), inProgress.Headers.RetryAfter?.Delta);
        var log = await tower.LogOfAsync(CallId(inProgress));
        Assert.Equal(("success", "skipped"), ((string)log["authentication_status"]!, (string)log["code_status"]!));
        Assert.Equal(HttpStatusCode.OK, slowAnswer.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.False(retried.Headers.Contains("X-Tower-Duplicate-Of"));
    }

    [Fact]
    public async Task Admin_refuses_a_dedup_that_breaks_a_rule_and_fills_in_the_window()
    {
        var reference = $"dedup_rules_{_id}";
        await tower.CreateAsync("/api/authenticators", new { reference, name = reference });
        object Webhook(object dedup) => new { reference, name = reference, authenticator = reference, endpoint = $"dedup/{_id}/rules", dedup };

        Assert.True((await tower.RefusedAsync("/api/webhooks", Webhook(new { source = "body", key = "/id" }))).ContainsKey("dedup.source"));
        Assert.True((await tower.RefusedAsync("/api/webhooks", Webhook(new { source = "json", key = "id" }))).ContainsKey("dedup.key"));
        Assert.True((await tower.RefusedAsync("/api/webhooks", Webhook(new { source = "header", key = "X Delivery" }))).ContainsKey("dedup.key"));
        Assert.True((await tower.RefusedAsync("/api/webhooks", Webhook(new { source = "header", key = "X-Delivery", window_seconds = 604801 }))).ContainsKey("dedup.window_seconds"));

        var created = await tower.CreateAsync("/api/webhooks", Webhook(new { source = "header", key = "X-GitHub-Delivery" }));
        Assert.Equal(86400, (int)created["dedup"]!["window_seconds"]!);
        var yaml = await tower.Admin.GetStringAsync($"/api/webhooks/{reference}/yaml");
        Assert.Contains("X-GitHub-Delivery", yaml);
    }
}
