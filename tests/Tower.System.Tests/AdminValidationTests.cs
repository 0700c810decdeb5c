using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Tower.System.Tests;

/// <summary>Each save-time rule of the Admin API, through the API, against the real database.</summary>
[Collection(TowerSystemCollection.Name)]
public sealed class AdminValidationTests(TowerSystem tower)
{
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    private string Ref(string stem) => $"{stem}_{_id}";

    private async Task<string> AuthenticatorAsync()
    {
        var reference = Ref("auth");
        if ((await tower.Admin.GetAsync($"/api/authenticators/{reference}")).StatusCode == HttpStatusCode.NotFound)
        {
            Assert.Equal(HttpStatusCode.Created, (await tower.Admin.PostAsJsonAsync("/api/authenticators", new { reference, name = "Auth" })).StatusCode);
        }

        return reference;
    }

    /// <summary>The problem's messages for <paramref name="field"/>, after checking it is a 400 problem.</summary>
    private static async Task<string> ErrorsOfAsync(HttpResponseMessage response, string field)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]!.AsObject();
        Assert.True(errors.ContainsKey(field), $"No error for {field}: {errors.ToJsonString()}");
        return string.Join("\n", errors[field]!.AsArray().Select(message => (string)message!));
    }

    [Fact]
    public async Task A_webhook_takes_every_default_and_its_full_url()
    {
        var created = await tower.Admin.PostAsJsonAsync("/api/webhooks", new { name = $"Defaults {_id}", authenticator = await AuthenticatorAsync(), endpoint = $"defaults/{_id}" });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var webhook = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal($"defaults_{_id}", (string)webhook["reference"]!);
        Assert.Equal($"/api/webhooks/defaults_{_id}", created.Headers.Location?.OriginalString);
        Assert.True((bool)webhook["enabled"]!);
        Assert.Equal("POST", (string)webhook["method"]!);
        Assert.Equal("json", (string)webhook["payload_type"]!);
        Assert.Equal("admin", (string)webhook["run_as_user"]!);
        Assert.Equal(10000, (int)webhook["timeout_ms"]!);
        Assert.Equal("", (string)webhook["code"]!);
        Assert.Empty(webhook["variables"]!.AsArray());
        Assert.Empty(webhook["secrets"]!.AsArray());
        Assert.Equal($"http://localhost:", ((string)webhook["full_url"]!)[..17]);
        Assert.EndsWith($"/cetmix_tower_webhooks/defaults/{_id}", (string)webhook["full_url"]!);
        Assert.Equal("admin", (string)webhook["created_by"]!);
        Assert.Equal("admin", (string)webhook["updated_by"]!);
    }

    [Fact]
    public async Task A_reference_is_generated_from_the_name_with_a_suffix_on_collision()
    {
        var first = await tower.Admin.PostAsJsonAsync("/api/variables", new { name = $"Shop Region {_id}!", value = "a" });
        var second = await tower.Admin.PostAsJsonAsync("/api/variables", new { name = $"shop region {_id}", value = "b" });
        var invalid = await tower.Admin.PostAsJsonAsync("/api/variables", new { reference = "Shop-Region", name = "X", value = "c" });
        var taken = await tower.Admin.PostAsJsonAsync("/api/variables", new { reference = $"shop_region_{_id}", name = "X", value = "d" });

        Assert.Equal($"shop_region_{_id}", (string)(await first.Content.ReadFromJsonAsync<JsonObject>())!["reference"]!);
        Assert.Equal($"shop_region_{_id}_2", (string)(await second.Content.ReadFromJsonAsync<JsonObject>())!["reference"]!);
        Assert.Contains("Shop-Region", await ErrorsOfAsync(invalid, "reference"));
        Assert.Contains("already exists", await ErrorsOfAsync(taken, "reference"));
    }

    [Theory]
    [InlineData("/leading")]
    [InlineData("trailing/")]
    [InlineData("double//slash")]
    [InlineData("per%20cent")]
    [InlineData("_underscore_first")]
    [InlineData("")]
    public async Task An_invalid_endpoint_is_refused(string endpoint)
    {
        var response = await tower.Admin.PostAsJsonAsync("/api/webhooks", new { name = "Bad endpoint", authenticator = await AuthenticatorAsync(), endpoint });

        Assert.Contains($"'{endpoint}' is not a valid endpoint", await ErrorsOfAsync(response, "endpoint"));
    }

    [Fact]
    public async Task An_endpoint_and_method_pair_is_unique_even_against_a_disabled_webhook()
    {
        var endpoint = $"unique/{_id}";
        var auth = await AuthenticatorAsync();
        Assert.Equal(HttpStatusCode.Created, (await tower.Admin.PostAsJsonAsync("/api/webhooks",
            new { reference = Ref("holder"), name = "Holder", authenticator = auth, endpoint, enabled = false })).StatusCode);

        var clash = await tower.Admin.PostAsJsonAsync("/api/webhooks", new { name = "Clash", authenticator = auth, endpoint });
        var otherMethod = await tower.Admin.PostAsJsonAsync("/api/webhooks", new { reference = Ref("getter"), name = "Getter", authenticator = auth, endpoint, method = "GET" });
        var moved = await tower.Admin.PutAsJsonAsync($"/api/webhooks/{Ref("getter")}", new { name = "Getter", authenticator = auth, endpoint, method = "POST" });
        var kept = await tower.Admin.PutAsJsonAsync($"/api/webhooks/{Ref("holder")}", new { name = "Holder renamed", authenticator = auth, endpoint, enabled = false });

        Assert.Contains($"POST {endpoint} is already used by webhook '{Ref("holder")}'", await ErrorsOfAsync(clash, "endpoint"));
        Assert.Equal(HttpStatusCode.Created, otherMethod.StatusCode);
        Assert.Contains(Ref("holder"), await ErrorsOfAsync(moved, "endpoint"));
        Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
    }

    [Theory]
    [InlineData("method", "PUT", "'PUT' is not a method")]
    [InlineData("method", "post", "'post' is not a method")]
    [InlineData("payload_type", "xml", "'xml' is not a payload type")]
    [InlineData("payload_type", "JSON", "'JSON' is not a payload type")]
    [InlineData("run_as_user", "nobody_here", "no user with login 'nobody_here'")]
    [InlineData("authenticator", "no_such_auth", "no authenticator with reference 'no_such_auth'")]
    public async Task A_webhook_field_with_an_unknown_value_is_refused(string field, string value, string message)
    {
        var body = new JsonObject { ["name"] = "Bad", ["authenticator"] = await AuthenticatorAsync(), ["endpoint"] = $"fields/{_id}", [field] = value };

        var response = await tower.Admin.PostAsJsonAsync("/api/webhooks", body);

        Assert.Contains(message, await ErrorsOfAsync(response, field));
    }

    [Theory]
    [InlineData(99, false)]
    [InlineData(100, true)]
    [InlineData(30000, true)]
    [InlineData(30001, false)]
    public async Task The_timeout_is_between_100_and_30000_ms(int timeout, bool valid)
    {
        var response = await tower.Admin.PostAsJsonAsync("/api/webhooks",
            new { name = $"Timeout {timeout}", authenticator = await AuthenticatorAsync(), endpoint = $"timeout/{_id}/{timeout}", timeout_ms = timeout });

        if (valid)
        {
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }
        else
        {
            Assert.Contains($"{timeout} is outside 100–30000 ms", await ErrorsOfAsync(response, "timeout_ms"));
        }
    }

    [Fact]
    public async Task Every_invalid_ip_entry_is_named_by_its_text()
    {
        var response = await tower.Admin.PostAsJsonAsync("/api/authenticators", new
        {
            name = "Bad IPs", allowed_ips = "10.0.0.0/8, 10.0.0.0/33, example.com, ::1", trusted_proxy_ips = "192.168.1.300",
        });

        var allowed = await ErrorsOfAsync(response, "allowed_ips");
        Assert.Contains("'10.0.0.0/33'", allowed);
        Assert.Contains("'example.com'", allowed);
        Assert.DoesNotContain("::1", allowed);
        Assert.Contains("'192.168.1.300'", await ErrorsOfAsync(response, "trusted_proxy_ips"));
    }

    [Fact]
    public async Task Unknown_variables_and_secrets_are_named()
    {
        var response = await tower.Admin.PostAsJsonAsync("/api/webhooks", new
        {
            name = "Links", authenticator = await AuthenticatorAsync(), endpoint = $"links/{_id}",
            variables = new[] { "no_such_variable" }, secrets = new[] { "no_such_secret" },
        });

        Assert.Contains("no_such_variable", await ErrorsOfAsync(response, "variables"));
        Assert.Contains("no_such_secret", await ErrorsOfAsync(response, "secrets"));
    }

    [Theory]
    [InlineData("result.message = 1 +;", "line 1, column")]
    [InlineData("var x = 1;\nSystem.IO.File.Delete(\"/etc/passwd\");", "line 2, column")]
    [InlineData("System.Diagnostics.Process.Start(\"sh\");", "line 1, column")]
    [InlineData("var e = System.Environment.GetEnvironmentVariable(\"HOME\");", "line 1, column")]
    public async Task Code_that_does_not_compile_or_uses_forbidden_apis_is_refused_with_its_position(string code, string position)
    {
        var webhook = await tower.Admin.PostAsJsonAsync("/api/webhooks", new { name = "Code", authenticator = await AuthenticatorAsync(), endpoint = $"code/{_id}", code });
        var authenticator = await tower.Admin.PostAsJsonAsync("/api/authenticators", new { name = "Code", code });

        Assert.Contains(position, await ErrorsOfAsync(webhook, "code"));
        Assert.Contains(position, await ErrorsOfAsync(authenticator, "code"));
    }

    [Fact]
    public async Task A_problem_lists_every_bad_field_at_once()
    {
        var response = await tower.Admin.PostAsJsonAsync("/api/webhooks", new { endpoint = "/x", method = "PATCH", timeout_ms = 5 });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject();
        Assert.Equal(["authenticator", "endpoint", "method", "name", "timeout_ms"], errors.Select(e => e.Key).Order());
    }

    [Fact]
    public async Task Deleting_what_is_in_use_names_its_users_and_changes_nothing()
    {
        var auth = await AuthenticatorAsync();
        Assert.Equal(HttpStatusCode.Created, (await tower.Admin.PostAsJsonAsync("/api/variables", new { reference = Ref("used"), name = "Used", value = "v" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await tower.Admin.PostAsJsonAsync("/api/webhooks",
            new { reference = Ref("user_a"), name = "A", authenticator = auth, endpoint = $"inuse/{_id}/a", variables = new[] { Ref("used") } })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await tower.Admin.PostAsJsonAsync("/api/webhooks",
            new { reference = Ref("user_b"), name = "B", authenticator = auth, endpoint = $"inuse/{_id}/b" })).StatusCode);

        var authenticator = await tower.Admin.DeleteAsync($"/api/authenticators/{auth}");
        var variable = await tower.Admin.DeleteAsync($"/api/variables/{Ref("used")}");

        Assert.Equal(HttpStatusCode.Conflict, authenticator.StatusCode);
        var detail = await authenticator.Content.ReadAsStringAsync();
        Assert.Contains(Ref("user_a"), detail);
        Assert.Contains(Ref("user_b"), detail);
        Assert.Equal(HttpStatusCode.Conflict, variable.StatusCode);
        Assert.Contains($"webhook {Ref("user_a")}", await variable.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await tower.Admin.GetAsync($"/api/authenticators/{auth}")).StatusCode);
    }

    [Fact]
    public async Task A_replacement_resets_omitted_fields_and_records_who_changed_it()
    {
        var auth = await AuthenticatorAsync();
        var reference = Ref("replaced");
        Assert.Equal(HttpStatusCode.Created, (await tower.Admin.PostAsJsonAsync("/api/webhooks",
            new { reference, name = "Before", authenticator = auth, endpoint = $"replace/{_id}", method = "GET", timeout_ms = 500 })).StatusCode);
        var login = Ref("editor");
        var user = await tower.Admin.PostAsJsonAsync("/api/users", new { login, group = "root" });
        using var editor = new HttpClient { BaseAddress = tower.Admin.BaseAddress };
        editor.DefaultRequestHeaders.Authorization = new("Bearer", (string)(await user.Content.ReadFromJsonAsync<JsonObject>())!["api_key"]!);

        var replaced = await editor.PutAsJsonAsync($"/api/webhooks/{reference}", new { name = "After", authenticator = auth, endpoint = $"replace/{_id}" });

        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        var webhook = (await replaced.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("POST", (string)webhook["method"]!);
        Assert.Equal(10000, (int)webhook["timeout_ms"]!);
        Assert.Equal("admin", (string)webhook["created_by"]!);
        Assert.Equal(login, (string)webhook["updated_by"]!);
        Assert.True((DateTime)webhook["updated_at"]! > (DateTime)webhook["created_at"]!);
    }

    [Theory]
    [InlineData("{\"login\": \"Upper\", \"group\": \"user\"}", "login")]
    [InlineData("{\"login\": \"ok_login\", \"group\": \"admin\"}", "group")]
    [InlineData("{\"group\": \"user\"}", "login")]
    public async Task A_user_needs_a_valid_login_and_group(string body, string field)
    {
        var response = await tower.Admin.PostAsync("/api/users", new StringContent(body, Encoding.UTF8, "application/json"));

        await ErrorsOfAsync(response, field);
    }

    [Fact]
    public async Task A_user_key_is_shown_once_and_works()
    {
        var login = Ref("keyed");
        var created = await tower.Admin.PostAsJsonAsync("/api/users", new { login, group = "manager" });
        var again = await tower.Admin.PostAsJsonAsync("/api/users", new { login, group = "manager" });
        var second = await tower.Admin.PostAsJsonAsync($"/api/users/{login}/keys", new { });
        var list = await tower.Admin.GetStringAsync("/api/users?limit=500");

        string[] keys = [(string)(await created.Content.ReadFromJsonAsync<JsonObject>())!["api_key"]!, (string)(await second.Content.ReadFromJsonAsync<JsonObject>())!["api_key"]!];
        Assert.Contains("already exists", await ErrorsOfAsync(again, "login"));
        Assert.DoesNotContain(keys[0], list);
        Assert.NotEqual(keys[0], keys[1]);
        foreach (var key in keys)
        {
            using var client = new HttpClient { BaseAddress = tower.Admin.BaseAddress };
            client.DefaultRequestHeaders.Authorization = new("Bearer", key);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/variables")).StatusCode);
        }
    }
}
