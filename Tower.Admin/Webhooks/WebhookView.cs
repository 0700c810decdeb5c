using System.Text.Json.Serialization;
using Tower.Contracts.Configuration;

namespace Tower.Admin.Webhooks;

/// <summary>A webhook as the API shows it, with its computed <c>full_url</c>.</summary>
public sealed record WebhookView(
    string Reference, string Name, bool Enabled, string Authenticator, string Endpoint, string FullUrl, string Method,
    string PayloadType, string RunAsUser, string Code, IReadOnlyList<string> Variables, IReadOnlyList<string> Secrets,
    int TimeoutMs, string CreatedBy, DateTime CreatedAt, string UpdatedBy, DateTime UpdatedAt)
{
    public static WebhookView From(Webhook webhook, string publicBaseUrl) => new(
        webhook.Reference, webhook.Name, webhook.Enabled, webhook.Authenticator, webhook.Endpoint,
        $"{publicBaseUrl.TrimEnd('/')}/cetmix_tower_webhooks/{webhook.Endpoint}", webhook.Method, webhook.PayloadType,
        webhook.RunAsUser, webhook.Code, webhook.Variables, webhook.Secrets, webhook.TimeoutMs,
        webhook.CreatedBy, webhook.CreatedAt, webhook.UpdatedBy, webhook.UpdatedAt)
    {
        RateLimit = webhook.RateLimit,
        MaxConcurrency = webhook.MaxConcurrency,
        Dedup = webhook.Dedup,
        ResponseMode = webhook.ResponseMode,
        Retry = webhook.Retry,
    };

    /// <summary>The rate limit (spec §10), complete; null for none.</summary>
    public RateLimitDefinition? RateLimit { get; init; }

    /// <summary>How many calls may run at once (spec §10); null for no limit of its own.</summary>
    public int? MaxConcurrency { get; init; }

    /// <summary>Deduplication on a delivery id (spec §10), complete; null for none.</summary>
    public DedupDefinition? Dedup { get; init; }

    /// <summary><c>sync</c> or <c>async</c> (spec §10).</summary>
    public string ResponseMode { get; init; } = ResponseModes.Sync;

    /// <summary>The attempts of an async webhook, complete; null for a sync one.</summary>
    public RetryDefinition? Retry { get; init; }

    /// <summary>Only in the list of <c>?invalid=true</c>: why the sandbox's current rules refuse the stored code.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? CodeErrors { get; init; }
}
