using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Tower.System.Tests;

/// <summary>Copies of webhooks and authenticators from the Admin API.</summary>
[Collection(TowerSystemCollection.Name)]
public sealed class CopyTests(TowerSystem tower)
{
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    private async Task<JsonObject> CopyAsync(string path)
    {
        using var response = await tower.Admin.PostAsync(path, null);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    [Fact]
    public async Task A_copied_webhook_is_disabled_with_a_new_reference_and_a_free_endpoint()
    {
        var reference = "copied_" + _id;
        await tower.CreateAsync("/api/authenticators", new { reference, name = reference });
        await tower.CreateAsync("/api/webhooks", new
        {
            reference, name = "Orders", authenticator = reference, endpoint = $"copies/{_id}", code = "result.message = \"original\";",
            rate_limit = new { requests = 5, per_seconds = 60 },
        });

        var first = await CopyAsync($"/api/webhooks/{reference}/copy");
        var second = await CopyAsync($"/api/webhooks/{reference}/copy");

        Assert.Equal((reference + "_copy", "Orders (copy)", false, $"copies/{_id}-copy"),
            ((string)first["reference"]!, (string)first["name"]!, (bool)first["enabled"]!, (string)first["endpoint"]!));
        Assert.Equal((reference + "_copy_2", $"copies/{_id}-copy-2"), ((string)second["reference"]!, (string)second["endpoint"]!));
        Assert.Equal(("result.message = \"original\";", 5), ((string)first["code"]!, (int)first["rate_limit"]!["requests"]!));
        Assert.True((bool)(await tower.Admin.GetFromJsonAsync<JsonObject>($"/api/webhooks/{reference}"))!["enabled"]!);
        Assert.Equal(HttpStatusCode.NotFound, (await tower.Admin.PostAsync("/api/webhooks/no_such_webhook_copy/copy", null)).StatusCode);
        var trail = await tower.Admin.GetFromJsonAsync<JsonObject>("/api/audit?limit=50");
        Assert.Contains(trail!["items"]!.AsArray(), item => (string)item!["reference"]! == reference + "_copy" && (string)item["action"]! == "create");
    }

    [Fact]
    public async Task A_copied_authenticator_keeps_everything_but_its_reference_and_name()
    {
        var reference = "copied_auth_" + _id;
        var secret = "copied_secret_" + _id;
        await tower.CreateAsync("/api/secrets", new { reference = secret, name = secret, value = "copied-secret-value-" + _id });
        await tower.CreateAsync("/api/authenticators", new
        {
            reference, name = "Shop", allowed_ips = "10.0.0.0/8", code = "result.allowed = true;", verifier = new { kind = "github", secret },
            lockout = new { failures = 3, window_seconds = 60, block_seconds = 60 },
        });

        var copy = await CopyAsync($"/api/authenticators/{reference}/copy");

        Assert.Equal((reference + "_copy", "Shop (copy)", "10.0.0.0/8", "result.allowed = true;"),
            ((string)copy["reference"]!, (string)copy["name"]!, (string)copy["allowed_ips"]!, (string)copy["code"]!));
        Assert.Equal(("github", secret, 3), ((string)copy["verifier"]!["kind"]!, (string)copy["verifier"]!["secret"]!, (int)copy["lockout"]!["failures"]!));
        Assert.Equal(HttpStatusCode.NotFound, (await tower.Admin.PostAsync("/api/authenticators/no_such_authenticator_copy/copy", null)).StatusCode);
    }
}
