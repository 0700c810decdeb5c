using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Tower.System.Tests;

/// <summary>Call log filters beyond the first version's: a status class, the source, the client address.</summary>
[Collection(TowerSystemCollection.Name)]
public sealed class LogSearchTests(TowerSystem tower)
{
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Logs_filter_by_status_class_source_and_client_address()
    {
        var reference = "search_" + _id;
        await tower.CreateAsync("/api/authenticators", new { reference, name = reference });
        await tower.CreateAsync("/api/webhooks", new
        {
            reference, name = reference, authenticator = reference, endpoint = $"search/{_id}", code = "result.exit_code = payload?[\"fail\"] is null ? 0 : 1;",
        });
        await tower.WaitMatchedAsync($"search/{_id}");
        using var failed = await tower.Gateway.PostAsync($"/cetmix_tower_webhooks/search/{_id}", new StringContent("{\"fail\": true}"));
        var failedId = Assert.Single(failed.Headers.GetValues("X-Tower-Call-Id"));
        var tested = await (await tower.Admin.PostAsJsonAsync($"/api/webhooks/{reference}/test", new { client_ip = "192.0.2.9" })).Content.ReadFromJsonAsync<JsonObject>();
        await tower.LogOfAsync(failedId);
        await tower.LogOfAsync((string)tested!["call_id"]!);

        async Task<List<string>> IdsAsync(string filter) =>
            (await tower.Admin.GetFromJsonAsync<JsonObject>($"/api/webhook-logs?webhook={reference}&{filter}"))!["items"]!.AsArray()
                .Select(item => (string)item!["id"]!).ToList();

        Assert.Equal([failedId], await IdsAsync("http_status=5xx"));
        Assert.Equal([(string)tested["call_id"]!], await IdsAsync("source=test"));
        Assert.Equal([(string)tested["call_id"]!], await IdsAsync("client_ip=192.0.2.9"));
        Assert.Equal(2, (await IdsAsync("source=call")).Count);
        Assert.Equal(HttpStatusCode.BadRequest, (await tower.Admin.GetAsync("/api/webhook-logs?source=cron")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await tower.Admin.GetAsync("/api/webhook-logs?http_status=6xx")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await tower.Admin.GetAsync("/api/webhook-logs?client_ip=nowhere")).StatusCode);
    }

    [Fact]
    public async Task Logs_filter_by_text_in_the_messages_taken_as_written()
    {
        var reference = "search_text_" + _id;
        await tower.CreateAsync("/api/authenticators", new { reference, name = reference });
        await tower.CreateAsync("/api/webhooks", new
        {
            reference, name = reference, authenticator = reference, endpoint = $"search/{_id}/text", code = "result.message = (string?)payload?[\"m\"] ?? \"none\";",
        });
        await tower.WaitMatchedAsync($"search/{_id}/text");
        var ids = new List<string>();
        foreach (var message in new[] { "Order 100% paid", "order_7 shipped", "nothing here" })
        {
            using var call = await tower.Gateway.PostAsync($"/cetmix_tower_webhooks/search/{_id}/text", new StringContent($"{{\"m\": \"{message}\"}}"));
            ids.Add(Assert.Single(call.Headers.GetValues("X-Tower-Call-Id")));
            await tower.LogOfAsync(ids[^1]);
        }

        async Task<List<string>> IdsAsync(string text) =>
            (await tower.Admin.GetFromJsonAsync<JsonObject>($"/api/webhook-logs?webhook={reference}&text={Uri.EscapeDataString(text)}"))!["items"]!.AsArray()
                .Select(item => (string)item!["id"]!).ToList();

        Assert.Equal([ids[1], ids[0]], await IdsAsync("ORDER"));
        // % and _ are themselves, not wildcards.
        Assert.Equal([ids[0]], await IdsAsync("100%"));
        Assert.Equal([ids[1]], await IdsAsync("r_7"));
        Assert.Empty(await IdsAsync("0%p"));
        Assert.Equal(HttpStatusCode.BadRequest, (await tower.Admin.GetAsync($"/api/webhook-logs?text={new string('x', 201)}")).StatusCode);
    }

    [Fact]
    public async Task A_webhooks_stats_count_its_calls_by_status_class_within_the_range()
    {
        var reference = "stats_" + _id;
        await tower.CreateAsync("/api/authenticators", new { reference, name = reference });
        await tower.CreateAsync("/api/webhooks", new
        {
            reference, name = reference, authenticator = reference, endpoint = $"stats/{_id}", code = "result.exit_code = payload?[\"fail\"] is null ? 0 : 1;",
        });
        await tower.WaitMatchedAsync($"stats/{_id}");
        var last = "";
        foreach (var body in new[] { "{}", "{}", "{\"fail\": 1}", "[" })
        {
            using var call = await tower.Gateway.PostAsync($"/cetmix_tower_webhooks/stats/{_id}", new StringContent(body));
            last = Assert.Single(call.Headers.GetValues("X-Tower-Call-Id"));
        }

        await tower.LogOfAsync(last);
        var stats = (await tower.Admin.GetFromJsonAsync<JsonObject>($"/api/webhooks/{reference}/stats"))!;
        var empty = (await tower.Admin.GetFromJsonAsync<JsonObject>($"/api/webhooks/{reference}/stats?from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z"))!;

        // The call that found the webhook matched counts too: three 2xx, one 5xx, one 4xx.
        Assert.Equal((5, 3, 1, 1, 0.2, 0.2, 1), ((int)stats["calls"]!, (int)stats["by_status_class"]!["2xx"]!, (int)stats["by_status_class"]!["4xx"]!,
            (int)stats["by_status_class"]!["5xx"]!, (double)stats["error_rate"]!, (double)stats["refused_rate"]!, (int)stats["code_failed"]!));
        Assert.NotNull(stats["duration_ms"]!["p50"]);
        Assert.Equal(0, (int)empty["calls"]!);
        Assert.Equal(HttpStatusCode.NotFound, (await tower.Admin.GetAsync("/api/webhooks/no_such_webhook_x/stats")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await tower.Admin.GetAsync($"/api/webhooks/{reference}/stats?from=yesterday")).StatusCode);
    }
}
