using System.Net;
using System.Text.Json.Nodes;

namespace Tower.System.Tests;

/// <summary>Dedup across a gateway restart, and without its store (spec §10, §14).</summary>
[Collection(TowerOutageCollection.Name)]
public sealed class DedupOutageTests(TowerSystem tower)
{
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task A_duplicate_after_a_gateway_restart_still_gets_the_first_answer()
    {
        var path = await DedupTests.WebhookAsync(tower, _id, "restart", "result.message = $\"order {payload?[\"id\"]}\";", new { source = "header", key = "X-Delivery" });
        using var first = await DedupTests.CallAsync(tower, path, "{\"id\": 1}", "restart-1");

        await tower.KillAsync("gateway");
        using var duplicate = await DedupTests.CallAsync(tower, path, "{\"id\": 2}", "restart-1");

        Assert.Equal("order 1", (string)JsonNode.Parse(await duplicate.Content.ReadAsStringAsync())!["message"]!);
        Assert.Equal(Assert.Single(first.Headers.GetValues("X-Tower-Call-Id")), Assert.Single(duplicate.Headers.GetValues("X-Tower-Duplicate-Of")));
    }

    [Fact]
    public async Task Without_its_store_a_dedup_webhook_answers_503_Deduplication_unavailable_and_the_code_does_not_run()
    {
        var path = await DedupTests.WebhookAsync(tower, _id, "store", "result.message = \"ran\";", new { source = "header", key = "X-Delivery" });
        await tower.StopAsync("logging");
        try
        {
            using var refused = await DedupTests.CallAsync(tower, path, "{}", "store-1");
            using var keyless = await DedupTests.CallAsync(tower, path, "{}");

            Assert.Equal(((HttpStatusCode)503, "Deduplication unavailable"),
                (refused.StatusCode, (string)JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["message"]!));
            Assert.Equal(HttpStatusCode.OK, keyless.StatusCode);
        }
        finally
        {
            await tower.StartAsync("logging");
        }
    }
}
