using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Tower.System.Tests;

/// <summary>Async webhooks (spec §10, §14): 202 once durable, attempts with their own records, retries, dead calls and retry through the API.</summary>
[Collection(TowerSystemCollection.Name)]
public sealed class AsyncTests(TowerSystem tower)
{
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    private async Task<(string Reference, string Path)> WebhookAsync(string name, string code, object? retry = null)
    {
        var reference = $"async_{name}_{_id}";
        await tower.CreateAsync("/api/authenticators", new { reference, name = reference });
        var endpoint = $"async/{_id}/{name}";
        await tower.CreateAsync("/api/webhooks", new
        {
            reference, name = reference, authenticator = reference, endpoint, code, response_mode = "async", retry,
        });
        await tower.WaitMatchedAsync(endpoint);
        return (reference, "/cetmix_tower_webhooks/" + endpoint);
    }

    private async Task<(HttpStatusCode Status, string Message, string CallId)> CallAsync(string path, string body)
    {
        using var response = await tower.Gateway.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        var message = (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["message"]!;
        return (response.StatusCode, message, Assert.Single(response.Headers.GetValues("X-Tower-Call-Id")));
    }

    /// <summary>The attempt records of an accepted call, oldest first, once there are <paramref name="count"/> of them.</summary>
    private async Task<List<JsonObject>> AttemptsAsync(string reference, string callId, int count, TimeSpan limit)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var page = (await tower.Admin.GetFromJsonAsync<JsonObject>($"/api/webhook-logs?webhook={reference}&limit=500"))!["items"]!.AsArray();
            var attempts = page.Select(item => item!.AsObject()).Where(item => (string?)item["parent_id"] == callId)
                .OrderBy(item => (int)item["attempt"]!).ToList();
            if (attempts.Count >= count)
            {
                return attempts;
            }

            Assert.True(deadline.Elapsed < limit, $"Call {callId} has {attempts.Count} attempt records after {limit}, not {count}.");
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task An_async_call_is_answered_202_at_once_and_its_code_runs_in_an_attempt_with_its_own_record()
    {
        var (reference, path) = await WebhookAsync("ok",
            "if (payload?[\"id\"] is not null) { var until = DateTime.UtcNow.AddSeconds(2); while (DateTime.UtcNow < until) { } } result.message = $\"ran {payload?[\"id\"]}\";");

        var timed = Stopwatch.StartNew();
        var accepted = await CallAsync(path, "{\"id\": 7}");
        timed.Stop();

        // Answered before the code's two seconds.
        Assert.Equal((HttpStatusCode.Accepted, "Accepted"), (accepted.Status, accepted.Message));
        Assert.True(timed.Elapsed < TimeSpan.FromSeconds(1.5), $"The 202 took {timed.Elapsed.TotalMilliseconds:F0} ms.");
        var record = await tower.LogOfAsync(accepted.CallId);
        Assert.Equal((202, "success", "queued", "Accepted", "call"),
            ((int)record["http_status"]!, (string)record["authentication_status"]!, (string)record["code_status"]!,
             (string)record["result_message"]!, (string)record["source"]!));
        var attempt = Assert.Single(await AttemptsAsync(reference, accepted.CallId, 1, TimeSpan.FromSeconds(20)));
        Assert.Equal((200, "success", "success", "ran 7", "async", 1),
            ((int)attempt["http_status"]!, (string)attempt["authentication_status"]!, (string)attempt["code_status"]!,
             (string)attempt["result_message"]!, (string)attempt["source"]!, (int)attempt["attempt"]!));
        Assert.Equal(7, (int)attempt["request_payload"]!["id"]!);
    }

    [Fact]
    public async Task Failed_attempts_are_retried_after_the_backoff_until_the_call_is_dead_and_retry_queues_a_fresh_set()
    {
        var (reference, path) = await WebhookAsync("dead", "throw new InvalidOperationException(\"boom\");",
            retry: new { max_attempts = 2, backoff_seconds = 2 });

        var accepted = await CallAsync(path, "{}");
        Assert.Equal(HttpStatusCode.Accepted, accepted.Status);
        var attempts = await AttemptsAsync(reference, accepted.CallId, 2, TimeSpan.FromSeconds(30));

        Assert.Equal([1, 2], attempts.Select(a => (int)a["attempt"]!));
        Assert.All(attempts, a => Assert.Equal((500, "failed", "async"), ((int)a["http_status"]!, (string)a["code_status"]!, (string)a["source"]!)));
        Assert.DoesNotContain("Gave up", (string)attempts[0]["error_message"]!, StringComparison.Ordinal);
        Assert.StartsWith("Gave up after 2 attempts: ", (string)attempts[1]["error_message"]!, StringComparison.Ordinal);
        Assert.Contains("boom", (string)attempts[1]["error_message"]!, StringComparison.Ordinal);
        var waited = CreatedAt(attempts[1]) - CreatedAt(attempts[0]);
        Assert.True(waited >= TimeSpan.FromSeconds(1.9), $"The second attempt came {waited.TotalMilliseconds:F0} ms after the first, not after the 2 s backoff.");

        // An attempt's id, or an unknown one, cannot be retried; the dead call can, once.
        using (var ofAttempt = await tower.Admin.PostAsync($"/api/webhook-logs/{attempts[0]["id"]}/retry", null))
        {
            Assert.Equal(HttpStatusCode.Conflict, ofAttempt.StatusCode);
        }

        using (var unknown = await tower.Admin.PostAsync($"/api/webhook-logs/{Guid.CreateVersion7()}/retry", null))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        using (var retried = await tower.Admin.PostAsync($"/api/webhook-logs/{accepted.CallId}/retry", null))
        {
            Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
            Assert.Equal("Accepted", (string)(await retried.Content.ReadFromJsonAsync<JsonObject>())!["message"]!);
        }

        using (var again = await tower.Admin.PostAsync($"/api/webhook-logs/{accepted.CallId}/retry", null))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        }

        var all = await AttemptsAsync(reference, accepted.CallId, 4, TimeSpan.FromSeconds(30));
        Assert.Equal([1, 2, 3, 4], all.Select(a => (int)a["attempt"]!));
        Assert.Equal(["retry", "retry"], all.Skip(2).Select(a => (string)a["source"]!));
        Assert.StartsWith("Gave up after 2 attempts: ", (string)all[3]["error_message"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Attempts_that_end_with_an_exit_code_are_retried_with_doubling_waits_until_one_succeeds()
    {
        // The code fails (exit code 3) during the first three seconds after the call was accepted.
        var (reference, path) = await WebhookAsync("recover",
            "if (DateTime.UtcNow.Ticks - (long)payload![\"at\"]! < 30000000) { result.exit_code = 3; result.message = \"not yet\"; } else { result.message = \"done\"; }",
            retry: new { max_attempts = 6, backoff_seconds = 1 });

        var accepted = await CallAsync(path, $"{{\"at\": {DateTime.UtcNow.Ticks}}}");
        var deadline = Stopwatch.StartNew();
        List<JsonObject> attempts;
        do
        {
            attempts = await AttemptsAsync(reference, accepted.CallId, 1, TimeSpan.FromSeconds(20));
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), "No attempt succeeded within 30 s.");
        }
        while ((string)attempts[^1]["code_status"]! != "success");
        await Task.Delay(TimeSpan.FromSeconds(2));
        var after = await AttemptsAsync(reference, accepted.CallId, 1, TimeSpan.FromSeconds(1));

        Assert.Equal(attempts.Count, after.Count);
        Assert.InRange(attempts.Count, 2, 5);
        Assert.All(attempts[..^1], a => Assert.Equal((500, "failed", "not yet", ""),
            ((int)a["http_status"]!, (string)a["code_status"]!, (string)a["result_message"]!, (string)a["error_message"]!)));
        Assert.Equal((200, "done"), ((int)attempts[^1]["http_status"]!, (string)attempts[^1]["result_message"]!));
        for (var i = 1; i < attempts.Count; i++)
        {
            var gap = CreatedAt(attempts[i]) - CreatedAt(attempts[i - 1]);
            Assert.True(gap >= TimeSpan.FromSeconds(0.9 * Math.Pow(2, i - 1)), $"Attempt {i + 1} came {gap.TotalMilliseconds:F0} ms after attempt {i}.");
        }

        using var retried = await tower.Admin.PostAsync($"/api/webhook-logs/{accepted.CallId}/retry", null);
        Assert.Equal(HttpStatusCode.Conflict, retried.StatusCode);
    }

    [Fact]
    public async Task An_attempt_that_finds_the_executor_down_is_recorded_503_and_retried_until_it_runs()
    {
        var (reference, path) = await WebhookAsync("outage", "result.message = \"ran\";", retry: new { max_attempts = 10, backoff_seconds = 1 });

        await tower.StopAsync("executor");
        string callId;
        try
        {
            var accepted = await CallAsync(path, "{}");
            Assert.Equal(HttpStatusCode.Accepted, accepted.Status);
            callId = accepted.CallId;
            var first = (await AttemptsAsync(reference, callId, 1, TimeSpan.FromSeconds(20)))[0];
            Assert.Equal((503, "Executor unavailable", "failed"),
                ((int)first["http_status"]!, (string)first["result_message"]!, (string)first["code_status"]!));
        }
        finally
        {
            await tower.StartAsync("executor");
        }

        var deadline = Stopwatch.StartNew();
        List<JsonObject> attempts;
        do
        {
            attempts = await AttemptsAsync(reference, callId, 1, TimeSpan.FromSeconds(5));
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), "No attempt ran after the Executor came back.");
        }
        while ((string)attempts[^1]["code_status"]! != "success");

        Assert.Equal("ran", (string)attempts[^1]["result_message"]!);
        Assert.All(attempts[..^1], a => Assert.Equal(503, (int)a["http_status"]!));
    }

    private static DateTimeOffset CreatedAt(JsonObject record) =>
        DateTimeOffset.Parse((string)record["created_at"]!, global::System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Admin_refuses_a_retry_on_a_sync_webhook_and_bad_async_fields_naming_them_and_keeps_them_through_yaml()
    {
        var reference = $"async_rules_{_id}";
        await tower.CreateAsync("/api/authenticators", new { reference, name = reference });
        var webhook = new { reference, name = reference, authenticator = reference, endpoint = $"async/{_id}/rules" };

        var syncRetry = await tower.RefusedAsync("/api/webhooks", new { webhook.reference, webhook.name, webhook.authenticator, webhook.endpoint, retry = new { max_attempts = 3 } });
        var badMode = await tower.RefusedAsync("/api/webhooks", new { webhook.reference, webhook.name, webhook.authenticator, webhook.endpoint, response_mode = "later" });
        var badRetry = await tower.RefusedAsync("/api/webhooks", new
        {
            webhook.reference, webhook.name, webhook.authenticator, webhook.endpoint, response_mode = "async", retry = new { max_attempts = 21, backoff_seconds = 0 },
        });
        var created = await tower.CreateAsync("/api/webhooks", new { webhook.reference, webhook.name, webhook.authenticator, webhook.endpoint, response_mode = "async" });

        Assert.Equal(["retry"], syncRetry.Select(pair => pair.Key));
        Assert.Equal(["response_mode"], badMode.Select(pair => pair.Key));
        Assert.Equal(["retry.backoff_seconds", "retry.max_attempts"], badRetry.Select(pair => pair.Key).Order());
        Assert.Equal(("async", 5, 10), ((string)created["response_mode"]!, (int)created["retry"]!["max_attempts"]!, (int)created["retry"]!["backoff_seconds"]!));
        var yaml = await tower.Admin.GetStringAsync($"/api/webhooks/{reference}/yaml");
        Assert.Contains("response_mode: async", yaml, StringComparison.Ordinal);
        Assert.Contains("max_attempts: 5", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_test_of_an_async_webhook_runs_its_code_at_once()
    {
        var (reference, _) = await WebhookAsync("tested", "result.message = \"ran now\";");

        using var response = await tower.Admin.PostAsJsonAsync($"/api/webhooks/{reference}/test", new { body = "{}" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal((200, "ran now"), ((int)result["http_status"]!, (string)result["message"]!));
    }
}
