using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Tower.System.Tests;

/// <summary>Webhook code that chooses its own answer (spec §13), over real HTTP.</summary>
[Collection(TowerSystemCollection.Name)]
public sealed class CustomResponseTests(TowerSystem tower)
{
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    /// <summary>A webhook with <paramref name="code"/> behind an open authenticator, matched by the gateway once this returns.</summary>
    private async Task<string> WebhookAsync(string name, string code)
    {
        var reference = $"custom_{name}_{_id}";
        await tower.CreateAsync("/api/authenticators", new { reference, name = reference });
        var endpoint = $"custom/{_id}/{name}";
        await tower.CreateAsync("/api/webhooks", new { reference, name = reference, authenticator = reference, endpoint, code });
        await tower.WaitMatchedAsync(endpoint);
        return "/cetmix_tower_webhooks/" + endpoint;
    }

    [Fact]
    public async Task Slack_url_verification_is_answered_with_the_challenge_as_plain_text()
    {
        var path = await WebhookAsync("slack", """
            if ((string?)payload?["type"] == "url_verification")
            {
                result.body = (string?)payload?["challenge"];
            }
            """);

        using var response = await tower.Gateway.PostAsync(path,
            new StringContent("""{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", await response.Content.ReadAsStringAsync());
        var log = await tower.LogOfAsync(Assert.Single(response.Headers.GetValues("X-Tower-Call-Id")));
        Assert.Equal("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", (string)log["result_message"]!);
    }

    [Fact]
    public async Task Status_content_type_and_headers_set_by_the_code_are_sent_and_the_call_id_always()
    {
        var path = await WebhookAsync("xml", """
            result.exit_code = 1;
            result.status_code = 202;
            result.body = "<queued/>";
            result.content_type = "application/xml";
            result.headers["X-Queue"] = "orders";
            """);

        using var response = await tower.Gateway.PostAsync(path, new StringContent("{}"));

        // A set status is the answer whatever exit_code says; code_status still follows exit_code.
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("application/xml", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("<queued/>", await response.Content.ReadAsStringAsync());
        Assert.Equal("orders", Assert.Single(response.Headers.GetValues("X-Queue")));
        var log = await tower.LogOfAsync(Assert.Single(response.Headers.GetValues("X-Tower-Call-Id")));
        Assert.Equal((202, "failed"), ((int)log["http_status"]!, (string)log["code_status"]!));
    }

    [Fact]
    public async Task A_204_carries_no_body_and_a_status_alone_keeps_the_json_message()
    {
        var empty = await WebhookAsync("empty", "result.status_code = 204; result.body = \"dropped\";");
        var created = await WebhookAsync("created", "result.status_code = 201; result.message = \"made\";");

        using var noContent = await tower.Gateway.PostAsync(empty, new StringContent("{}"));
        using var withMessage = await tower.Gateway.PostAsync(created, new StringContent("{}"));

        Assert.Equal(HttpStatusCode.NoContent, noContent.StatusCode);
        Assert.Empty(await noContent.Content.ReadAsByteArrayAsync());
        Assert.Single(noContent.Headers.GetValues("X-Tower-Call-Id"));
        Assert.Equal(HttpStatusCode.Created, withMessage.StatusCode);
        Assert.Equal("application/json", withMessage.Content.Headers.ContentType?.MediaType);
        Assert.Equal("made", (string)JsonNode.Parse(await withMessage.Content.ReadAsStringAsync())!["message"]!);
    }

    [Fact]
    public async Task A_refused_header_fails_the_run_with_500_and_an_error_naming_it()
    {
        var path = await WebhookAsync("refused", "result.headers[\"X-Tower-Call-Id\"] = \"forged\"; result.body = \"never sent\";");

        using var response = await tower.Gateway.PostAsync(path, new StringContent("{}"));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("Webhook code execution error", (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["message"]!);
        var callId = Assert.Single(response.Headers.GetValues("X-Tower-Call-Id"));
        Assert.NotEqual("forged", callId);
        var log = await tower.LogOfAsync(callId);
        Assert.Equal("failed", (string)log["code_status"]!);
        Assert.Contains("result.headers may not set X-Tower-Call-Id", (string)log["error_message"]!);
    }

    [Fact]
    public async Task The_log_keeps_the_first_1000_characters_of_a_long_body()
    {
        var path = await WebhookAsync("long", "result.body = new string('x', 5000);");

        using var response = await tower.Gateway.PostAsync(path, new StringContent("{}"));

        Assert.Equal(5000, (await response.Content.ReadAsStringAsync()).Length);
        var log = await tower.LogOfAsync(Assert.Single(response.Headers.GetValues("X-Tower-Call-Id")));
        Assert.Equal(new string('x', 1000), (string)log["result_message"]!);
    }
}
