using System.Net;
using System.Net.Http.Json;
using YamlDotNet.Serialization;

namespace Tower.System.Tests;

[Collection(TowerSystemCollection.Name)]
public sealed class YamlExportTests(TowerSystem tower)
{
    [Fact]
    public async Task A_webhook_exports_with_its_authenticator_variables_and_secret_references()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        string Ref(string stem) => $"{stem}_{id}";
        Assert.Equal(HttpStatusCode.Created, (await tower.Admin.PostAsJsonAsync("/api/variables", new { reference = Ref("region"), name = "Region", value = "eu-west" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await tower.Admin.PostAsJsonAsync("/api/secrets", new { reference = Ref("gh"), name = "GitHub secret", value = "never-exported-value" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await tower.Admin.PostAsJsonAsync("/api/authenticators", new
        {
            reference = Ref("github_auth"), name = "GitHub", allowed_ips = "192.30.252.0/22, 185.199.108.0/22", secrets = new[] { Ref("gh") },
            code = "var ok = true;\nresult.allowed = ok;",
        })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await tower.Admin.PostAsJsonAsync("/api/webhooks", new
        {
            reference = Ref("github_push"), name = "GitHub push", authenticator = Ref("github_auth"), endpoint = $"github/{id}/push",
            variables = new[] { Ref("region") }, code = "result.message = \"ok\";",
        })).StatusCode);

        var response = await tower.Admin.GetAsync($"/api/webhooks/{Ref("github_push")}/yaml");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/yaml", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("never-exported-value", text);
        Assert.Contains("code: |", text);
        Assert.DoesNotContain("&", text);
        var document = new DeserializerBuilder().Build().Deserialize<Dictionary<string, object>>(text);
        Assert.Equal("1", document["tower_yaml_version"]);
        var records = ((List<object>)document["records"]).Cast<Dictionary<object, object>>().ToList();
        Assert.Equal(["variable", "secret", "webhook_authenticator", "webhook"], records.Select(r => (string)r["model"]));
        Assert.Equal(Ref("region"), records[0]["reference"]);
        Assert.Equal("eu-west", records[0]["value"]);
        Assert.False(records[1].ContainsKey("value"));
        Assert.Equal("var ok = true;\nresult.allowed = ok;", records[2]["code"]);
        Assert.Equal($"github/{id}/push", records[3]["endpoint"]);
        Assert.Equal("POST", records[3]["method"]);
        Assert.Equal("10000", records[3]["timeout_ms"]);
    }

    [Fact]
    public async Task Exporting_an_unknown_webhook_names_it()
    {
        var missing = await tower.Admin.GetAsync("/api/yaml?webhooks=no_such_webhook");
        var notFound = await tower.Admin.GetAsync("/api/webhooks/no_such_webhook/yaml");

        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("no_such_webhook", await missing.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await tower.Admin.GetAsync("/api/yaml")).StatusCode);
    }
}
