using System.Text.Json;
using System.Text.Json.Serialization;
using Tower.Admin.Infrastructure;
using Tower.Contracts.Configuration;

namespace Tower.Admin.Webhooks;

/// <summary>
/// What a client sends to create or replace a webhook; omitted fields take their defaults, and the
/// read-only fields a GET or a list shows (<c>full_url</c>, <c>code_errors</c> among them) are ignored.
/// </summary>
public sealed record WebhookInput(
    string? Reference, string? Name, bool? Enabled, string? Authenticator, string? Endpoint, string? Method,
    string? PayloadType, string? RunAsUser, string? Code, IReadOnlyList<string>? Variables, IReadOnlyList<string>? Secrets,
    int? TimeoutMs) : ResourceInput
{
    public JsonElement? FullUrl { get; init; }

    public JsonElement? CodeErrors { get; init; }

    /// <summary>The rate limit (spec §10); null for none.</summary>
    public RateLimitDefinition? RateLimit { get; init; }

    /// <summary>How many calls may run at once (spec §10); null for no limit of its own.</summary>
    public int? MaxConcurrency { get; init; }

    /// <summary>Deduplication on a delivery id (spec §10); null for none.</summary>
    public DedupDefinition? Dedup { get; init; }

    /// <summary><c>sync</c> (the default) or <c>async</c> (spec §10).</summary>
    public string? ResponseMode { get; init; }

    /// <summary>The attempts of an async webhook (spec §10); null for the defaults.</summary>
    public RetryDefinition? Retry { get; init; }
}

/// <summary>A webhook as stored.</summary>
public sealed record Webhook
{
    public const string DefaultMethod = "POST";
    public const string DefaultPayloadType = "json";
    public const int DefaultTimeoutMs = 10000;
    public const int MinTimeoutMs = 100;
    public const int MaxTimeoutMs = 30000;

    public required string Reference { get; init; }
    public required string Name { get; init; }
    public required bool Enabled { get; init; }
    public required string Authenticator { get; init; }
    public required string Endpoint { get; init; }
    public required string Method { get; init; }
    public required string PayloadType { get; init; }
    public required string RunAsUser { get; init; }
    public required string Code { get; init; }
    public string? CodeHash { get; init; }
    public required string[] Variables { get; init; }
    public required string[] Secrets { get; init; }
    public required int TimeoutMs { get; init; }
    public RateLimitDefinition? RateLimit { get; init; }
    public int? MaxConcurrency { get; init; }
    public DedupDefinition? Dedup { get; init; }
    public string ResponseMode { get; init; } = ResponseModes.Sync;
    public RetryDefinition? Retry { get; init; }
    public string CreatedBy { get; init; } = "";
    public DateTime CreatedAt { get; init; }
    public string UpdatedBy { get; init; } = "";
    public DateTime UpdatedAt { get; init; }

    /// <summary>Replaced by every write; the webhook's ETag.</summary>
    public Guid Version { get; init; }
}

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
