using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Tower.System.Tests;

[Collection(TowerSystemCollection.Name)]
public sealed class WalkingSkeletonTests(TowerSystem tower)
{
    [Fact]
    public async Task A_webhook_created_through_admin_answers_at_the_gateway_and_its_call_is_logged()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var authenticator = await tower.Admin.PostAsJsonAsync("/api/authenticators", new
        {
            name = $"Shop {suffix}",
            allowed_ips = "127.0.0.0/8, ::1",
            code = "result.allowed = headers.TryGetValue(\"X-Token\", out var t) && FixedTimeEquals(t, \"token-" + suffix + "\");",
        });
        Assert.Equal(HttpStatusCode.Created, authenticator.StatusCode);
        var authenticatorReference = (string)(await authenticator.Content.ReadFromJsonAsync<JsonObject>())!["reference"]!;

        var webhook = await tower.Admin.PostAsJsonAsync("/api/webhooks", new
        {
            name = $"Orders {suffix}",
            authenticator = authenticatorReference,
            endpoint = $"shop/{suffix}/orders",
            code = "result.message = $\"order {payload?[\"id\"]}\";",
        });
        Assert.Equal(HttpStatusCode.Created, webhook.StatusCode);
        var created = (await webhook.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.EndsWith($"/cetmix_tower_webhooks/shop/{suffix}/orders", (string)created["full_url"]!);

        var response = await CallUntilFoundAsync($"/cetmix_tower_webhooks/shop/{suffix}/orders", "token-" + suffix, "{\"id\": 7}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("order 7", (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["message"]!);
        var callId = Assert.Single(response.Headers.GetValues("X-Tower-Call-Id"));

        var log = await ReadLogAsync(callId, TimeSpan.FromSeconds(2));
        Assert.Equal((string)created["reference"]!, (string)log["webhook"]!);
        Assert.Equal(authenticatorReference, (string)log["authenticator"]!);
        Assert.Equal(200, (int)log["http_status"]!);
        Assert.Equal("success", (string)log["authentication_status"]!);
        Assert.Equal("success", (string)log["code_status"]!);
        Assert.Equal("order 7", (string)log["result_message"]!);
        Assert.Equal(7, (int)log["request_payload"]!["id"]!);
        Assert.Equal("POST", (string)log["request_method"]!);
    }

    [Fact]
    public async Task An_unknown_endpoint_answers_404_and_is_logged_too()
    {
        var response = await tower.Gateway.PostAsync("/cetmix_tower_webhooks/nothing/here", new StringContent("{}"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("Webhook not found", (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["message"]!);
        var log = await ReadLogAsync(Assert.Single(response.Headers.GetValues("X-Tower-Call-Id")), TimeSpan.FromSeconds(2));
        Assert.Equal("nothing/here", (string)log["endpoint"]!);
        Assert.Equal("failed", (string)log["authentication_status"]!);
        Assert.Equal("skipped", (string)log["code_status"]!);
    }

    [Fact]
    public async Task The_admin_api_refuses_a_missing_or_wrong_key()
    {
        using var anonymous = new HttpClient { BaseAddress = tower.Admin.BaseAddress };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/webhooks")).StatusCode);

        anonymous.DefaultRequestHeaders.Authorization = new("Bearer", "wrong-key-0123456789-0123456789-01");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/webhook-logs")).StatusCode);
    }

    /// <summary>A new webhook reaches the gateway through a change event; give it the contract's second.</summary>
    private async Task<HttpResponseMessage> CallUntilFoundAsync(string path, string token, string body)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body) };
            request.Headers.Add("X-Token", token);
            var response = await tower.Gateway.SendAsync(request);
            if (response.StatusCode != HttpStatusCode.NotFound || DateTime.UtcNow > deadline)
            {
                return response;
            }

            await Task.Delay(100);
        }
    }

    private async Task<JsonObject> ReadLogAsync(string callId, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var response = await tower.Admin.GetAsync($"/api/webhook-logs/{callId}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
            }

            Assert.True(DateTime.UtcNow < deadline, $"The call log {callId} was not readable within {within.TotalSeconds} s (last status {(int)response.StatusCode}).");
            await Task.Delay(50);
        }
    }
}
