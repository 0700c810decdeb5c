using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Aspire.Hosting.ApplicationModel;
using Npgsql;

namespace Tower.System.Tests;

/// <summary>
/// The launcher restarts what dies, and a restarted gateway serves whatever its dependencies'
/// state: its saved configuration while Admin is down or hung, 503 "Configuration not loaded"
/// when it has none (spec §3, §9).
/// </summary>
[Collection(TowerOutageCollection.Name)]
public sealed class SupervisionTests(TowerSystem tower)
{
    private static readonly TimeSpan RestartLimit = TimeSpan.FromSeconds(60);

    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Admin_and_Logging_turn_unhealthy_while_PostgreSQL_is_stopped_and_healthy_again_once_it_is_back()
    {
        async Task UntilAsync(string service, int status)
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            int seen;
            while ((seen = await tower.HealthOfAsync(service)) != status)
            {
                Assert.True(DateTime.UtcNow < deadline, $"{service}'s /health still answers {seen}, not {status}.");
                await Task.Delay(250);
            }
        }

        Assert.Equal((200, 200), (await tower.HealthOfAsync("admin"), await tower.HealthOfAsync("logging")));
        await tower.StopAsync("postgres");
        try
        {
            await UntilAsync("admin", 503);
            await UntilAsync("logging", 503);
        }
        finally
        {
            await tower.StartAsync("postgres");
        }

        await UntilAsync("admin", 200);
        await UntilAsync("logging", 200);
    }

    /// <summary>A webhook whose code runs in Executor, callable once this returns.</summary>
    private async Task<string> WebhookAsync(string name)
    {
        var reference = $"supervised_{name}_{_id}";
        Assert.Equal(HttpStatusCode.Created, (await tower.Admin.PostAsJsonAsync("/api/authenticators", new { reference, name = reference })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await tower.Admin.PostAsJsonAsync("/api/webhooks",
            new { reference, name = reference, authenticator = reference, endpoint = $"supervised/{_id}/{name}", code = "result.message = \"ran\";" })).StatusCode);
        var path = $"/cetmix_tower_webhooks/supervised/{_id}/{name}";
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await tower.Gateway.PostAsync(path, new StringContent("{}"))).StatusCode != HttpStatusCode.OK)
        {
            Assert.True(DateTime.UtcNow < deadline, "The webhook never became callable.");
            await Task.Delay(50);
        }

        return path;
    }

    private async Task<(HttpStatusCode Status, string Message)> CallAsync(string path)
    {
        using var response = await tower.Gateway.PostAsync(path, new StringContent("{}"));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return (response.StatusCode, (string)body["message"]!);
    }

    [Fact]
    public async Task A_service_that_dies_is_started_again_by_the_launcher()
    {
        var path = await WebhookAsync("dies");

        var killed = await tower.KillAndLeaveAsync("executor");
        await tower.WaitForRestartAsync("executor", killed, RestartLimit);

        Assert.Equal((HttpStatusCode.OK, "ran"), await CallAsync(path));
    }

    [Fact]
    public async Task A_service_stopped_on_purpose_is_not_started_again()
    {
        await tower.StopAsync("executor");
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(5));
            Assert.Contains(tower.StateOf("executor"), KnownResourceStates.TerminalStates);
        }
        finally
        {
            await tower.StartAsync("executor");
        }
    }

    [Fact]
    public async Task PostgreSQL_stopped_while_a_client_holds_a_connection_ends_cleanly_before_the_launcher_would_kill_it()
    {
        await using var idleClient = new NpgsqlConnection(tower.LoggingDatabase + ";Pooling=false");
        await idleClient.OpenAsync();
        var stopping = Stopwatch.StartNew();
        int? exitCode;
        try
        {
            exitCode = await tower.StopAsync("postgres");
            stopping.Stop();
        }
        finally
        {
            await tower.StartAsync("postgres");
        }

        // The launcher kills what has not ended 6 s after its SIGTERM, which PostgreSQL answers by
        // waiting for its clients to leave.
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(5), $"PostgreSQL took {stopping.Elapsed} to stop.");
        Assert.Equal(0, exitCode);
    }

    [Fact]
    public async Task A_gateway_restarted_while_Admin_is_down_serves_its_saved_configuration()
    {
        var path = await WebhookAsync("admin_down");
        await tower.StopAsync("admin");
        try
        {
            await tower.KillAsync("gateway");

            Assert.Equal((HttpStatusCode.OK, "ran"), await CallAsync(path));
        }
        finally
        {
            await tower.StartAsync("admin");
        }
    }

    [Fact]
    public async Task A_gateway_restarted_while_Admin_hangs_serves_its_saved_configuration()
    {
        var path = await WebhookAsync("admin_hangs");
        await tower.SignalAsync("admin", "STOP");
        try
        {
            await tower.KillAsync("gateway");

            Assert.Equal((HttpStatusCode.OK, "ran"), await CallAsync(path));
        }
        finally
        {
            await tower.SignalAsync("admin", "CONT");
        }
    }

    [Fact]
    public async Task A_gateway_with_no_configuration_at_all_answers_503_Configuration_not_loaded_and_records_it()
    {
        var path = await WebhookAsync("nothing_saved");
        await tower.StopAsync("admin");
        string callId;
        try
        {
            var killed = await tower.KillAndLeaveAsync("gateway");
            File.Delete(Path.Combine(tower.DataDirectory, "gateway-state", "snapshot.bin"));
            await tower.WaitForRestartAsync("gateway", killed, RestartLimit, healthy: false);

            using var response = await AnsweredAsync(path);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("Configuration not loaded", (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["message"]!);
            Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
            callId = Assert.Single(response.Headers.GetValues("X-Tower-Call-Id"));
        }
        finally
        {
            await tower.StartAsync("admin");
        }

        await tower.WaitHealthyAsync("gateway", RestartLimit);
        Assert.Equal((HttpStatusCode.OK, "ran"), await CallAsync(path));
        var log = await RecordAsync(callId);
        Assert.Equal(503, (int)log["http_status"]!);
        Assert.Equal("Configuration not loaded", (string)log["result_message"]!);
        Assert.Equal("failed", (string)log["authentication_status"]!);
        Assert.Equal("skipped", (string)log["code_status"]!);
        Assert.Equal("", (string?)log["webhook"] ?? "");
    }

    /// <summary>The first answer of a gateway that has just started listening.</summary>
    private async Task<HttpResponseMessage> AnsweredAsync(string path)
    {
        var deadline = DateTime.UtcNow + RestartLimit;
        while (true)
        {
            try
            {
                return await tower.Gateway.PostAsync(path, new StringContent("{}"));
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    private async Task<JsonObject> RecordAsync(string id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            using var response = await tower.Admin.GetAsync($"/api/webhook-logs/{id}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
            }

            Assert.True(DateTime.UtcNow < deadline, $"no log record for call {id}");
            await Task.Delay(200);
        }
    }
}
