using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Npgsql;
using Tower.Contracts;
using Tower.Contracts.Configuration;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.EventEmitters;

namespace Tower.Admin.Yaml;

/// <summary>
/// Writes records as the YAML of the contract (webhooks.md §8): <c>tower_yaml_version: 1</c> and
/// <c>records</c>, dependencies first (variables, secrets without their values, authenticators,
/// webhooks). Exporting a webhook brings its authenticator and the variables and secrets both link.
/// </summary>
public sealed class YamlExporter(NpgsqlDataSource dataSource)
{
    public const string ContentType = "application/yaml";
    public const int Version = 1;

    private static readonly ISerializer Serializer = new SerializerBuilder()
        .WithEventEmitter(next => new LiteralMultilineEmitter(next))
        .DisableAliases()
        .Build();

    /// <summary>The YAML of the given webhooks (all records when null), or null when one is unknown.</summary>
    public async Task<(string? Yaml, IReadOnlyList<string> Unknown)> ExportWebhooksAsync(IReadOnlyList<string>? references, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var webhooks = (await connection.QueryAsync<WebhookRow>(new CommandDefinition(
            "SELECT * FROM webhooks WHERE @all OR reference = ANY(@references) ORDER BY reference",
            new { all = references is null, references = references?.ToArray() ?? [] }, cancellationToken: ct))).AsList();
        var unknown = references?.Except(webhooks.Select(w => w.Reference)).ToList() ?? [];
        if (unknown.Count > 0)
        {
            return (null, unknown);
        }

        var authenticators = await AuthenticatorsAsync(connection, references is null ? null : webhooks.Select(w => w.Authenticator).Distinct().ToArray(), ct);
        var linkedVariables = references is null ? null : webhooks.SelectMany(w => w.Variables).Concat(authenticators.SelectMany(a => a.Variables)).Distinct().ToArray();
        var linkedSecrets = references is null ? null : webhooks.SelectMany(w => w.Secrets).Concat(authenticators.SelectMany(a => a.LinkedSecrets)).Distinct().ToArray();
        return (await WriteAsync(connection, linkedVariables, linkedSecrets, authenticators, webhooks, ct), []);
    }

    /// <summary>The YAML of one authenticator with the variables and secrets it links, or null when unknown.</summary>
    public async Task<string?> ExportAuthenticatorAsync(string reference, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var authenticators = await AuthenticatorsAsync(connection, [reference], ct);
        if (authenticators.Count == 0)
        {
            return null;
        }

        var authenticator = authenticators[0];
        return await WriteAsync(connection, authenticator.Variables, [.. authenticator.LinkedSecrets], authenticators, [], ct);
    }

    private static async Task<List<AuthenticatorRow>> AuthenticatorsAsync(NpgsqlConnection connection, string[]? references, CancellationToken ct) =>
        (await connection.QueryAsync<AuthenticatorRow>(new CommandDefinition(
            "SELECT * FROM authenticators WHERE @all OR reference = ANY(@references) ORDER BY reference",
            new { all = references is null, references = references ?? [] }, cancellationToken: ct))).AsList();

    private static async Task<string> WriteAsync(NpgsqlConnection connection, string[]? variableReferences, string[]? secretReferences,
        IReadOnlyList<AuthenticatorRow> authenticators, IReadOnlyList<WebhookRow> webhooks, CancellationToken ct)
    {
        var variables = await connection.QueryAsync<(string Reference, string Name, string Value)>(new CommandDefinition(
            "SELECT reference, name, value FROM variables WHERE @all OR reference = ANY(@references) ORDER BY reference",
            new { all = variableReferences is null, references = variableReferences ?? [] }, cancellationToken: ct));
        var secrets = await connection.QueryAsync<(string Reference, string Name)>(new CommandDefinition(
            "SELECT reference, name FROM secrets WHERE @all OR reference = ANY(@references) ORDER BY reference",
            new { all = secretReferences is null, references = secretReferences ?? [] }, cancellationToken: ct));

        var records = new List<Dictionary<string, object>>();
        records.AddRange(variables.Select(v => new Dictionary<string, object>
        {
            ["model"] = "variable", ["reference"] = v.Reference, ["name"] = v.Name, ["value"] = v.Value,
        }));
        records.AddRange(secrets.Select(s => new Dictionary<string, object>
        {
            ["model"] = "secret", ["reference"] = s.Reference, ["name"] = s.Name,
        }));
        records.AddRange(authenticators.Select(a => WithOptions(new Dictionary<string, object>
        {
            ["model"] = "webhook_authenticator", ["reference"] = a.Reference, ["name"] = a.Name,
            ["allowed_ips"] = a.AllowedIps, ["trusted_proxy_ips"] = a.TrustedProxyIps,
            ["variables"] = a.Variables, ["secrets"] = a.Secrets, ["code"] = a.Code,
        }, ("verifier", a.Verifier), ("lockout", a.Lockout))));
        records.AddRange(webhooks.Select(w => WithOptions(new Dictionary<string, object>
        {
            ["model"] = "webhook", ["reference"] = w.Reference, ["name"] = w.Name, ["enabled"] = w.Enabled,
            ["authenticator"] = w.Authenticator, ["endpoint"] = w.Endpoint, ["method"] = w.Method,
            ["payload_type"] = w.PayloadType, ["run_as_user"] = w.RunAsUser, ["timeout_ms"] = w.TimeoutMs,
            ["variables"] = w.Variables, ["secrets"] = w.Secrets, ["code"] = w.Code, ["response_mode"] = w.ResponseMode,
        }, ("rate_limit", w.RateLimit), ("max_concurrency", w.MaxConcurrency), ("dedup", w.Dedup), ("retry", w.Retry))));
        return Serializer.Serialize(new Dictionary<string, object> { ["tower_yaml_version"] = Version, ["records"] = records });
    }

    /// <summary>
    /// Adds the options objects that are set, as nested mappings in the API's shape without their
    /// null fields (a secret appears as its reference, never its value).
    /// </summary>
    private static Dictionary<string, object> WithOptions(Dictionary<string, object> record, params (string Field, object? Value)[] options)
    {
        foreach (var (field, value) in options)
        {
            if (value is int number)
            {
                record[field] = number;
            }
            else if (value is not null && JsonSerializer.SerializeToNode(value, TowerJson.Options) is JsonObject json)
            {
                record[field] = json.Where(pair => pair.Value is not null)
                    .ToDictionary(pair => pair.Key, pair => pair.Value!.GetValueKind() == JsonValueKind.Number ? (object)pair.Value.GetValue<int>() : pair.Value.ToString());
            }
        }

        return record;
    }

    private sealed record WebhookRow
    {
        public string Reference { get; init; } = "";
        public string Name { get; init; } = "";
        public bool Enabled { get; init; }
        public string Authenticator { get; init; } = "";
        public string Endpoint { get; init; } = "";
        public string Method { get; init; } = "";
        public string PayloadType { get; init; } = "";
        public string RunAsUser { get; init; } = "";
        public string Code { get; init; } = "";
        public string[] Variables { get; init; } = [];
        public string[] Secrets { get; init; } = [];
        public int TimeoutMs { get; init; }
        public RateLimitDefinition? RateLimit { get; init; }
        public int? MaxConcurrency { get; init; }
        public DedupDefinition? Dedup { get; init; }
        public string ResponseMode { get; init; } = ResponseModes.Sync;
        public RetryDefinition? Retry { get; init; }
    }

    private sealed record AuthenticatorRow
    {
        public string Reference { get; init; } = "";
        public string Name { get; init; } = "";
        public string AllowedIps { get; init; } = "";
        public string TrustedProxyIps { get; init; } = "";
        public string Code { get; init; } = "";
        public string[] Variables { get; init; } = [];
        public string[] Secrets { get; init; } = [];
        public VerifierDefinition? Verifier { get; init; }
        public LockoutDefinition? Lockout { get; init; }

        /// <summary>The secrets it links and those its verifier uses: an export carries them all (without values).</summary>
        public IEnumerable<string> LinkedSecrets => Secrets.Concat(new[] { Verifier?.Secret, Verifier?.SecondarySecret }.OfType<string>()).Distinct();
    }

    /// <summary>Code and other multi-line text as literal blocks (<c>|</c>), as a person writes them.</summary>
    private sealed class LiteralMultilineEmitter(IEventEmitter next) : ChainedEventEmitter(next)
    {
        public override void Emit(ScalarEventInfo eventInfo, IEmitter emitter)
        {
            if (eventInfo.Source.Value is string text && text.Contains('\n'))
            {
                eventInfo.Style = ScalarStyle.Literal;
            }

            base.Emit(eventInfo, emitter);
        }
    }
}
