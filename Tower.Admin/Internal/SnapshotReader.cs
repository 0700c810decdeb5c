using Dapper;
using Npgsql;
using Tower.Admin.Infrastructure;
using Tower.Contracts.Configuration;

namespace Tower.Admin.Internal;

/// <summary>
/// Reads the configuration the gateway serves from (<see cref="ConfigSnapshot"/>) in one
/// repeatable-read transaction: every enabled webhook, or one webhook whatever its state (a
/// test or replay runs disabled webhooks too), with the authenticators and values they use.
/// </summary>
public static class SnapshotReader
{
    private const string WebhooksSql = """
        SELECT w.reference, w.name, w.authenticator, w.endpoint, w.method, w.payload_type, w.run_as_user,
               u."group" AS run_as_group, w.code_hash, w.timeout_ms, w.variables, w.secrets, w.rate_limit, w.max_concurrency, w.dedup,
               w.response_mode, w.retry
        FROM webhooks w JOIN users u ON u.login = w.run_as_user
        WHERE (@onlyWebhook::text IS NULL AND w.enabled) OR w.reference = @onlyWebhook
        """;

    private const string AuthenticatorsSql =
        "SELECT reference, name, allowed_ips, trusted_proxy_ips, code_hash, variables, secrets, verifier, lockout FROM authenticators";

    public static async Task<ConfigSnapshot> ReadAsync(NpgsqlDataSource dataSource, SecretProtector protector, string? onlyWebhook, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var webhooks = await connection.QueryAsync<WebhookRow>(new CommandDefinition(WebhooksSql, new { onlyWebhook }, transaction, cancellationToken: cancellationToken));
        var authenticators = await connection.QueryAsync<AuthenticatorRow>(new CommandDefinition(AuthenticatorsSql, transaction: transaction, cancellationToken: cancellationToken));
        var variables = await connection.QueryAsync<(string Reference, string Value)>(new CommandDefinition(
            "SELECT reference, value FROM variables", transaction: transaction, cancellationToken: cancellationToken));
        var secrets = await connection.QueryAsync<(string Reference, byte[] Value)>(new CommandDefinition(
            "SELECT reference, value_encrypted FROM secrets", transaction: transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);

        var snapshot = new ConfigSnapshot
        {
            TakenAt = DateTimeOffset.UtcNow,
            Webhooks = webhooks.Select(w => new WebhookDefinition
            {
                Reference = w.Reference, Name = w.Name, Authenticator = w.Authenticator, Endpoint = w.Endpoint, Method = w.Method,
                PayloadType = w.PayloadType, RunAsUser = w.RunAsUser, RunAsGroup = w.RunAsGroup, CodeHash = w.CodeHash,
                TimeoutMs = w.TimeoutMs, Variables = w.Variables, Secrets = w.Secrets, RateLimit = w.RateLimit, MaxConcurrency = w.MaxConcurrency,
                Dedup = w.Dedup, ResponseMode = w.ResponseMode, Retry = w.Retry,
            }).ToList(),
            Authenticators = authenticators.Select(a => new AuthenticatorDefinition
            {
                Reference = a.Reference, Name = a.Name, AllowedIps = a.AllowedIps, TrustedProxyIps = a.TrustedProxyIps,
                CodeHash = a.CodeHash, Variables = a.Variables, Secrets = a.Secrets, Verifier = a.Verifier, Lockout = a.Lockout,
            }).ToList(),
            Variables = variables.ToDictionary(v => v.Reference, v => v.Value),
            Secrets = secrets.ToDictionary(s => s.Reference, s => protector.Unprotect(s.Value)),
        };
        return onlyWebhook is null ? snapshot : Narrowed(snapshot);
    }

    /// <summary>A one-webhook snapshot with only its authenticator and the values both link: a run carries no other secret.</summary>
    private static ConfigSnapshot Narrowed(ConfigSnapshot snapshot)
    {
        var authenticators = snapshot.Authenticators.Where(a => snapshot.Webhooks.Any(w => w.Authenticator == a.Reference)).ToList();
        var variables = snapshot.Webhooks.SelectMany(w => w.Variables).Concat(authenticators.SelectMany(a => a.Variables)).ToHashSet();
        var secrets = snapshot.Webhooks.SelectMany(w => w.Secrets)
            .Concat(authenticators.SelectMany(a => a.Secrets.Concat(new[] { a.Verifier?.Secret, a.Verifier?.SecondarySecret }.OfType<string>())))
            .ToHashSet();
        return snapshot with
        {
            Authenticators = authenticators,
            Variables = snapshot.Variables.Where(pair => variables.Contains(pair.Key)).ToDictionary(),
            Secrets = snapshot.Secrets.Where(pair => secrets.Contains(pair.Key)).ToDictionary(),
        };
    }

    private sealed record WebhookRow
    {
        public string Reference { get; init; } = "";
        public string Name { get; init; } = "";
        public string Authenticator { get; init; } = "";
        public string Endpoint { get; init; } = "";
        public string Method { get; init; } = "";
        public string PayloadType { get; init; } = "";
        public string RunAsUser { get; init; } = "";
        public string RunAsGroup { get; init; } = "";
        public string? CodeHash { get; init; }
        public int TimeoutMs { get; init; }
        public string[] Variables { get; init; } = [];
        public string[] Secrets { get; init; } = [];
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
        public string? CodeHash { get; init; }
        public string[] Variables { get; init; } = [];
        public string[] Secrets { get; init; } = [];
        public VerifierDefinition? Verifier { get; init; }
        public LockoutDefinition? Lockout { get; init; }
    }
}
