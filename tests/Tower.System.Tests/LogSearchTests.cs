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
}
