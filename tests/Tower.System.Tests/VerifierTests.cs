using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Tower.System.Tests;

/// <summary>Authenticators' signature verifiers (spec §11, §14), over real HTTP.</summary>
[Collection(TowerSystemCollection.Name)]
public sealed class VerifierTests(TowerSystem tower)
{
    private const string Body = "{\"event\":\"order.created\",\"id\":42}";

    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    private async Task<string> SecretAsync(string name, string value)
    {
        var reference = $"verifier_{name}_{_id}";
        await tower.CreateAsync("/api/secrets", new { reference, name = reference, value });
        return reference;
    }

    /// <summary>An authenticator with the verifier and no code, and a webhook behind it, matched once this returns.</summary>
    private async Task<string> WebhookAsync(string name, object verifier)
    {
        var reference = $"verifier_{name}_{_id}";
        await tower.CreateAsync("/api/authenticators", new { reference, name = reference, verifier });
        var endpoint = $"verified/{_id}/{name}";
        await tower.CreateAsync("/api/webhooks", new { reference, name = reference, authenticator = reference, endpoint, code = "result.message = \"verified\";" });
        await tower.WaitMatchedAsync(endpoint);
        return "/cetmix_tower_webhooks/" + endpoint;
    }

    private async Task<(HttpStatusCode Status, string Message, JsonObject Log)> CallAsync(string path, Dictionary<string, string> headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(Body, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await tower.Gateway.SendAsync(request);
        var message = (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["message"]!;
        return (response.StatusCode, message, await tower.LogOfAsync(Assert.Single(response.Headers.GetValues("X-Tower-Call-Id"))));
    }

    private static byte[] Hmac(string key, string text) => HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(text));

    private static string Unix(DateTimeOffset at) => at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    /// <summary>The headers each provider sends, for <paramref name="body"/> signed with <paramref name="secret"/> at <paramref name="at"/>, written from the providers' documentation.</summary>
    internal static Dictionary<string, string> Signed(string kind, string secret, DateTimeOffset at, string body = Body) => kind switch
    {
        "github" => new() { ["X-Hub-Signature-256"] = "sha256=" + Convert.ToHexStringLower(Hmac(secret, body)) },
        "shopify" => new() { ["X-Shopify-Hmac-Sha256"] = Convert.ToBase64String(Hmac(secret, body)) },
        "stripe" => new() { ["Stripe-Signature"] = $"t={Unix(at)},v1={Convert.ToHexStringLower(Hmac(secret, $"{Unix(at)}.{body}"))}" },
        "slack" => new()
        {
            ["X-Slack-Request-Timestamp"] = Unix(at),
            ["X-Slack-Signature"] = "v0=" + Convert.ToHexStringLower(Hmac(secret, $"v0:{Unix(at)}:{body}")),
        },
        "standard_webhooks" => new()
        {
            ["webhook-id"] = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W",
            ["webhook-timestamp"] = Unix(at),
            ["webhook-signature"] = new StandardWebhooks.StandardWebhook(secret).Sign("msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", at, body),
        },
        _ => new()
        {
            ["X-Time"] = Unix(at),
            ["X-Signature"] = "sha256=" + Convert.ToBase64String(Hmac(secret, $"{Unix(at)}.{body}")),
        },
    };

    private static bool IsTimestamped(string kind) => kind is "stripe" or "slack" or "standard_webhooks" or "hmac";

    [Theory]
    [InlineData("github")]
    [InlineData("stripe")]
    [InlineData("shopify")]
    [InlineData("slack")]
    [InlineData("standard_webhooks")]
    [InlineData("hmac")]
    public async Task A_verifier_accepts_both_secrets_and_refuses_wrong_and_stale_signatures(string kind)
    {
        var (primaryValue, secondaryValue, wrongValue) = kind == "standard_webhooks"
            ? ("whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)), "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)),
                "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)))
            : ("primary-" + _id + "-value", "secondary-" + _id + "-value", "wrong-" + _id + "-value");
        var primary = await SecretAsync(kind + "_1", primaryValue);
        var secondary = await SecretAsync(kind + "_2", secondaryValue);
        object verifier = kind == "hmac"
            ? new { kind, secret = primary, secondary_secret = secondary, header = "X-Signature", encoding = "base64", prefix = "sha256=", timestamp_header = "X-Time", tolerance_seconds = 120 }
            : new { kind, secret = primary, secondary_secret = secondary };
        var path = await WebhookAsync(kind, verifier);
        var now = DateTimeOffset.UtcNow;

        var good = await CallAsync(path, Signed(kind, primaryValue, now));
        var rotated = await CallAsync(path, Signed(kind, secondaryValue, now));
        var wrong = await CallAsync(path, Signed(kind, wrongValue, now));
        var unsigned = await CallAsync(path, []);

        Assert.Equal((HttpStatusCode.OK, "verified"), (good.Status, good.Message));
        Assert.Equal((HttpStatusCode.OK, "verified"), (rotated.Status, rotated.Message));
        Assert.Equal((HttpStatusCode.Unauthorized, "Invalid signature"), (wrong.Status, wrong.Message));
        Assert.Equal((HttpStatusCode.Unauthorized, "Invalid signature"), (unsigned.Status, unsigned.Message));
        Assert.Equal(("failed", "skipped", 401), ((string)wrong.Log["authentication_status"]!, (string)wrong.Log["code_status"]!, (int)wrong.Log["http_status"]!));
        if (IsTimestamped(kind))
        {
            var stale = await CallAsync(path, Signed(kind, primaryValue, now.AddSeconds(kind == "hmac" ? -200 : -400)));
            Assert.Equal((HttpStatusCode.Unauthorized, "Signature expired"), (stale.Status, stale.Message));
            Assert.Equal(("failed", "skipped"), ((string)stale.Log["authentication_status"]!, (string)stale.Log["code_status"]!));
        }
    }

    [Fact]
    public async Task The_verifier_runs_before_the_authenticator_code_which_still_runs_after_it()
    {
        var secret = await SecretAsync("code", "code-" + _id + "-value");
        var reference = $"verifier_code_{_id}";
        await tower.CreateAsync("/api/authenticators", new
        {
            reference, name = reference, verifier = new { kind = "github", secret },
            code = "result.allowed = headers.ContainsKey(\"X-Tenant\"); result.message = \"tenant missing\";",
        });
        var endpoint = $"verified/{_id}/code";
        await tower.CreateAsync("/api/webhooks", new { reference, name = reference, authenticator = reference, endpoint });
        await tower.WaitMatchedAsync(endpoint);
        var signed = Signed("github", "code-" + _id + "-value", DateTimeOffset.UtcNow);

        var refusedByCode = await CallAsync("/cetmix_tower_webhooks/" + endpoint, signed);
        signed["X-Tenant"] = "t1";
        var allowed = await CallAsync("/cetmix_tower_webhooks/" + endpoint, signed);

        Assert.Equal((HttpStatusCode.Forbidden, "tenant missing"), (refusedByCode.Status, refusedByCode.Message));
        Assert.Equal(HttpStatusCode.OK, allowed.Status);
        // The verifier's secret is a linked secret: the signature header that would carry it is not, but its value never shows.
        Assert.DoesNotContain("code-" + _id + "-value", allowed.Log.ToJsonString());
    }

    [Fact]
    public async Task Admin_refuses_a_verifier_that_breaks_a_rule_naming_the_field()
    {
        var secret = await SecretAsync("rules", "rules-" + _id + "-value");
        var reference = $"verifier_rules_{_id}";

        Task<JsonObject> RefusedAsync(object verifier) => tower.RefusedAsync("/api/authenticators", new { reference, name = reference, verifier });

        Assert.True((await RefusedAsync(new { kind = "gitlab", secret })).ContainsKey("verifier.kind"));
        Assert.True((await RefusedAsync(new { kind = "github" })).ContainsKey("verifier.secret"));
        Assert.True((await RefusedAsync(new { kind = "github", secret = "no_such_secret" })).ContainsKey("verifier.secret"));
        Assert.True((await RefusedAsync(new { kind = "github", secret, tolerance_seconds = 60 })).ContainsKey("verifier.tolerance_seconds"));
        Assert.True((await RefusedAsync(new { kind = "hmac", secret, tolerance_seconds = 60, header = "X-Sig" })).ContainsKey("verifier.tolerance_seconds"));
        Assert.True((await RefusedAsync(new { kind = "hmac", secret })).ContainsKey("verifier.header"));
        Assert.True((await RefusedAsync(new { kind = "hmac", secret, header = "X-Sig", algorithm = "md5" })).ContainsKey("verifier.algorithm"));
        Assert.True((await RefusedAsync(new { kind = "stripe", secret, header = "X-Sig" })).ContainsKey("verifier.header"));
        Assert.True((await RefusedAsync(new { kind = "standard_webhooks", secret })).ContainsKey("verifier.secret"));
        Assert.True((await RefusedAsync(new { kind = "github", secret, secrte = "typo" })).ContainsKey("verifier.secrte"));
        Assert.Equal(HttpStatusCode.NotFound, (await tower.Admin.GetAsync($"/api/authenticators/{reference}")).StatusCode);
    }

    [Fact]
    public async Task A_secret_a_standard_webhooks_verifier_uses_cannot_lose_its_whsec_form()
    {
        var secret = await SecretAsync("sw_kept", "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)));
        var reference = $"verifier_sw_kept_{_id}";
        await tower.CreateAsync("/api/authenticators", new { reference, name = reference, verifier = new { kind = "standard_webhooks", secret } });

        using var refused = await tower.Admin.PutAsJsonAsync($"/api/secrets/{secret}", new { name = secret, value = "plain-value-without-prefix" });
        using var kept = await tower.Admin.PutAsJsonAsync($"/api/secrets/{secret}", new { name = secret, value = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)) });

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains(reference, await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
    }

    [Fact]
    public async Task A_verifier_is_shown_with_its_defaults_round_trips_through_yaml_and_holds_its_secret()
    {
        var secret = await SecretAsync("shown", "shown-" + _id + "-value");
        var reference = $"verifier_shown_{_id}";
        var created = await tower.CreateAsync("/api/authenticators", new { reference, name = reference, verifier = new { kind = "stripe", secret } });

        var shown = created["verifier"]!;
        Assert.Equal(("stripe", secret, 300), ((string)shown["kind"]!, (string)shown["secret"]!, (int)shown["tolerance_seconds"]!));
        Assert.Null(shown["header"]);

        var yaml = await tower.Admin.GetStringAsync($"/api/authenticators/{reference}/yaml");
        Assert.Contains("verifier:", yaml);
        Assert.Contains($"reference: {secret}", yaml);
        Assert.DoesNotContain("shown-" + _id + "-value", yaml);
        using var import = await tower.Admin.PostAsync("/api/yaml?if_exists=update", new StringContent(yaml, Encoding.UTF8, "application/yaml"));
        Assert.True(import.IsSuccessStatusCode, await import.Content.ReadAsStringAsync());
        var again = await tower.Admin.GetFromJsonAsync<JsonObject>($"/api/authenticators/{reference}");
        Assert.Equal(shown.ToJsonString(), again!["verifier"]!.ToJsonString());

        using var delete = await tower.Admin.DeleteAsync($"/api/secrets/{secret}");
        Assert.Equal(HttpStatusCode.Conflict, delete.StatusCode);
        Assert.Contains(reference, await delete.Content.ReadAsStringAsync());
    }
}
