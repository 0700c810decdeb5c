using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Tower.System.Tests;

/// <summary>
/// What a platform team deploys (webhooks.md §9, least privilege): each process gets only the
/// credentials it uses, nothing listens beyond loopback but the gateway where it is told to,
/// the gateway serves HTTPS and HTTP/2, and no answer on any port carries a stack trace.
/// </summary>
[Collection(DeployedTowerSystemCollection.Name)]
public sealed partial class DeploymentTests(DeployedTowerSystem tower)
{
    private static readonly string[] Services = ["gateway", "admin", "auth", "executor", "logging"];
    private static readonly string[] Servers = ["postgres", "rabbitmq", "rabbitmq-epmd"];

    [Fact]
    public void The_launchers_variables_reach_no_process_and_its_keys_reach_admin_alone()
    {
        var rootKey = tower.LauncherVariables["TOWER_ROOT_API_KEY"];
        var secretsKey = tower.LauncherVariables["TOWER_SECRETS_KEY"];
        foreach (var resource in Services.Concat(Servers))
        {
            var environment = ProcFs.Environment(tower.ProcessId(resource));
            foreach (var name in tower.LauncherVariables.Keys)
            {
                Assert.False(environment.ContainsKey(name), $"{resource} inherited the launcher's {name}.");
            }

            string[] holdingRootKey = resource == "admin" ? ["Admin__RootApiKey"] : [];
            string[] holdingSecretsKey = resource == "admin" ? ["Admin__SecretsKey"] : [];
            Assert.Equal(holdingRootKey, environment.Where(variable => variable.Value.Contains(rootKey, StringComparison.Ordinal)).Select(variable => variable.Key));
            Assert.Equal(holdingSecretsKey, environment.Where(variable => variable.Value.Contains(secretsKey, StringComparison.Ordinal)).Select(variable => variable.Key));

            var credentials = environment.Keys.Where(name => name.StartsWith("ConnectionStrings__", StringComparison.Ordinal) || name == "Tower__ServiceKey").Order(StringComparer.Ordinal);
            string[] expected = resource switch
            {
                "admin" => ["ConnectionStrings__admindb", "ConnectionStrings__rabbitmq", "Tower__ServiceKey"],
                "logging" => ["ConnectionStrings__loggingdb", "ConnectionStrings__rabbitmq", "Tower__ServiceKey"],
                "gateway" => ["ConnectionStrings__rabbitmq", "Tower__ServiceKey"],
                "auth" or "executor" => ["Tower__ServiceKey"],
                _ => [],
            };
            Assert.Equal(expected, credentials);
        }
    }

    [Fact]
    public void Services_run_as_production_hosts_with_the_diagnostics_channel_closed()
    {
        // The tests' own process keeps its channel: the check below can see one.
        Assert.Contains(ProcFs.UnixSocketPaths(Environment.ProcessId), path => path.Contains("dotnet-diagnostic-", StringComparison.Ordinal));
        foreach (var service in Services)
        {
            var pid = tower.ProcessId(service);
            var environment = ProcFs.Environment(pid);
            Assert.Equal("Production", environment["DOTNET_ENVIRONMENT"]);
            Assert.Equal("Production", environment["ASPNETCORE_ENVIRONMENT"]);
            Assert.Equal("0", environment["DOTNET_EnableDiagnostics"]);
            Assert.DoesNotContain(ProcFs.UnixSocketPaths(pid), path => path.Contains("dotnet-diagnostic-", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Nothing_listens_beyond_loopback_and_the_gateway_listens_on_its_own_address()
    {
        foreach (var resource in Services.Concat(Servers))
        {
            var endpoints = ProcFs.ListeningEndpoints(tower.ProcessId(resource));
            Assert.NotEmpty(endpoints);
            Assert.All(endpoints, endpoint => Assert.True(ProcFs.IsLoopback(endpoint.Address), $"{resource} listens on {endpoint}."));
            if (resource == "gateway")
            {
                Assert.All(endpoints, endpoint => Assert.Equal(IPAddress.Parse(DeployedTowerSystem.GatewayAddress), endpoint.Address));
            }
        }

        // The broker listens twice: AMQP, and the Erlang distribution port that rabbitmqctl uses.
        Assert.Equal(2, ProcFs.ListeningEndpoints(tower.ProcessId("rabbitmq")).Count);
    }

    [Fact]
    public async Task The_gateway_answers_over_https_with_http2()
    {
        var (endpoint, fullUrl) = await WebhookAsync("https", withSecret: false);

        using var response = await tower.Gateway.PostAsync($"/cetmix_tower_webhooks/{endpoint}", JsonBody("{\"id\": 7}"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal("https", tower.Gateway.BaseAddress!.Scheme);
        Assert.StartsWith("https://localhost:", fullUrl, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_payload_repeating_a_name_is_refused_as_invalid_json_with_one_record()
    {
        var (endpoint, _) = await WebhookAsync("repeated", withSecret: true);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/cetmix_tower_webhooks/{endpoint}") { Content = JsonBody("{\"a\": 1, \"a\": 2}") };
        request.Headers.Add("X-Caller-Header", "visible-to-nobody");

        using var response = await tower.Gateway.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Invalid JSON payload", (string?)JsonNode.Parse(body)?["message"]);
        Assert.DoesNotContain("visible-to-nobody", body, StringComparison.Ordinal);
        var callId = response.Headers.GetValues("X-Tower-Call-Id").Single();
        var records = await RecordsAsync(endpoint);
        var record = Assert.Single(records)!;
        Assert.Equal(callId, (string?)record["id"]);
        Assert.Equal(400, (int?)record["http_status"]);
    }

    /// <summary>
    /// Requests that make each service fail, bind nothing or throw: a NUL in a call-log filter
    /// (PostgreSQL refuses it), malformed bodies on every internal and public API, a repeated JSON
    /// name at the gateway. Whatever the status, no answer shows code.
    /// </summary>
    [Fact]
    public async Task No_answer_on_any_port_carries_a_stack_trace()
    {
        var serviceKey = await tower.ServiceKeyAsync();
        var (endpoint, _) = await WebhookAsync("probe", withSecret: true);
        var probes = new List<(string Service, HttpClient Client, HttpRequestMessage Request)>();
        HttpClient Internal(string service)
        {
            var client = new HttpClient { BaseAddress = tower.Endpoint(service) };
            client.DefaultRequestHeaders.Add("X-Tower-Service-Key", serviceKey);
            return client;
        }

        using var logging = Internal("logging");
        using var auth = Internal("auth");
        using var admin = Internal("admin");
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tower.RootApiKey);
        probes.Add(("logging", logging, new HttpRequestMessage(HttpMethod.Get, "/internal/calls?webhook=%00")));
        probes.Add(("logging", logging, new HttpRequestMessage(HttpMethod.Put, "/internal/settings/") { Content = JsonBody("{\"webhook_log_retention_days\": ") }));
        probes.Add(("auth", auth, new HttpRequestMessage(HttpMethod.Post, "/internal/run") { Content = JsonBody("{\"call_id\": ") }));
        probes.Add(("admin", admin, new HttpRequestMessage(HttpMethod.Get, "/api/webhook-logs?webhook=%00")));
        probes.Add(("admin", admin, new HttpRequestMessage(HttpMethod.Post, "/api/webhooks") { Content = JsonBody("{\"name\": ") }));
        probes.Add(("admin", admin, new HttpRequestMessage(HttpMethod.Get, "/internal/scripts/%00")));
        probes.Add(("gateway", tower.Gateway, new HttpRequestMessage(HttpMethod.Post, $"/cetmix_tower_webhooks/{endpoint}") { Content = JsonBody("{\"a\": 1, \"a\": 2}") }));

        foreach (var (service, client, request) in probes)
        {
            using (request)
            using (var response = await client.SendAsync(request))
            {
                var body = await response.Content.ReadAsStringAsync();
                var probe = $"{service} {request.Method} {request.RequestUri} answered {(int)response.StatusCode}: {body}";
                Assert.False(StackTrace().IsMatch(body), probe);
                Assert.DoesNotContain(".cs:line", body, StringComparison.Ordinal);
                Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
            }
        }
    }

    private async Task<(string Endpoint, string FullUrl)> WebhookAsync(string name, bool withSecret)
    {
        var id = Guid.NewGuid().ToString("N")[..10];
        var secrets = withSecret ? new[] { "deployed_" + id } : [];
        if (withSecret)
        {
            Assert.True((await tower.Admin.PostAsJsonAsync("/api/secrets",
                new { reference = secrets[0], name = "Deployed " + id, value = "deployed-secret-" + id })).IsSuccessStatusCode);
        }

        Assert.True((await tower.Admin.PostAsJsonAsync("/api/authenticators",
            new { reference = "deployed_" + id, name = "Deployed " + id, secrets })).IsSuccessStatusCode);
        var created = await tower.Admin.PostAsJsonAsync("/api/webhooks", new
        {
            reference = "deployed_hook_" + id, name = "Deployed " + name, authenticator = "deployed_" + id,
            endpoint = $"deployed/{name}/{id}", secrets, code = "result.message = \"ok\";",
        });
        var webhook = JsonNode.Parse(await created.Content.ReadAsStringAsync());
        Assert.True(created.StatusCode == HttpStatusCode.Created, webhook?.ToJsonString());

        // A new webhook reaches the gateway through a change event.
        var path = $"/cetmix_tower_webhooks/deployed/{name}/{id}";
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await tower.Gateway.PostAsync(path, JsonBody("{}"))).StatusCode == HttpStatusCode.NotFound)
        {
            Assert.True(DateTime.UtcNow < deadline, "The webhook never became callable.");
            await Task.Delay(100);
        }

        return ($"deployed/{name}/{id}", (string)webhook!["full_url"]!);
    }

    /// <summary>The call records of one endpoint answered 400, once one is stored.</summary>
    private async Task<JsonArray> RecordsAsync(string endpoint)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var page = JsonNode.Parse(await tower.Admin.GetStringAsync($"/api/webhook-logs?endpoint={Uri.EscapeDataString(endpoint)}&http_status=400"))!;
            var items = page["items"]!.AsArray();
            if (items.Count > 0 || DateTime.UtcNow > deadline)
            {
                return items;
            }

            await Task.Delay(200);
        }
    }

    private static StringContent JsonBody(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>A frame of a .NET stack trace: "   at Namespace.Type.Method(".</summary>
    [GeneratedRegex(@"^\s*at \S+\(", RegexOptions.Multiline)]
    private static partial Regex StackTrace();
}
