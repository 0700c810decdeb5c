using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;

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

        Assert.All(new[] { created, disabled, changed, deleted }, elapsed => Assert.True(elapsed < Contract, $"created {created.TotalMilliseconds:F0}, disabled {disabled.TotalMilliseconds:F0}, changed {changed.TotalMilliseconds:F0}, deleted {deleted.TotalMilliseconds:F0} ms"));
    }

    [Fact]
    public async Task Changes_to_variables_secrets_authenticators_and_imports_are_in_force_within_a_second()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var (variable, secret, authenticator) = ($"pv_{id}", $"ps_{id}", $"pa_{id}");
        var path = $"/cetmix_tower_webhooks/prop/{id}/values";
        var token = "secret-one-12345";
        Assert.Equal(HttpStatusCode.Created, (await tower.Admin.PostAsJsonAsync("/api/variables", new { reference = variable, name = "V", value = "one" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await tower.Admin.PostAsJsonAsync("/api/secrets", new { reference = secret, name = "S", value = token })).StatusCode);
        var authenticatorBody = new
        {
            reference = authenticator, name = "A", allowed_ips = "127.0.0.0/8, ::1", secrets = new[] { secret },
            code = $"result.allowed = headers.TryGetValue(\"X-Token\", out var t) && FixedTimeEquals(t, secrets[\"{secret}\"]);",
        };
        Assert.Equal(HttpStatusCode.Created, (await tower.Admin.PostAsJsonAsync("/api/authenticators", authenticatorBody)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await tower.Admin.PostAsJsonAsync("/api/webhooks", new
        {
            name = "Values", authenticator, endpoint = $"prop/{id}/values", variables = new[] { variable }, code = $"result.message = variables[\"{variable}\"];",
        })).StatusCode);
        await TimeUntilAsync(path, token, "{\"message\":\"one\"}");

        Assert.Equal(HttpStatusCode.OK, (await tower.Admin.PutAsJsonAsync($"/api/variables/{variable}", new { name = "V", value = "two" })).StatusCode);
        var variableChanged = await TimeUntilAsync(path, token, "{\"message\":\"two\"}");

        Assert.Equal(HttpStatusCode.OK, (await tower.Admin.PutAsJsonAsync($"/api/secrets/{secret}", new { name = "S", value = "secret-two-67890" })).StatusCode);
        var secretChanged = await TimeUntilAsync(path, "secret-two-67890", "{\"message\":\"two\"}");

        Assert.Equal(HttpStatusCode.OK, (await tower.Admin.PutAsJsonAsync($"/api/authenticators/{authenticator}", authenticatorBody with { allowed_ips = "192.0.2.0/24" })).StatusCode);
        var authenticatorChanged = await TimeUntilAsync(path, "secret-two-67890", "{\"message\":\"Address not allowed\"}");

        var yaml = await tower.Admin.GetStringAsync($"/api/authenticators/{authenticator}/yaml");
        var imported = await tower.Admin.PostAsync("/api/yaml", new StringContent(yaml.Replace("192.0.2.0/24", "127.0.0.0/8, ::1"), Encoding.UTF8, "application/yaml"));
        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        var importChanged = await TimeUntilAsync(path, "secret-two-67890", "{\"message\":\"two\"}");

        Assert.All(new[] { variableChanged, secretChanged, authenticatorChanged, importChanged },
            elapsed => Assert.True(elapsed < Contract, $"took {elapsed.TotalMilliseconds:F0} ms"));
    }

    private async Task<TimeSpan> TimeUntilAsync(string path, string token, string expectedBody)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent("{}") };
            request.Headers.Add("X-Token", token);
            using var response = await tower.Gateway.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            if (body == expectedBody)
            {
                return clock.Elapsed;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"{path} never answered {expectedBody} (last {(int)response.StatusCode} {body})");
            await Task.Delay(20);
        }
    }
}
