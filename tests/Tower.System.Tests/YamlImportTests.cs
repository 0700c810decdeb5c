using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using YamlDotNet.Serialization;

namespace Tower.System.Tests;

[Collection(TowerSystemCollection.Name)]
public sealed class YamlImportTests(TowerSystem tower)
{
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    private string Ref(string stem) => $"{stem}_{_id}";

    private static Task<HttpResponseMessage> ImportAsync(HttpClient admin, string yaml, string query = "") =>
        admin.PostAsync("/api/yaml" + query, new StringContent(yaml, Encoding.UTF8, "application/yaml"));

    private static async Task<JsonObject> JsonAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonObject>())!;

    private static IEnumerable<string> References(JsonObject report, string list) =>
        report[list]!.AsArray().Select(item => $"{item!["model"]}:{item["reference"]}");

    private string Document(string webhookEndpoint, string allowedIps = "10.0.0.0/8") => $"""
        tower_yaml_version: 1
        records:
          - model: webhook
            reference: {Ref("push")}
            name: Push
            authenticator: {Ref("auth")}
            endpoint: {webhookEndpoint}
            variables: [{Ref("region")}]
            code: |
              result.message = "ok";
          - model: webhook_authenticator
            reference: {Ref("auth")}
            name: Auth
            allowed_ips: {allowedIps}
            secrets: [{Ref("token")}]
            code: |
              result.allowed = true;
          - model: variable
            reference: {Ref("region")}
            name: Region
            value: eu-west
          - model: secret
            reference: {Ref("token")}
            name: Token
            value: a-long-enough-secret
        """;

    [Fact]
    public async Task Export_all_then_import_into_an_empty_system_gives_identical_records()
    {
        await using var source = await EmptyAdmin.StartAsync(tower.AdminDatabase, tower.RabbitMQ);
        await using var target = await EmptyAdmin.StartAsync(tower.AdminDatabase, tower.RabbitMQ);
        Assert.Equal(HttpStatusCode.OK, (await ImportAsync(source.Client, Document("push/" + _id))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await source.Client.PostAsJsonAsync("/api/authenticators", new
        {
            reference = "second", name = "Second", trusted_proxy_ips = "10.1.0.0/16", variables = new[] { Ref("region") },
        })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await source.Client.PostAsJsonAsync("/api/webhooks", new
        {
            reference = "form_get", name = "Form", authenticator = "second", endpoint = "forms/get", method = "GET",
            payload_type = "form", enabled = false, timeout_ms = 2500, secrets = new[] { Ref("token") },
        })).StatusCode);
        var exported = await source.Client.GetStringAsync("/api/yaml");

        var secrets = new DeserializerBuilder().Build().Deserialize<Dictionary<string, List<Dictionary<string, object>>>>(
            exported.Replace("tower_yaml_version: 1\n", ""))["records"].Where(r => (string)r["model"] == "secret").ToList();
        Assert.Single(secrets);
        Assert.False(secrets[0].ContainsKey("value"));
        var refused = await ImportAsync(target.Client, exported);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains($"secret '{Ref("token")}'", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Created, (await target.Client.PostAsJsonAsync("/api/secrets",
            new { reference = Ref("token"), name = "Created first", value = "another-secret-value" })).StatusCode);
        var imported = await ImportAsync(target.Client, exported);

        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        var report = await JsonAsync(imported);
        Assert.Equal(5, report["created"]!.AsArray().Count);
        Assert.Equal([$"secret:{Ref("token")}"], References(report, "updated"));
        Assert.Equal(exported, await target.Client.GetStringAsync("/api/yaml"));
        foreach (var list in new[] { "/api/webhooks", "/api/authenticators", "/api/variables", "/api/secrets" })
        {
            Assert.Equal(WithoutTimes(await source.Client.GetStringAsync(list)), WithoutTimes(await target.Client.GetStringAsync(list)));
        }
    }

    private static string WithoutTimes(string json)
    {
        var list = JsonNode.Parse(json)!;
        foreach (var item in list["items"]!.AsArray())
        {
            item!.AsObject().Remove("created_at");
            item.AsObject().Remove("updated_at");
        }

        return list.ToJsonString();
    }

    [Fact]
    public async Task A_dry_run_reports_what_would_happen_and_writes_nothing()
    {
        var created = await ImportAsync(tower.Admin, Document("dry/" + _id), "?dry_run=true");

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var report = await JsonAsync(created);
        Assert.True((bool)report["dry_run"]!);
        Assert.Equal([$"variable:{Ref("region")}", $"secret:{Ref("token")}", $"webhook_authenticator:{Ref("auth")}", $"webhook:{Ref("push")}"],
            References(report, "created"));
        Assert.Equal(HttpStatusCode.NotFound, (await tower.Admin.GetAsync($"/api/webhooks/{Ref("push")}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await tower.Admin.GetAsync($"/api/variables/{Ref("region")}")).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await ImportAsync(tower.Admin, Document("dry/" + _id))).StatusCode);
        var updated = await JsonAsync(await ImportAsync(tower.Admin, Document("dry/" + _id, allowedIps: "192.0.2.0/24"), "?dry_run=true&if_exists=update"));

        Assert.Equal(4, References(updated, "updated").Count());
        Assert.Empty(report["skipped"]!.AsArray());
        Assert.Contains("10.0.0.0/8", await tower.Admin.GetStringAsync($"/api/authenticators/{Ref("auth")}"));
    }

    [Fact]
    public async Task One_invalid_record_rejects_the_document_with_every_error_listed()
    {
        var yaml = $"""
            tower_yaml_version: 1
            records:
              - model: variable
                reference: {Ref("fine")}
                name: Fine
                value: kept out
              - model: webhook_authenticator
                reference: {Ref("bad_auth")}
                name: Bad
                allowed_ips: 10.0.0.0/8, 300.1.1.1
                code: File.ReadAllText("/etc/passwd");
              - model: webhook
                reference: {Ref("bad_hook")}
                name: Bad hook
                authenticator: no_such_authenticator_{_id}
                endpoint: /leading/slash
                method: PUT
                timeout_ms: 50
                enabled: maybe
              - model: secret
                reference: {Ref("missing")}
                name: Not here
            """;

        var response = await ImportAsync(tower.Admin, yaml);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await JsonAsync(response))["errors"]!.AsObject();
        Assert.Contains("300.1.1.1", errors["records[1].allowed_ips"]!.ToJsonString());
        Assert.Contains("File", errors["records[1].code"]!.ToJsonString());
        Assert.Contains("maybe", errors["records[2].enabled"]!.ToJsonString());
        Assert.Contains($"no_such_authenticator_{_id}", errors["records[2].authenticator"]!.ToJsonString());
        Assert.Contains("/leading/slash", errors["records[2].endpoint"]!.ToJsonString());
        Assert.Contains("PUT", errors["records[2].method"]!.ToJsonString());
        Assert.Contains("50", errors["records[2].timeout_ms"]!.ToJsonString());
        Assert.Contains("create the secret first", errors["records[3].value"]!.ToJsonString());
        Assert.Equal(HttpStatusCode.NotFound, (await tower.Admin.GetAsync($"/api/variables/{Ref("fine")}")).StatusCode);
    }

    [Fact]
    public async Task If_exists_skips_updates_or_copies()
    {
        var endpoint = "modes/" + _id;
        Assert.Equal(HttpStatusCode.OK, (await ImportAsync(tower.Admin, Document(endpoint))).StatusCode);
        var changed = Document(endpoint, allowedIps: "192.0.2.0/24");

        var skipped = await JsonAsync(await ImportAsync(tower.Admin, changed, "?if_exists=skip"));
        Assert.Equal(4, References(skipped, "skipped").Count());
        Assert.Contains("10.0.0.0/8", await tower.Admin.GetStringAsync($"/api/authenticators/{Ref("auth")}"));

        var copies = await ImportAsync(tower.Admin, changed, "?if_exists=create");
        Assert.Equal(HttpStatusCode.BadRequest, copies.StatusCode);
        Assert.Contains($"already used by webhook '{Ref("push")}'", await copies.Content.ReadAsStringAsync());

        var copied = await JsonAsync(await ImportAsync(tower.Admin, Document("modes/" + _id + "/copy", allowedIps: "192.0.2.0/24"), "?if_exists=create"));
        var webhookCopy = copied["created"]!.AsArray().Single(r => (string)r!["model"]! == "webhook")!;
        Assert.Equal(Ref("push"), (string)webhookCopy["copy_of"]!);
        Assert.Equal(Ref("push") + "_2", (string)webhookCopy["reference"]!);
        var copy = await tower.Admin.GetFromJsonAsync<JsonObject>($"/api/webhooks/{Ref("push")}_2");
        Assert.Equal(Ref("auth") + "_2", (string)copy!["authenticator"]!);
        Assert.Equal(Ref("region") + "_2", (string)copy["variables"]![0]!);

        var updated = await JsonAsync(await ImportAsync(tower.Admin, changed, "?if_exists=update"));
        Assert.Equal(4, References(updated, "updated").Count());
        Assert.Contains("192.0.2.0/24", await tower.Admin.GetStringAsync($"/api/authenticators/{Ref("auth")}"));
    }

    [Theory]
    [InlineData("records: [", "yaml", "not valid YAML")]
    [InlineData("tower_yaml_version: 2\nrecords: []", "tower_yaml_version", "must be 1")]
    [InlineData("tower_yaml_version: 1\nrecords:\n  - model: cron_job\n    reference: x", "records[0].model", "cron_job")]
    [InlineData("tower_yaml_version: 1\nrecords:\n  - model: variable\n    name: X\n    value: y\n    colour: red", "records[0].colour", "colour")]
    [InlineData("tower_yaml_version: 1\nrecords:\n  - model: variable\n    reference: twice\n    name: X\n    value: y\n  - model: variable\n    reference: twice\n    name: Y\n    value: z",
        "records[1].reference", "already has a variable")]
    [InlineData("", "body", "no YAML document")]
    public async Task A_malformed_document_is_refused_with_its_problem(string yaml, string field, string message)
    {
        var response = await ImportAsync(tower.Admin, yaml);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(message, (await JsonAsync(response))["errors"]![field]!.ToJsonString());
    }

    [Fact]
    public async Task Bad_import_options_are_refused()
    {
        var yaml = "tower_yaml_version: 1\nrecords: []";

        var mode = await ImportAsync(tower.Admin, yaml, "?if_exists=replace");
        var dryRun = await ImportAsync(tower.Admin, yaml, "?dry_run=perhaps");

        Assert.Equal(HttpStatusCode.BadRequest, mode.StatusCode);
        Assert.Contains("replace", await mode.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, dryRun.StatusCode);
        Assert.Contains("perhaps", await dryRun.Content.ReadAsStringAsync());
    }
}
