using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Tower.System.Tests;

[Collection(TowerSystemCollection.Name)]
public sealed class AdminApiTests(TowerSystem tower)
{
    private static string Unique(string stem) => stem + "_" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task The_contract_example_works_with_a_linked_secret()
    {
        var token = Unique("shop_token");
        var auth = Unique("shop");
        var endpoint = "shop/" + Guid.NewGuid().ToString("N")[..8] + "/orders";

        var secret = await tower.Admin.PostAsJsonAsync("/api/secrets", new { reference = token, name = "Shop token", value = "change-me-0123456789" });
        Assert.Equal(HttpStatusCode.Created, secret.StatusCode);
        Assert.False((await secret.Content.ReadFromJsonAsync<JsonObject>())!.ContainsKey("value"));
        Assert.Equal(HttpStatusCode.Created, (await tower.Admin.PostAsJsonAsync("/api/authenticators", new
        {
            reference = auth,
            name = "Shop",
            allowed_ips = "127.0.0.0/8, ::1",
            secrets = new[] { token },
            code = $"result.allowed = headers.TryGetValue(\"X-Token\", out var t) && FixedTimeEquals(t, secrets[\"{token}\"]);",
        })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await tower.Admin.PostAsJsonAsync("/api/webhooks", new
        {
            name = "Orders",
            authenticator = auth,
            endpoint,
            code = "result.message = $\"order {payload?[\"id\"]}\";",
        })).StatusCode);

        var deadline = DateTime.UtcNow.AddSeconds(5);
        HttpResponseMessage response;
        do
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/cetmix_tower_webhooks/{endpoint}") { Content = new StringContent("{\"id\": 7}") };
            request.Headers.Add("X-Token", "change-me-0123456789");
            response = await tower.Gateway.SendAsync(request);
        }
        while (response.StatusCode == HttpStatusCode.NotFound && DateTime.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"message\":\"order 7\"}", await response.Content.ReadAsStringAsync());

        var inUse = await tower.Admin.DeleteAsync($"/api/secrets/{token}");
        Assert.Equal(HttpStatusCode.Conflict, inUse.StatusCode);
        Assert.Contains(auth, await inUse.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Secrets_are_write_only_and_a_put_without_value_keeps_it()
    {
        var reference = Unique("kept");
        Assert.Equal(HttpStatusCode.BadRequest, (await tower.Admin.PostAsJsonAsync("/api/secrets", new { reference, name = "Short", value = "1234567" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await tower.Admin.PostAsJsonAsync("/api/secrets", new { reference, name = "Kept", value = "a-long-secret-value" })).StatusCode);

        var renamed = await tower.Admin.PutAsJsonAsync($"/api/secrets/{reference}", new { name = "Kept renamed" });
        var read = await tower.Admin.GetStringAsync($"/api/secrets/{reference}");
        var list = await tower.Admin.GetStringAsync("/api/secrets?limit=500");

        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Contains("Kept renamed", read);
        Assert.DoesNotContain("a-long-secret-value", read + list);
        Assert.Equal(HttpStatusCode.NoContent, (await tower.Admin.DeleteAsync($"/api/secrets/{reference}")).StatusCode);
    }

    /// <summary>Every endpoint of the contract, with what root gets for this request (a missing record, an empty body).</summary>
    private static readonly (string Method, string Path, string? Body, bool ManagerMay, HttpStatusCode Root)[] Endpoints =
    [
        ("GET", "/api/authenticators", null, false, HttpStatusCode.OK),
        ("POST", "/api/authenticators", "{}", false, HttpStatusCode.BadRequest),
        ("GET", "/api/authenticators/no_such_record", null, false, HttpStatusCode.NotFound),
        ("PUT", "/api/authenticators/no_such_record", "{}", false, HttpStatusCode.NotFound),
        ("DELETE", "/api/authenticators/no_such_record", null, false, HttpStatusCode.NotFound),
        ("GET", "/api/webhooks", null, false, HttpStatusCode.OK),
        ("POST", "/api/webhooks", "{}", false, HttpStatusCode.BadRequest),
        ("GET", "/api/webhooks/no_such_record", null, false, HttpStatusCode.NotFound),
        ("PUT", "/api/webhooks/no_such_record", "{}", false, HttpStatusCode.NotFound),
        ("DELETE", "/api/webhooks/no_such_record", null, false, HttpStatusCode.NotFound),
        ("GET", "/api/webhook-logs", null, false, HttpStatusCode.OK),
        ("GET", "/api/webhook-logs/0193d3f1-0000-7000-8000-000000000000", null, false, HttpStatusCode.NotFound),
        ("GET", "/api/variables", null, true, HttpStatusCode.OK),
        ("POST", "/api/variables", "{}", true, HttpStatusCode.BadRequest),
        ("GET", "/api/variables/no_such_record", null, true, HttpStatusCode.NotFound),
        ("PUT", "/api/variables/no_such_record", "{}", true, HttpStatusCode.NotFound),
        ("DELETE", "/api/variables/no_such_record", null, true, HttpStatusCode.NotFound),
        ("GET", "/api/secrets", null, true, HttpStatusCode.OK),
        ("POST", "/api/secrets", "{}", true, HttpStatusCode.BadRequest),
        ("GET", "/api/secrets/no_such_record", null, true, HttpStatusCode.NotFound),
        ("PUT", "/api/secrets/no_such_record", "{}", true, HttpStatusCode.NotFound),
        ("DELETE", "/api/secrets/no_such_record", null, true, HttpStatusCode.NotFound),
        ("GET", "/api/webhooks/no_such_record/yaml", null, false, HttpStatusCode.NotFound),
        ("GET", "/api/authenticators/no_such_record/yaml", null, false, HttpStatusCode.NotFound),
        ("GET", "/api/yaml", null, false, HttpStatusCode.OK),
        ("POST", "/api/yaml?dry_run=true", "tower_yaml_version: 1\nrecords: []", false, HttpStatusCode.OK),
        ("GET", "/api/settings", null, false, HttpStatusCode.OK),
        ("PUT", "/api/settings", "{\"webhook_log_retention_days\": 0}", false, HttpStatusCode.BadRequest),
        ("GET", "/api/users", null, false, HttpStatusCode.OK),
        ("POST", "/api/users", "{}", false, HttpStatusCode.BadRequest),
        ("DELETE", "/api/users/no_such_user", null, false, HttpStatusCode.NotFound),
        ("POST", "/api/users/no_such_user/keys", null, false, HttpStatusCode.NotFound),
        ("GET", "/api/users/no_such_user/keys", null, false, HttpStatusCode.NotFound),
        ("DELETE", "/api/users/no_such_user/keys/0197a0c0-0000-7000-8000-000000000000", null, false, HttpStatusCode.NotFound),
        ("GET", "/api/audit", null, false, HttpStatusCode.OK),
    ];

    [Fact]
    public async Task Every_endpoint_answers_each_caller_as_the_access_table_says()
    {
        async Task<HttpClient> ClientFor(string group)
        {
            var created = await tower.Admin.PostAsJsonAsync("/api/users", new { login = Unique(group), group });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            return WithKey((string)(await created.Content.ReadFromJsonAsync<JsonObject>())!["api_key"]!);
        }

        HttpClient WithKey(string? key)
        {
            var client = new HttpClient { BaseAddress = tower.Admin.BaseAddress };
            if (key is not null)
            {
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }

            return client;
        }

        using var anonymous = WithKey(null);
        using var wrong = WithKey("tower_" + new string('0', 64));
        using var user = await ClientFor("user");
        using var manager = await ClientFor("manager");
        var mismatches = new List<string>();
        foreach (var (method, path, body, managerMay, root) in Endpoints)
        {
            foreach (var (caller, client, expected) in new[]
            {
                ("no key", anonymous, HttpStatusCode.Unauthorized),
                ("wrong key", wrong, HttpStatusCode.Unauthorized),
                ("user", user, HttpStatusCode.Forbidden),
                ("manager", manager, managerMay ? root : HttpStatusCode.Forbidden),
                ("root", tower.Admin, root),
            })
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (body is not null)
                {
                    request.Content = new StringContent(body, Encoding.UTF8, body.StartsWith('{') ? "application/json" : "application/yaml");
                }

                var status = (await client.SendAsync(request)).StatusCode;
                if (status != expected)
                {
                    mismatches.Add($"{method} {path} as {caller}: {(int)status}, expected {(int)expected}");
                }
            }
        }

        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    [Fact]
    public async Task The_last_root_and_a_run_as_user_cannot_be_deleted()
    {
        Assert.Equal(HttpStatusCode.Conflict, (await tower.Admin.DeleteAsync("/api/users/admin")).StatusCode);

        var login = Unique("runner");
        Assert.Equal(HttpStatusCode.Created, (await tower.Admin.PostAsJsonAsync("/api/users", new { login, group = "user" })).StatusCode);
        var auth = Unique("open");
        Assert.Equal(HttpStatusCode.Created, (await tower.Admin.PostAsJsonAsync("/api/authenticators", new { reference = auth, name = "Open" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await tower.Admin.PostAsJsonAsync("/api/webhooks",
            new { name = "Runs as", authenticator = auth, endpoint = "runs/" + login, run_as_user = login })).StatusCode);

        var refused = await tower.Admin.DeleteAsync($"/api/users/{login}");
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("runs_as", await refused.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_api_is_described_by_openapi_with_a_reference_page()
    {
        using var anonymous = new HttpClient { BaseAddress = tower.Admin.BaseAddress };

        var document = await anonymous.GetStringAsync("/openapi/v1.json");
        var page = await anonymous.GetAsync("/reference");

        Assert.Contains("\"/api/webhooks\"", document);
        Assert.Contains("\"/api/secrets/{reference}\"", document);
        Assert.DoesNotContain("/internal/", document);
        // Every endpoint and field of spec §10-§13, the bodies with examples.
        var paths = JsonNode.Parse(document)!["paths"]!.AsObject();
        Assert.Superset(new HashSet<string>
        {
            "/api/webhooks/{reference}/test", "/api/webhooks/{reference}/copy", "/api/authenticators/{reference}/copy",
            "/api/webhook-logs/{id}/replay", "/api/webhook-logs/replay", "/api/webhook-logs/{id}/retry", "/api/audit",
        }, paths.Select(pair => pair.Key).ToHashSet());
        foreach (var field in new[] { "rate_limit", "max_concurrency", "dedup", "response_mode", "retry", "verifier", "lockout", "secondary_secret" })
        {
            Assert.Contains($"\"{field}\"", document, StringComparison.Ordinal);
        }

        var example = paths["/api/webhooks"]!["post"]!["requestBody"]!["content"]!.AsObject().First().Value!["example"]!;
        Assert.Equal("async", (string)example["response_mode"]!);
        Assert.NotNull(paths["/api/webhooks/{reference}/test"]!["post"]!["requestBody"]!["content"]!.AsObject().First().Value!["example"]);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
    }
}
