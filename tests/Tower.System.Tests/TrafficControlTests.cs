using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Tower.System.Tests;

/// <summary>Rate limits, concurrency limits and lockouts (spec §10, §14), over real HTTP.</summary>
[Collection(TowerSystemCollection.Name)]
public sealed class TrafficControlTests(TowerSystem tower)
{
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    private async Task<string> WebhookAsync(string name, object? rateLimit = null, int? maxConcurrency = null, string? code = null,
        object? lockout = null, string? authenticatorCode = null)
    {
        var reference = $"traffic_{name}_{_id}";
        await tower.CreateAsync("/api/authenticators", new { reference, name = reference, lockout, code = authenticatorCode });
        var endpoint = $"traffic/{_id}/{name}";
        await tower.CreateAsync("/api/webhooks", new
        {
            reference, name = reference, authenticator = reference, endpoint, code = code ?? "result.message = \"ran\";",
            rate_limit = rateLimit, max_concurrency = maxConcurrency,
        });
        // Matched once a call gets anything but 404: that one call counts toward the limits below.
        await tower.WaitMatchedAsync(endpoint);
        return "/cetmix_tower_webhooks/" + endpoint;
    }

    private async Task<(HttpStatusCode Status, string Message, string? RetryAfter, string CallId)> CallAsync(string path, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        if (token is not null)
        {
            request.Headers.Add("X-Token", token);
        }

        using var response = await tower.Gateway.SendAsync(request);
        var message = (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["message"]!;
        return (response.StatusCode, message, response.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(global::System.Globalization.CultureInfo.InvariantCulture),
            Assert.Single(response.Headers.GetValues("X-Tower-Call-Id")));
    }

    [Fact]
    public async Task Calls_over_the_rate_limit_get_429_with_Retry_After_and_a_record()
    {
        var path = await WebhookAsync("rate", rateLimit: new { requests = 3, per_seconds = 30, by = "client_ip" });

        var calls = new List<(HttpStatusCode Status, string Message, string? RetryAfter, string CallId)>();
        for (var i = 0; i < 4; i++)
        {
            calls.Add(await CallAsync(path));
        }

        // The call that found the webhook matched took one of the three.
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, (HttpStatusCode)429, (HttpStatusCode)429], calls.Select(c => c.Status));
        Assert.Equal("Too many requests", calls[3].Message);
        Assert.InRange(int.Parse(calls[3].RetryAfter!, global::System.Globalization.CultureInfo.InvariantCulture), 1, 30);
        var log = await tower.LogOfAsync(calls[3].CallId);
        Assert.Equal((429, "failed", "skipped", "Too many requests"),
            ((int)log["http_status"]!, (string)log["authentication_status"]!, (string)log["code_status"]!, (string)log["result_message"]!));
    }

    [Fact]
    public async Task A_call_without_a_concurrency_slot_waits_a_second_then_gets_429()
    {
        var path = await WebhookAsync("slots", maxConcurrency: 1,
            code: "if (payload?[\"slow\"] is not null) { var until = DateTime.UtcNow.AddSeconds(3); while (DateTime.UtcNow < until) { } }");

        var slow = tower.Gateway.PostAsync(path, new StringContent("{\"slow\": true}"));
        await Task.Delay(500);
        var waited = Stopwatch.StartNew();
        var refused = await CallAsync(path);
        waited.Stop();
        using var slowAnswer = await slow;
        var after = await CallAsync(path);

        Assert.Equal(((HttpStatusCode)429, "Too many concurrent calls", "1"), (refused.Status, refused.Message, refused.RetryAfter));
        Assert.InRange(waited.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(2.5));
        Assert.Equal(HttpStatusCode.OK, slowAnswer.StatusCode);
        Assert.Equal(HttpStatusCode.OK, after.Status);
    }

    private const string SpinWhenSlow = "if (payload?[\"slow\"] is { } seconds) { var until = DateTime.UtcNow.AddSeconds((double)seconds); while (DateTime.UtcNow < until) { } }";

    [Fact]
    public async Task A_webhook_without_max_concurrency_holds_half_the_workers_so_other_webhooks_still_run_at_once()
    {
        // The test system runs two workers per script service: a webhook without a limit holds one.
        var spinner = await WebhookAsync("spinner", code: SpinWhenSlow);
        var steady = await WebhookAsync("steady");

        var slow = new[] { 0, 1 }.Select(_ => tower.Gateway.PostAsync(spinner, new StringContent("{\"slow\": 3}"))).ToArray();
        await Task.Delay(300);
        var timed = Stopwatch.StartNew();
        var other = await CallAsync(steady);
        timed.Stop();
        var answers = await Task.WhenAll(slow);

        // Before the share, both spinning calls held both workers and the steady call waited for one.
        Assert.Equal(HttpStatusCode.OK, other.Status);
        Assert.True(timed.Elapsed < TimeSpan.FromSeconds(1), $"The other webhook's call took {timed.Elapsed.TotalMilliseconds:F0} ms.");
        var refused = Assert.Single(answers, answer => answer.StatusCode == (HttpStatusCode)429);
        Assert.Single(answers, answer => answer.StatusCode == HttpStatusCode.OK);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
        var log = await tower.LogOfAsync(Assert.Single(refused.Headers.GetValues("X-Tower-Call-Id")));
        Assert.Equal((429, "failed", "skipped", "Too many concurrent calls"),
            ((int)log["http_status"]!, (string)log["authentication_status"]!, (string)log["code_status"]!, (string)log["result_message"]!));
        foreach (var answer in answers)
        {
            answer.Dispose();
        }
    }

    [Fact]
    public async Task A_webhook_with_its_own_max_concurrency_may_hold_more_than_half_the_workers()
    {
        var path = await WebhookAsync("own_limit", maxConcurrency: 2, code: SpinWhenSlow);

        var answers = await Task.WhenAll(new[] { 0, 1 }.Select(_ => tower.Gateway.PostAsync(path, new StringContent("{\"slow\": 1.5}"))));

        Assert.All(answers, answer => Assert.Equal(HttpStatusCode.OK, answer.StatusCode));
        foreach (var answer in answers)
        {
            answer.Dispose();
        }
    }

    [Fact]
    public async Task Refusals_by_the_authenticator_code_lock_the_address_out_for_the_block_time()
    {
        var path = await WebhookAsync("lockout", lockout: new { failures = 2, window_seconds = 60, block_seconds = 3 },
            authenticatorCode: "result.allowed = headers.TryGetValue(\"X-Token\", out var token) && token == \"good\";");

        var first = await CallAsync(path, "bad");
        var second = await CallAsync(path, "bad");
        var blocked = await CallAsync(path, "good");
        await Task.Delay(TimeSpan.FromSeconds(3.2));
        var afterBlock = await CallAsync(path, "good");

        // The call that found the webhook matched was refused too (no token): it counted.
        Assert.Equal((HttpStatusCode)403, first.Status);
        Assert.Equal(((HttpStatusCode)429, "Too many failed attempts"), (second.Status, second.Message));
        Assert.Equal(((HttpStatusCode)429, "Too many failed attempts"), (blocked.Status, blocked.Message));
        Assert.InRange(int.Parse(blocked.RetryAfter!, global::System.Globalization.CultureInfo.InvariantCulture), 1, 3);
        Assert.Equal(HttpStatusCode.OK, afterBlock.Status);
        var log = await tower.LogOfAsync(blocked.CallId);
        Assert.Equal(("failed", "skipped"), ((string)log["authentication_status"]!, (string)log["code_status"]!));
    }

    [Fact]
    public async Task Admin_refuses_limits_that_break_a_rule_naming_the_field_and_keeps_them_through_yaml()
    {
        var reference = $"traffic_rules_{_id}";
        await tower.CreateAsync("/api/authenticators", new { reference, name = reference });
        object Webhook(object? rateLimit = null, int? maxConcurrency = null) =>
            new { reference, name = reference, authenticator = reference, endpoint = $"traffic/{_id}/rules", rate_limit = rateLimit, max_concurrency = maxConcurrency };

        Assert.True((await tower.RefusedAsync("/api/webhooks", Webhook(new { requests = 0, per_seconds = 10 }))).ContainsKey("rate_limit.requests"));
        Assert.True((await tower.RefusedAsync("/api/webhooks", Webhook(new { requests = 5, per_seconds = 3601 }))).ContainsKey("rate_limit.per_seconds"));
        Assert.True((await tower.RefusedAsync("/api/webhooks", Webhook(new { requests = 5, per_seconds = 10, by = "user" }))).ContainsKey("rate_limit.by"));
        Assert.True((await tower.RefusedAsync("/api/webhooks", Webhook(new { requests = 5 }))).ContainsKey("rate_limit.per_seconds"));
        Assert.True((await tower.RefusedAsync("/api/webhooks", Webhook(maxConcurrency: 0))).ContainsKey("max_concurrency"));
        Assert.True((await tower.RefusedAsync("/api/authenticators", new { reference = reference + "_x", name = "x", lockout = new { failures = 3, window_seconds = 0, block_seconds = 10 } }))
            .ContainsKey("lockout.window_seconds"));
        Assert.True((await tower.RefusedAsync("/api/authenticators", new { reference = reference + "_x", name = "x", lockout = new { failures = 3, window_seconds = 10, block_seconds = 86401 } }))
            .ContainsKey("lockout.block_seconds"));

        var created = await tower.CreateAsync("/api/webhooks", Webhook(new { requests = 5, per_seconds = 10 }, 4));
        Assert.Equal("client_ip", (string)created["rate_limit"]!["by"]!);
        Assert.Equal(4, (int)created["max_concurrency"]!);
        var yaml = await tower.Admin.GetStringAsync($"/api/webhooks/{reference}/yaml");
        await tower.Admin.DeleteAsync($"/api/webhooks/{reference}");
        using var import = await tower.Admin.PostAsync("/api/yaml?if_exists=update", new StringContent(yaml, Encoding.UTF8, "application/yaml"));
        Assert.True(import.IsSuccessStatusCode, await import.Content.ReadAsStringAsync());
        var imported = await tower.Admin.GetFromJsonAsync<JsonObject>($"/api/webhooks/{reference}");
        Assert.Equal(created["rate_limit"]!.ToJsonString(), imported!["rate_limit"]!.ToJsonString());
        Assert.Equal(4, (int)imported["max_concurrency"]!);
    }
}
