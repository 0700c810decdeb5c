using System.Text.Json;
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
