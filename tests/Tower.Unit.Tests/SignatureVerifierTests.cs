using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using StandardWebhooks;
using Tower.Contracts.Configuration;
using Tower.Gateway.Verification;

namespace Tower.Unit.Tests;

/// <summary>
/// Each verifier kind (spec §11) against signatures made independently: the providers' published
/// examples where they give them, the StandardWebhooks library, or HMACs computed here.
/// </summary>
public sealed class SignatureVerifierTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static SignatureVerifier Verifier(VerifierDefinition definition, DateTimeOffset? now = null, params string[] secrets) =>
        new(definition, secrets, new FakeTimeProvider(now ?? Now));

    private static HeaderDictionary Headers(params (string Name, string Value)[] headers)
    {
        var dictionary = new HeaderDictionary();
        foreach (var (name, value) in headers)
        {
            dictionary[name] = value;
        }

        return dictionary;
    }

    private static string HexHmac(string key, string text) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(text)));

    [Fact]
    public void GitHub_accepts_its_documented_example_and_refuses_a_changed_body()
    {
        // docs.github.com, "Validating webhook deliveries": secret, payload and signature as published.
        var verifier = Verifier(new() { Kind = VerifierKinds.GitHub, Secret = "gh" }, secrets: "It's a Secret to Everybody");
        var headers = Headers(("X-Hub-Signature-256", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"));

        Assert.Equal(SignatureCheck.Valid, verifier.Check(headers, "Hello, World!"u8));
        Assert.Equal(SignatureCheck.Invalid, verifier.Check(headers, "Hello, World?"u8));
        Assert.Equal(SignatureCheck.Invalid, verifier.Check(Headers(), "Hello, World!"u8));
        Assert.Equal(SignatureCheck.Invalid, verifier.Check(Headers(("X-Hub-Signature-256", "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")), "Hello, World!"u8));
    }

    [Fact]
    public void Slack_accepts_a_signature_made_by_another_implementation_within_the_window_and_calls_it_expired_after()
    {
        // A slash-command body as in Slack's guide; the signature was computed with Python's hmac module:
        // hmac.new(secret, b"v0:1531420618:" + body, hashlib.sha256).hexdigest().
        const string body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebbot&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
        var sent = DateTimeOffset.FromUnixTimeSeconds(1531420618);
        var definition = new VerifierDefinition { Kind = VerifierKinds.Slack, Secret = "slack", ToleranceSeconds = 300 };
        var headers = Headers(("X-Slack-Request-Timestamp", "1531420618"),
            ("X-Slack-Signature", "v0=bc33a7b8fff46fe303f20f307c19c8f69540cb2fc952bcc56232698f62fd114a"));

        Assert.Equal(SignatureCheck.Valid, Verifier(definition, sent.AddSeconds(299), "8f742231b10e8888abcd99yyyzzz85a5").Check(headers, Encoding.UTF8.GetBytes(body)));
        Assert.Equal(SignatureCheck.Expired, Verifier(definition, sent.AddSeconds(301), "8f742231b10e8888abcd99yyyzzz85a5").Check(headers, Encoding.UTF8.GetBytes(body)));
        Assert.Equal(SignatureCheck.Expired, Verifier(definition, sent.AddSeconds(-301), "8f742231b10e8888abcd99yyyzzz85a5").Check(headers, Encoding.UTF8.GetBytes(body)));
        Assert.Equal(SignatureCheck.Invalid, Verifier(definition, sent, "another-secret").Check(headers, Encoding.UTF8.GetBytes(body)));
    }

    [Fact]
    public void Stripe_accepts_any_v1_signature_of_the_timestamped_body_and_the_secondary_secret()
    {
        const string body = "{\"id\":\"evt_1\",\"object\":\"event\"}";
        var timestamp = Now.ToUnixTimeSeconds();
        var signature = HexHmac("whsec_old", $"{timestamp}.{body}");
        var verifier = Verifier(new() { Kind = VerifierKinds.Stripe, Secret = "new", SecondarySecret = "old", ToleranceSeconds = 300 }, null, "whsec_new", "whsec_old");

        Assert.Equal(SignatureCheck.Valid, verifier.Check(Headers(("Stripe-Signature", $"t={timestamp},v1=00ff,v1={signature},v0=abc")), Encoding.UTF8.GetBytes(body)));
        Assert.Equal(SignatureCheck.Invalid, verifier.Check(Headers(("Stripe-Signature", $"t={timestamp + 1},v1={signature}")), Encoding.UTF8.GetBytes(body)));
        Assert.Equal(SignatureCheck.Invalid, verifier.Check(Headers(("Stripe-Signature", $"v1={signature}")), Encoding.UTF8.GetBytes(body)));
        var stale = timestamp - 301;
        Assert.Equal(SignatureCheck.Expired, verifier.Check(Headers(("Stripe-Signature", $"t={stale},v1={HexHmac("whsec_new", $"{stale}.{body}")}")), Encoding.UTF8.GetBytes(body)));
    }

    [Fact]
    public void Shopify_compares_the_base64_hmac_of_the_body()
    {
        const string body = "{\"id\":820982911946154508}";
        var signature = Convert.ToBase64String(HMACSHA256.HashData("shpss_secret"u8, Encoding.UTF8.GetBytes(body)));
        var verifier = Verifier(new() { Kind = VerifierKinds.Shopify, Secret = "shop" }, null, "shpss_secret");

        Assert.Equal(SignatureCheck.Valid, verifier.Check(Headers(("X-Shopify-Hmac-Sha256", signature)), Encoding.UTF8.GetBytes(body)));
        Assert.Equal(SignatureCheck.Invalid, verifier.Check(Headers(("X-Shopify-Hmac-Sha256", "not base64!")), Encoding.UTF8.GetBytes(body)));
    }

    [Fact]
    public void Standard_webhooks_accepts_what_the_reference_library_signs()
    {
        const string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        const string body = "{\"type\":\"invoice.paid\"}";
        var signature = new StandardWebhook(secret).Sign("msg_p5jXN8AQM9LWM0D4loKWxJek", Now, body);
        var verifier = Verifier(new() { Kind = VerifierKinds.StandardWebhooks, Secret = "sw" }, null, secret);
        var headers = Headers(("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek"), ("webhook-timestamp", Now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("webhook-signature", "v1,Zm9yZ2VkCg== " + signature));

        Assert.Equal(SignatureCheck.Valid, verifier.Check(headers, Encoding.UTF8.GetBytes(body)));
        headers["webhook-id"] = "msg_other";
        Assert.Equal(SignatureCheck.Invalid, verifier.Check(headers, Encoding.UTF8.GetBytes(body)));
    }

    [Fact]
    public void A_standard_webhooks_secret_without_whsec_refuses_every_call()
    {
        const string body = "{}";
        var verifier = Verifier(new() { Kind = VerifierKinds.StandardWebhooks, Secret = "sw" }, null, "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        var signature = new StandardWebhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").Sign("msg_1", Now, body);

        Assert.Equal(SignatureCheck.Invalid, verifier.Check(Headers(("webhook-id", "msg_1"),
            ("webhook-timestamp", Now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)), ("webhook-signature", signature)), Encoding.UTF8.GetBytes(body)));
    }

    [Theory]
    [InlineData("sha1", "hex", "")]
    [InlineData("sha256", "base64", "sha256=")]
    [InlineData("sha512", "hex", "v1:")]
    public void Hmac_uses_the_given_header_algorithm_encoding_and_prefix(string algorithm, string encoding, string prefix)
    {
        const string body = "{\"event\":\"ping\"}";
        using HMAC hmac = algorithm switch { "sha1" => new HMACSHA1("k3y-value"u8.ToArray()), "sha512" => new HMACSHA512("k3y-value"u8.ToArray()), _ => new HMACSHA256("k3y-value"u8.ToArray()) };
        var mac = hmac.ComputeHash(Encoding.UTF8.GetBytes(body));
        var signature = prefix + (encoding == "hex" ? Convert.ToHexStringLower(mac) : Convert.ToBase64String(mac));
        var verifier = Verifier(new() { Kind = VerifierKinds.Hmac, Secret = "k", Header = "X-Signature", Algorithm = algorithm, Encoding = encoding, Prefix = prefix }, null, "k3y-value");

        Assert.Equal(SignatureCheck.Valid, verifier.Check(Headers(("x-signature", signature)), Encoding.UTF8.GetBytes(body)));
        Assert.Equal(SignatureCheck.Invalid, verifier.Check(Headers(("X-Signature", signature)), Encoding.UTF8.GetBytes(body + " ")));
    }

    [Fact]
    public void Hmac_with_a_timestamp_header_signs_the_timestamp_and_enforces_the_tolerance()
    {
        const string body = "{}";
        var verifier = Verifier(new()
        {
            Kind = VerifierKinds.Hmac, Secret = "k", Header = "X-Sig", TimestampHeader = "X-Time", ToleranceSeconds = 60, Algorithm = "sha256", Encoding = "hex", Prefix = "",
        }, null, "k3y-value");
        string Sign(long at) => HexHmac("k3y-value", $"{at}.{body}");
        var now = Now.ToUnixTimeSeconds();

        Assert.Equal(SignatureCheck.Valid, verifier.Check(Headers(("X-Sig", Sign(now - 59)), ("X-Time", (now - 59).ToString(System.Globalization.CultureInfo.InvariantCulture))), "{}"u8));
        Assert.Equal(SignatureCheck.Expired, verifier.Check(Headers(("X-Sig", Sign(now + 61)), ("X-Time", (now + 61).ToString(System.Globalization.CultureInfo.InvariantCulture))), "{}"u8));
        Assert.Equal(SignatureCheck.Invalid, verifier.Check(Headers(("X-Sig", Sign(now))), "{}"u8));
    }

    [Fact]
    public void A_verifier_whose_secrets_are_missing_refuses_every_call()
    {
        var verifier = new SignatureVerifier(new() { Kind = VerifierKinds.GitHub, Secret = "gone" }, [], new FakeTimeProvider(Now));

        Assert.Equal(SignatureCheck.Invalid, verifier.Check(Headers(("X-Hub-Signature-256", "sha256=" + HexHmac("", "x"))), "x"u8));
    }
}
