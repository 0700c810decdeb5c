using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Tower.Admin.Infrastructure;
using Tower.Contracts.Configuration;
using Tower.Scripting;
using Tower.Scripting.Hosting;

namespace Tower.Admin.Internal;

/// <summary>Endpoints for other Tower services only; each requires the service credential.</summary>
internal static class InternalApi
{
    public static RouteGroupBuilder MapInternalApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/internal").RequireServiceCredential().ExcludeFromDescription();
        group.MapGet("/snapshot", SnapshotAsync);
        group.MapGet("/scripts/{hash}", ScriptAsync);
        return group;
    }

    private const string WebhooksSql = """
        SELECT w.reference, w.name, w.authenticator, w.endpoint, w.method, w.payload_type, w.run_as_user,
               u."group" AS run_as_group, w.code_hash, w.timeout_ms, w.variables, w.secrets, w.rate_limit, w.max_concurrency
        FROM webhooks w JOIN users u ON u.login = w.run_as_user
        WHERE w.enabled
        """;

    private const string AuthenticatorsSql =
        "SELECT reference, name, allowed_ips, trusted_proxy_ips, code_hash, variables, secrets, verifier, lockout FROM authenticators";

    /// <summary>Everything the gateway holds in memory, read in one repeatable-read transaction.</summary>
    private static async Task<Ok<ConfigSnapshot>> SnapshotAsync(NpgsqlDataSource dataSource, SecretProtector protector, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var webhooks = await connection.QueryAsync<WebhookRow>(new CommandDefinition(WebhooksSql, transaction: transaction, cancellationToken: cancellationToken));
        var authenticators = await connection.QueryAsync<AuthenticatorRow>(new CommandDefinition(AuthenticatorsSql, transaction: transaction, cancellationToken: cancellationToken));
        var variables = await connection.QueryAsync<(string Reference, string Value)>(new CommandDefinition(
            "SELECT reference, value FROM variables", transaction: transaction, cancellationToken: cancellationToken));
        var secrets = await connection.QueryAsync<(string Reference, byte[] Value)>(new CommandDefinition(
            "SELECT reference, value_encrypted FROM secrets", transaction: transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);

        return TypedResults.Ok(new ConfigSnapshot
        {
            TakenAt = DateTimeOffset.UtcNow,
            Webhooks = webhooks.Select(w => new WebhookDefinition
            {
                Reference = w.Reference, Name = w.Name, Authenticator = w.Authenticator, Endpoint = w.Endpoint, Method = w.Method,
                PayloadType = w.PayloadType, RunAsUser = w.RunAsUser, RunAsGroup = w.RunAsGroup, CodeHash = w.CodeHash,
                TimeoutMs = w.TimeoutMs, Variables = w.Variables, Secrets = w.Secrets, RateLimit = w.RateLimit, MaxConcurrency = w.MaxConcurrency,
            }).ToList(),
            Authenticators = authenticators.Select(a => new AuthenticatorDefinition
            {
                Reference = a.Reference, Name = a.Name, AllowedIps = a.AllowedIps, TrustedProxyIps = a.TrustedProxyIps,
                CodeHash = a.CodeHash, Variables = a.Variables, Secrets = a.Secrets, Verifier = a.Verifier, Lockout = a.Lockout,
            }).ToList(),
            Variables = variables.ToDictionary(v => v.Reference, v => v.Value),
            Secrets = secrets.ToDictionary(s => s.Reference, s => protector.Unprotect(s.Value)),
        });
    }

    /// <summary>The text of the script stored under this hash, for Auth and Executor on a cache miss.</summary>
    private static async Task<Results<Ok<ScriptSource>, NotFound>> ScriptAsync(string hash, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var webhookCode = await connection.QueryFirstOrDefaultAsync<string>(new CommandDefinition(
            "SELECT code FROM webhooks WHERE code_hash = @hash LIMIT 1", new { hash }, cancellationToken: cancellationToken));
        if (webhookCode is not null)
        {
            return TypedResults.Ok(new ScriptSource(ScriptKind.Webhook, webhookCode));
        }

        var authenticatorCode = await connection.QueryFirstOrDefaultAsync<string>(new CommandDefinition(
            "SELECT code FROM authenticators WHERE code_hash = @hash LIMIT 1", new { hash }, cancellationToken: cancellationToken));
        return authenticatorCode is not null
            ? TypedResults.Ok(new ScriptSource(ScriptKind.Authenticator, authenticatorCode))
            : TypedResults.NotFound();
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
