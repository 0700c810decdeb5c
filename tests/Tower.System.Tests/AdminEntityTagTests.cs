using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Tower.System.Tests;

/// <summary>
/// A single resource's GET carries a strong ETag; PUT and DELETE honour If-Match, so two admins
/// never overwrite each other silently (admin-api.md, webhooks.md §14).
/// </summary>
[Collection(TowerSystemCollection.Name)]
public sealed class AdminEntityTagTests(TowerSystem tower)
{
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    /// <summary>Creates a resource of the kind; returns its path and a body that replaces it under a given name.</summary>
    private async Task<(string Path, Func<string, object> Body)> CreateAsync(string kind)
    {
        var reference = $"{kind}_{_id}";
        Func<string, object> body;
        if (kind == "webhooks")
        {
            var authenticator = $"etag_auth_{_id}";
            Assert.Equal(HttpStatusCode.Created, (await tower.Admin.PostAsJsonAsync("/api/authenticators", new { reference = authenticator, name = "Auth" })).StatusCode);
            body = name => new { reference, name, authenticator, endpoint = $"etag/{_id}" };
        }
        else
        {
            body = kind switch
            {
                "authenticators" => name => new { reference, name, allowed_ips = "10.0.0.0/8" },
                "variables" => name => new { reference, name, value = "v" },
                _ => name => new { reference, name, value = "secret-value" },
            };
        }

        Assert.Equal(HttpStatusCode.Created, (await tower.Admin.PostAsJsonAsync($"/api/{kind}", body("Created"))).StatusCode);
        return ($"/api/{kind}/{reference}", body);
    }

    private async Task<(string Name, EntityTagHeaderValue Tag)> GetAsync(string path)
    {
        var response = await tower.Admin.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(response.Headers.ETag);
        return ((string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["name"]!, response.Headers.ETag);
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body, string? ifMatch)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return tower.Admin.SendAsync(request);
    }

    public static TheoryData<string> Kinds => ["webhooks", "authenticators", "variables", "secrets"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_single_resource_carries_a_strong_etag_that_each_write_changes(string kind)
    {
        var (path, body) = await CreateAsync(kind);

        var (_, tag) = await GetAsync(path);
        var (_, again) = await GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, (await tower.Admin.PutAsJsonAsync(path, body("Renamed"))).StatusCode);
        var (_, changed) = await GetAsync(path);

        Assert.False(tag.IsWeak);
        Assert.Equal(tag, again);
        Assert.NotEqual(tag, changed);
    }

    [Fact]
    public async Task Secrets_with_the_same_value_have_different_etags()
    {
        var first = $"same_a_{_id}";
        var second = $"same_b_{_id}";
        Assert.Equal(HttpStatusCode.Created, (await tower.Admin.PostAsJsonAsync("/api/secrets", new { reference = first, name = "Same", value = "the-same-value" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await tower.Admin.PostAsJsonAsync("/api/secrets", new { reference = second, name = "Same", value = "the-same-value" })).StatusCode);

        Assert.NotEqual((await GetAsync($"/api/secrets/{first}")).Tag, (await GetAsync($"/api/secrets/{second}")).Tag);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_put_with_a_stale_if_match_is_refused_and_changes_nothing(string kind)
    {
        var (path, body) = await CreateAsync(kind);
        var (_, stale) = await GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, (await tower.Admin.PutAsJsonAsync(path, body("Second admin"))).StatusCode);
        var (_, current) = await GetAsync(path);

        var refused = await SendAsync(HttpMethod.Put, path, body("First admin"), stale.ToString());

        Assert.Equal(HttpStatusCode.PreconditionFailed, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(("Second admin", current), await GetAsync(path));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_put_with_the_current_if_match_succeeds_and_answers_the_new_etag(string kind)
    {
        var (path, body) = await CreateAsync(kind);
        var (_, tag) = await GetAsync(path);

        var replaced = await SendAsync(HttpMethod.Put, path, body("Replaced"), tag.ToString());

        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.NotNull(replaced.Headers.ETag);
        Assert.NotEqual(tag, replaced.Headers.ETag);
        Assert.Equal(("Replaced", replaced.Headers.ETag), await GetAsync(path));
    }

    [Fact]
    public async Task If_match_star_matches_any_existing_resource_only()
    {
        var (path, body) = await CreateAsync("variables");

        var replaced = await SendAsync(HttpMethod.Put, path, body("Starred"), "*");
        var missing = await SendAsync(HttpMethod.Put, $"/api/variables/missing_{_id}", body("Starred"), "*");

        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.Equal("Starred", (await GetAsync(path)).Name);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task An_if_match_listing_the_current_tag_among_others_matches()
    {
        var (path, body) = await CreateAsync("authenticators");
        var (_, tag) = await GetAsync(path);

        var replaced = await SendAsync(HttpMethod.Put, path, body("Listed"), $"\"{Guid.NewGuid():N}\", W/{tag}, {tag}");

        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
    }

    [Fact]
    public async Task A_weak_if_match_never_matches()
    {
        var (path, body) = await CreateAsync("authenticators");
        var (_, tag) = await GetAsync(path);

        var refused = await SendAsync(HttpMethod.Put, path, body("Weak"), $"W/{tag}");

        Assert.Equal(HttpStatusCode.PreconditionFailed, refused.StatusCode);
    }

    [Fact]
    public async Task An_if_match_that_is_not_an_entity_tag_is_a_bad_request()
    {
        var (path, body) = await CreateAsync("variables");
        var (_, tag) = await GetAsync(path);

        var refused = await SendAsync(HttpMethod.Put, path, body("Unquoted"), tag.Tag.Trim('"'));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("Created", (await GetAsync(path)).Name);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_delete_with_a_stale_if_match_is_refused_and_with_the_current_one_deletes(string kind)
    {
        var (path, body) = await CreateAsync(kind);
        var (_, stale) = await GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, (await tower.Admin.PutAsJsonAsync(path, body("Changed"))).StatusCode);
        var (_, current) = await GetAsync(path);

        var refused = await SendAsync(HttpMethod.Delete, path, null, stale.ToString());
        Assert.Equal(HttpStatusCode.PreconditionFailed, refused.StatusCode);
        Assert.Equal(("Changed", current), await GetAsync(path));

        var deleted = await SendAsync(HttpMethod.Delete, path, null, current.ToString());
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await tower.Admin.GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task Of_concurrent_puts_with_the_same_if_match_exactly_one_succeeds()
    {
        var (path, body) = await CreateAsync("webhooks");
        var (_, tag) = await GetAsync(path);

        var answers = await Task.WhenAll(Enumerable.Range(1, 6).Select(n => SendAsync(HttpMethod.Put, path, body($"Writer {n}"), tag.ToString())));

        var statuses = answers.Select(answer => answer.StatusCode).ToList();
        Assert.Equal(1, statuses.Count(status => status == HttpStatusCode.OK));
        Assert.Equal(5, statuses.Count(status => status == HttpStatusCode.PreconditionFailed));
        var winner = answers.Single(answer => answer.StatusCode == HttpStatusCode.OK);
        Assert.Equal(winner.Headers.ETag, (await GetAsync(path)).Tag);
    }
}
