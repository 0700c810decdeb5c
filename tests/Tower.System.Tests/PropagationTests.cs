using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;

namespace Tower.System.Tests;

/// <summary>A change made through the Admin API is in force at the gateway within one second (admin-api.md).</summary>
[Collection(TowerSystemCollection.Name)]
public sealed class PropagationTests(TowerSystem tower)
{
    private static readonly TimeSpan Contract = TimeSpan.FromSeconds(1);

    private async Task<TimeSpan> TimeUntilAsync(string path, HttpStatusCode expected)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var response = await tower.Gateway.PostAsync(path, new StringContent("{}"));
            if (response.StatusCode == expected)
            {
                return clock.Elapsed;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"{path} never answered {(int)expected} (last {(int)response.StatusCode})");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Creating_changing_and_deleting_a_webhook_is_in_force_within_a_second()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var authenticator = "prop_" + id;
        var reference = "prop_hook_" + id;
        var path = $"/cetmix_tower_webhooks/prop/{id}";
        Assert.Equal(HttpStatusCode.Created, (await tower.Admin.PostAsJsonAsync("/api/authenticators", new { reference = authenticator, name = "Prop" })).StatusCode);

        Assert.Equal(HttpStatusCode.Created, (await tower.Admin.PostAsJsonAsync("/api/webhooks",
            new { reference, name = "Prop", authenticator, endpoint = $"prop/{id}" })).StatusCode);
        var created = await TimeUntilAsync(path, HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.OK, (await tower.Admin.PutAsJsonAsync($"/api/webhooks/{reference}",
            new { name = "Prop", authenticator, endpoint = $"prop/{id}", enabled = false })).StatusCode);
        var disabled = await TimeUntilAsync(path, HttpStatusCode.NotFound);

        Assert.Equal(HttpStatusCode.OK, (await tower.Admin.PutAsJsonAsync($"/api/webhooks/{reference}",
            new { name = "Prop", authenticator, endpoint = $"prop/{id}", code = "result = new() { exit_code = 1, message = \"changed\" };" })).StatusCode);
        var changed = await TimeUntilAsync(path, HttpStatusCode.InternalServerError);

        Assert.Equal(HttpStatusCode.NoContent, (await tower.Admin.DeleteAsync($"/api/webhooks/{reference}")).StatusCode);
        var deleted = await TimeUntilAsync(path, HttpStatusCode.NotFound);

        Assert.All(new[] { created, disabled, changed, deleted }, elapsed => Assert.True(elapsed < Contract, $"took {elapsed.TotalMilliseconds:F0} ms"));
    }
}
