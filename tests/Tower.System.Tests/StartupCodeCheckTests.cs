using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;
using Npgsql;
using Tower.Scripting;

namespace Tower.System.Tests;

/// <summary>
/// Code accepted under older sandbox rules and refused by today's (webhooks.md §5): it answers as
/// code that does not compile, and Admin's check at start lists it with <c>?invalid=true</c>.
/// Admin is restarted, so the test runs on the system of the tests that break it.
/// </summary>
[Collection(TowerOutageCollection.Name)]
public sealed class StartupCodeCheckTests(TowerSystem tower)
{
    private const string VectorCode = "var a = new int[4];\nvar v = System.Numerics.Vector.LoadUnsafe(ref a[0], 64);\nresult.message = \"read\";";
    private const string CultureCode = "CultureInfo.CurrentCulture = new CultureInfo(\"de-DE\");\nresult.allowed = true;";

    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Stored_code_the_rules_now_refuse_answers_as_code_that_does_not_compile_and_is_listed_as_invalid_after_a_restart()
    {
        var gate = await CreateAsync("/api/authenticators", new { reference = $"recheck_gate_{_id}", name = "Recheck", code = "result.allowed = true;" });
        var refusedHook = $"recheck_refused_{_id}";
        var refusedGate = $"recheck_refused_gate_{_id}";
        await StoreUncheckedAsync(refusedHook, gate, $"recheck/{_id}/refused", refusedGate);
        // Its change event makes the gateway load the configuration again, the webhook stored above included.
        var good = await CreateAsync("/api/webhooks",
            new { reference = $"recheck_good_{_id}", name = "Recheck", authenticator = gate, endpoint = $"recheck/{_id}/good", code = "result.message = \"ok\";" });

        var (status, message, log) = await CallAsync($"/cetmix_tower_webhooks/recheck/{_id}/refused");
        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.Equal("Webhook code execution error", message);
        Assert.Contains("System.Numerics.Vector.LoadUnsafe", (string)log["error_message"]!, StringComparison.Ordinal);

        await tower.KillAsync("admin");
        await WaitForAdminAsync();

        var invalidWebhooks = await ItemsAsync("/api/webhooks?invalid=true&limit=500");
        var listed = Assert.Single(invalidWebhooks, item => (string)item["reference"]! == refusedHook);
        Assert.Contains(listed["code_errors"]!.AsArray(), error =>
            ((string)error!).StartsWith("line 2, column ", StringComparison.Ordinal) && ((string)error!).Contains("System.Numerics.Vector.LoadUnsafe", StringComparison.Ordinal));
        Assert.Equal($"recheck/{_id}/refused", (string)listed["endpoint"]!);
        Assert.NotNull(listed["full_url"]);
        Assert.DoesNotContain(invalidWebhooks, item => (string)item["reference"]! == good);

        var invalidAuthenticators = await ItemsAsync("/api/authenticators?invalid=true&limit=500");
        var listedGate = Assert.Single(invalidAuthenticators, item => (string)item["reference"]! == refusedGate);
        Assert.Contains(listedGate["code_errors"]!.AsArray(), error => ((string)error!).Contains("System.Globalization.CultureInfo.CurrentCulture", StringComparison.Ordinal));
        Assert.DoesNotContain(invalidAuthenticators, item => (string)item["reference"]! == gate);

        var everything = await ItemsAsync("/api/webhooks?invalid=false&limit=500");
        Assert.Contains(everything, item => (string)item["reference"]! == good);
        Assert.DoesNotContain(everything, item => item.ContainsKey("code_errors"));
        Assert.False((await tower.Admin.GetFromJsonAsync<JsonObject>($"/api/webhooks/{refusedHook}"))!.ContainsKey("code_errors"));

        var bad = await tower.Admin.GetAsync("/api/webhooks?invalid=maybe");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.NotNull((await bad.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!["invalid"]);

        // Fixed through the API (the listed item sent back as it is, code_errors included), or deleted: no longer listed.
        listed["code"] = "result.message = \"fixed\";";
        var fixedResponse = await tower.Admin.PutAsJsonAsync($"/api/webhooks/{refusedHook}", listed);
        Assert.True(fixedResponse.StatusCode == HttpStatusCode.OK, await fixedResponse.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NoContent, (await tower.Admin.DeleteAsync($"/api/authenticators/{refusedGate}")).StatusCode);
        Assert.DoesNotContain(await ItemsAsync("/api/webhooks?invalid=true&limit=500"), item => (string)item["reference"]! == refusedHook);
        Assert.DoesNotContain(await ItemsAsync("/api/authenticators?invalid=true&limit=500"), item => (string)item["reference"]! == refusedGate);
    }

    private async Task<string> CreateAsync(string path, object body)
    {
        var response = await tower.Admin.PostAsJsonAsync(path, body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["reference"]!;
    }

    /// <summary>A webhook and an authenticator whose code today's rules refuse, stored as Admin stores code (with its identity) but without its check.</summary>
    private async Task StoreUncheckedAsync(string webhook, string authenticator, string endpoint, string refusedAuthenticator)
    {
        await using var connection = new NpgsqlConnection(tower.AdminDatabase + ";Pooling=false");
        await connection.ExecuteAsync(
            """
            INSERT INTO webhooks (reference, name, enabled, authenticator, endpoint, method, payload_type, run_as_user, code, code_hash,
                variables, secrets, timeout_ms, created_by, updated_by)
            VALUES (@webhook, 'Stored before the rules tightened', true, @authenticator, @endpoint, 'POST', 'json', 'admin', @code, @hash,
                '{}', '{}', 10000, 'admin', 'admin')
            """,
            new { webhook, authenticator, endpoint, code = VectorCode, hash = ScriptIdentity.Of(ScriptKind.Webhook, VectorCode) });
        await connection.ExecuteAsync(
            """
            INSERT INTO authenticators (reference, name, allowed_ips, trusted_proxy_ips, code, code_hash, variables, secrets, created_by, updated_by)
            VALUES (@refusedAuthenticator, 'Stored before the rules tightened', '', '', @code, @hash, '{}', '{}', 'admin', 'admin')
            """,
            new { refusedAuthenticator, code = CultureCode, hash = ScriptIdentity.Of(ScriptKind.Authenticator, CultureCode) });
    }

    /// <summary>Calls the gateway, waiting up to five seconds for the webhook to reach it, and reads the call's log record.</summary>
    private async Task<(HttpStatusCode Status, string Message, JsonObject Log)> CallAsync(string path)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (true)
        {
            using var response = await tower.Gateway.PostAsync(path, new StringContent("{}"));
            if (response.StatusCode == HttpStatusCode.NotFound && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
                continue;
            }

            var message = (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["message"]!;
            var id = Assert.Single(response.Headers.GetValues("X-Tower-Call-Id"));
            return (response.StatusCode, message, await ReadLogAsync(id));
        }
    }

    private async Task<JsonObject> ReadLogAsync(string id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var response = await tower.Admin.GetAsync($"/api/webhook-logs/{id}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
            }

            Assert.True(DateTime.UtcNow < deadline, $"no log record for call {id}");
            await Task.Delay(100);
        }
    }

    /// <summary>A started process is not yet a listening one.</summary>
    private async Task WaitForAdminAsync()
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            try
            {
                if ((await tower.Admin.GetAsync("/health")).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            Assert.True(DateTime.UtcNow < deadline, "Admin did not answer after its restart.");
            await Task.Delay(250);
        }
    }

    private async Task<List<JsonObject>> ItemsAsync(string path)
    {
        var response = await tower.Admin.GetAsync(path);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return [.. (await response.Content.ReadFromJsonAsync<JsonObject>())!["items"]!.AsArray().Select(item => item!.AsObject())];
    }
}
