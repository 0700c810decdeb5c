namespace Tower.Contracts.Configuration;

/// <summary>The kinds of signature verifier (spec §11) and what each takes.</summary>
public static class VerifierKinds
{
    public const string GitHub = "github";
    public const string Stripe = "stripe";
    public const string Shopify = "shopify";
    public const string Slack = "slack";
    public const string StandardWebhooks = "standard_webhooks";
    public const string Hmac = "hmac";

    public const int DefaultToleranceSeconds = 300;

    /// <summary>The prefix a Standard Webhooks secret starts with, before its base64 key.</summary>
    public const string StandardWebhooksSecretPrefix = "whsec_";

    public static IReadOnlyList<string> All { get; } = [GitHub, Stripe, Shopify, Slack, StandardWebhooks, Hmac];

    public static IReadOnlyList<string> Algorithms { get; } = ["sha1", "sha256", "sha512"];

    public static IReadOnlyList<string> Encodings { get; } = ["hex", "base64"];

    /// <summary>Whether a verifier of this kind signs a timestamp, and so has a tolerance.</summary>
    public static bool IsTimestamped(VerifierDefinition verifier) =>
        verifier.Kind is Stripe or Slack or StandardWebhooks || (verifier.Kind == Hmac && !string.IsNullOrEmpty(verifier.TimestampHeader));
}
