using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Tower.System.Tests;

/// <summary>Request bodies are checked strictly (admin-api.md), and GET-modify-PUT still works (webhooks.md §14).</summary>
[Collection(TowerSystemCollection.Name)]
public sealed class AdminStrictBodyTests(TowerSystem tower)
{
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    private string Ref(string stem) => $"{stem}_{_id}";

    private Task<HttpResponseMessage> SendAsync(string method, string path, string body) =>
        tower.Admin.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent(body, Encoding.UTF8, "application/json") });

    /// <summary>The problem's messages for <paramref name="field"/>, after checking it is a 400 problem.</summary>
    private static async Task<string> ErrorsOfAsync(HttpResponseMessage response, string field)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = JsonNode.Parse(text)!["errors"]!.AsObject();
        Assert.True(errors.ContainsKey(field), $"No error for {field}: {errors.ToJsonString()}");
        return string.Join("\n", errors[field]!.AsArray().Select(message => (string)message!));
    }

    private async Task<string> AuthenticatorAsync()
    {
        var reference = Ref("auth");
        Assert.Equal(HttpStatusCode.Created, (await tower.Admin.PostAsJsonAsync("/api/authenticators", new { reference, name = "Auth" })).StatusCode);
        return reference;
    }

    [Fact]
    public async Task Malformed_json_is_refused_naming_its_position()
    {
        var response = await SendAsync("POST", "/api/webhooks", "{\"name\": ");

        var message = await ErrorsOfAsync(response, "body");
        Assert.Contains("not valid JSON", message);
        Assert.Contains("line 1, position 10", message);
        Assert.Contains("$.name", message);
    }

    [Fact]
    public async Task A_value_of_the_wrong_type_is_refused_naming_the_field()
    {
        var response = await SendAsync("POST", "/api/webhooks",
            $"{{\"reference\": \"{Ref("typed")}\", \"name\": \"Typed\", \"authenticator\": \"{await AuthenticatorAsync()}\", \"endpoint\": 5}}");

        Assert.Equal("endpoint must be a string.", await ErrorsOfAsync(response, "endpoint"));
        Assert.Equal(HttpStatusCode.NotFound, (await tower.Admin.GetAsync($"/api/webhooks/{Ref("typed")}")).StatusCode);
    }

    [Fact]
    public async Task A_misspelt_allowed_ips_is_refused_and_creates_no_authenticator()
    {
        var reference = Ref("open");
        var response = await SendAsync("POST", "/api/authenticators", $"{{\"reference\": \"{reference}\", \"name\": \"Open\", \"allowed_ip\": \"10.0.0.0/8\"}}");

        Assert.StartsWith("Unknown field", await ErrorsOfAsync(response, "allowed_ip"));
        Assert.Equal(HttpStatusCode.NotFound, (await tower.Admin.GetAsync($"/api/authenticators/{reference}")).StatusCode);
    }

    [Fact]
    public async Task An_ipv4_entry_with_a_leading_zero_is_refused_naming_it()
    {
        var reference = Ref("octal");
        var response = await tower.Admin.PostAsJsonAsync("/api/authenticators",
            new { reference, name = "Octal", allowed_ips = "10.0.0.0/8, 192.168.001.010", trusted_proxy_ips = "010.0.0.0/8" });

        var allowed = await ErrorsOfAsync(response, "allowed_ips");
        Assert.Contains("'192.168.001.010'", allowed);
        Assert.Contains("leading zero", allowed);
        Assert.DoesNotContain("'10.0.0.0/8'", allowed);
        Assert.Contains("'010.0.0.0/8'", await ErrorsOfAsync(response, "trusted_proxy_ips"));
        Assert.Equal(HttpStatusCode.NotFound, (await tower.Admin.GetAsync($"/api/authenticators/{reference}")).StatusCode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("\"text\"")]
    public async Task A_body_that_is_not_a_json_object_is_refused(string body)
    {
        var response = await SendAsync("POST", "/api/variables", body);

        Assert.Contains("must be a JSON object", await ErrorsOfAsync(response, "body"));
    }

    [Fact]
    public async Task Every_body_of_the_api_refuses_an_unknown_field_and_changes_nothing()
    {
        var auth = await AuthenticatorAsync();
        var login = Ref("keyed");
        Assert.Equal(HttpStatusCode.Created, (await tower.Admin.PostAsJsonAsync("/api/users", new { login, group = "user" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await tower.Admin.PostAsJsonAsync("/api/variables", new { reference = Ref("var"), name = "V", value = "v" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await tower.Admin.PostAsJsonAsync("/api/secrets", new { reference = Ref("sec"), name = "S", value = "secret-value" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await tower.Admin.PostAsJsonAsync("/api/webhooks",
            new { reference = Ref("hook"), name = "H", authenticator = auth, endpoint = $"strict/{_id}" })).StatusCode);
        var settings = await tower.Admin.GetStringAsync("/api/settings");
        var before = await StateAsync(auth);

        (string Method, string Path, string Body)[] requests =
        [
            ("POST", "/api/webhooks", $"{{\"name\": \"N\", \"authenticator\": \"{auth}\", \"endpoint\": \"strict/{_id}/new\", \"colour\": 1}}"),
            ("PUT", $"/api/webhooks/{Ref("hook")}", $"{{\"name\": \"Changed\", \"authenticator\": \"{auth}\", \"endpoint\": \"strict/{_id}\", \"colour\": 1}}"),
            ("POST", "/api/authenticators", "{\"name\": \"N\", \"colour\": 1}"),
            ("PUT", $"/api/authenticators/{auth}", "{\"name\": \"Changed\", \"colour\": 1}"),
            ("POST", "/api/variables", "{\"name\": \"N\", \"value\": \"v\", \"colour\": 1}"),
            ("PUT", $"/api/variables/{Ref("var")}", "{\"name\": \"Changed\", \"value\": \"w\", \"colour\": 1}"),
            ("POST", "/api/secrets", "{\"name\": \"N\", \"value\": \"secret-value\", \"colour\": 1}"),
            ("PUT", $"/api/secrets/{Ref("sec")}", "{\"name\": \"Changed\", \"colour\": 1}"),
            ("POST", "/api/users", $"{{\"login\": \"{Ref("nobody")}\", \"group\": \"user\", \"colour\": 1}}"),
            ("POST", $"/api/users/{login}/keys", "{\"colour\": 1}"),
            ("PUT", "/api/settings", "{\"webhook_log_retention_days\": 7, \"colour\": 1}"),
        ];
        foreach (var (method, path, body) in requests)
        {
            var response = await SendAsync(method, path, body);
            Assert.StartsWith("Unknown field", await ErrorsOfAsync(response, "colour"));
        }

        Assert.Equal(before, await StateAsync(auth));
        Assert.Equal(settings, await tower.Admin.GetStringAsync("/api/settings"));
        Assert.DoesNotContain(Ref("nobody"), await tower.Admin.GetStringAsync("/api/users?limit=500"));
    }

    /// <summary>What this test's records look like, to see that a refused request changed nothing.</summary>
    private async Task<string> StateAsync(string auth) => string.Join("\n",
        await tower.Admin.GetStringAsync($"/api/webhooks/{Ref("hook")}"),
        await tower.Admin.GetStringAsync($"/api/authenticators/{auth}"),
        await tower.Admin.GetStringAsync($"/api/variables/{Ref("var")}"),
        await tower.Admin.GetStringAsync($"/api/secrets/{Ref("sec")}"),
        await tower.Admin.GetStringAsync($"/api/webhooks?limit=500"),
        await tower.Admin.GetStringAsync($"/api/authenticators?limit=500"),
        await tower.Admin.GetStringAsync($"/api/variables?limit=500"),
        await tower.Admin.GetStringAsync($"/api/secrets?limit=500"));

    [Fact]
    public async Task A_key_is_created_with_no_body_or_an_empty_object()
    {
        var login = Ref("keys");
        Assert.Equal(HttpStatusCode.Created, (await tower.Admin.PostAsJsonAsync("/api/users", new { login, group = "user" })).StatusCode);

        Assert.Equal(HttpStatusCode.Created, (await tower.Admin.PostAsync($"/api/users/{login}/keys", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await SendAsync("POST", $"/api/users/{login}/keys", "{}")).StatusCode);
    }

    [Theory]
    [InlineData("webhooks")]
    [InlineData("authenticators")]
    [InlineData("variables")]
    [InlineData("secrets")]
    public async Task What_a_get_shows_can_be_put_back_with_a_change(string kind)
    {
        var reference = Ref(kind);
        object body = kind switch
        {
            "webhooks" => new { reference, name = "Before", authenticator = await AuthenticatorAsync(), endpoint = $"roundtrip/{_id}" },
            "authenticators" => new { reference, name = "Before", allowed_ips = "10.0.0.0/8" },
            "variables" => new { reference, name = "Before", value = "v" },
            _ => new { reference, name = "Before", value = "secret-value" },
        };
        Assert.Equal(HttpStatusCode.Created, (await tower.Admin.PostAsJsonAsync($"/api/{kind}", body)).StatusCode);

        var shown = (await tower.Admin.GetFromJsonAsync<JsonObject>($"/api/{kind}/{reference}"))!;
        Assert.True(shown.ContainsKey("created_at") && shown.ContainsKey("updated_by"), shown.ToJsonString());
        shown["name"] = "After";
        var replaced = await tower.Admin.PutAsJsonAsync($"/api/{kind}/{reference}", shown);

        Assert.True(replaced.StatusCode == HttpStatusCode.OK, await replaced.Content.ReadAsStringAsync());
        Assert.Equal("After", (string)(await tower.Admin.GetFromJsonAsync<JsonObject>($"/api/{kind}/{reference}"))!["name"]!);
    }

    [Fact]
    public async Task Unknown_query_parameters_are_ignored()
    {
        Assert.Equal(HttpStatusCode.OK, (await tower.Admin.GetAsync("/api/webhooks?limit=5&colour=blue")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await tower.Admin.GetAsync("/api/variables?sort=name")).StatusCode);
    }
}
