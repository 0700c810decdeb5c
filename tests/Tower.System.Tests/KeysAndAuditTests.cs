using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Tower.System.Tests;

/// <summary>API keys listed and revoked, and the audit trail of changes (admin-api.md).</summary>
[Collection(TowerSystemCollection.Name)]
public sealed class KeysAndAuditTests(TowerSystem tower)
{
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    private HttpClient ClientWith(string key)
    {
        var client = new HttpClient { BaseAddress = tower.Admin.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    [Fact]
    public async Task Keys_are_listed_without_their_value_and_a_revoked_key_stops_working_at_once()
    {
        var login = "keys_" + _id;
        var created = await tower.CreateAsync("/api/users", new { login, group = "manager" });
        var firstKey = (string)created["api_key"]!;
        using var second = await tower.Admin.PostAsync($"/api/users/{login}/keys", null);
        var secondKey = (await second.Content.ReadFromJsonAsync<JsonObject>())!;
        using var firstClient = ClientWith(firstKey);
        Assert.Equal(HttpStatusCode.OK, (await firstClient.GetAsync("/api/variables")).StatusCode);

        var listed = await tower.Admin.GetFromJsonAsync<JsonObject>($"/api/users/{login}/keys");
        var items = listed!["items"]!.AsArray();
        Assert.Equal(2, items.Count);
        Assert.DoesNotContain(firstKey, listed.ToJsonString());
        Assert.DoesNotContain((string)secondKey["api_key"]!, listed.ToJsonString());
        var first = items.Single(item => (string)item!["id"]! != (string)secondKey["id"]!)!;
        Assert.StartsWith((string)first["prefix"]!, firstKey);
        Assert.NotNull(first["last_used_at"]);
        Assert.Null(items.Single(item => (string)item!["id"]! == (string)secondKey["id"]!)!["last_used_at"]);

        using var revoke = await tower.Admin.DeleteAsync($"/api/users/{login}/keys/{first["id"]}");
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await firstClient.GetAsync("/api/variables")).StatusCode);
        using var secondClient = ClientWith((string)secondKey["api_key"]!);
        Assert.Equal(HttpStatusCode.OK, (await secondClient.GetAsync("/api/variables")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await tower.Admin.DeleteAsync($"/api/users/{login}/keys/{first["id"]}")).StatusCode);
    }

    [Fact]
    public async Task The_last_key_of_the_last_root_user_cannot_be_revoked()
    {
        // Left with admin alone as root user, with one key (the oldest: the launcher's, which this test uses).
        var otherRoots = (await tower.Admin.GetFromJsonAsync<JsonObject>("/api/users?limit=500"))!["items"]!.AsArray()
            .Where(user => (string)user!["group"]! == "root" && (string)user["login"]! != "admin").Select(user => (string)user!["login"]!).ToList();
        foreach (var login in otherRoots)
        {
            Assert.Equal(HttpStatusCode.NoContent, (await tower.Admin.DeleteAsync($"/api/users/{login}")).StatusCode);
        }

        var keys = (await tower.Admin.GetFromJsonAsync<JsonObject>("/api/users/admin/keys"))!["items"]!.AsArray();
        foreach (var extra in keys.Skip(1))
        {
            Assert.Equal(HttpStatusCode.NoContent, (await tower.Admin.DeleteAsync($"/api/users/admin/keys/{extra!["id"]}")).StatusCode);
        }

        using var refused = await tower.Admin.DeleteAsync($"/api/users/admin/keys/{keys[0]!["id"]}");

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await tower.Admin.GetAsync("/api/variables")).StatusCode);
    }

    [Fact]
    public async Task Every_change_is_in_the_audit_trail_with_who_what_and_where_and_never_a_secret_value()
    {
        var reference = "audited_" + _id;
        const string value = "audited-secret-value-0123456789";
        await tower.CreateAsync("/api/secrets", new { reference, name = "Audited", value });
        Assert.Equal(HttpStatusCode.OK, (await tower.Admin.PutAsJsonAsync($"/api/secrets/{reference}", new { name = "Audited again", value = value + "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await tower.Admin.PutAsJsonAsync($"/api/secrets/{reference}", new { name = "" })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await tower.Admin.DeleteAsync($"/api/secrets/{reference}")).StatusCode);

        var trail = await tower.Admin.GetFromJsonAsync<JsonObject>("/api/audit?limit=500");
        var mine = trail!["items"]!.AsArray().Where(item => (string)item!["reference"]! == reference).Reverse().ToList();

        Assert.Equal(["create", "update", "delete"], mine.Select(item => (string)item!["action"]!));
        Assert.All(mine, item =>
        {
            Assert.Equal(("secret", "admin"), ((string)item!["resource"]!, (string)item["actor"]!));
            Assert.False(string.IsNullOrEmpty((string)item["address"]!));
            Assert.NotNull(item["at"]);
        });
        Assert.DoesNotContain(value, trail.ToJsonString());
    }
}
