using Dapper;
using Tower.Admin.Infrastructure;

namespace Tower.Admin.Webhooks;

public sealed class WebhookStore(AdminDb db)
{
    private const string Columns =
        "reference, name, enabled, authenticator, endpoint, method, payload_type, run_as_user, code, code_hash, " +
        "variables, secrets, timeout_ms, rate_limit, max_concurrency, dedup, response_mode, retry, created_by, created_at, updated_by, updated_at, version";

    public async Task<IReadOnlyList<Webhook>> ListAsync(string? after, int limit, CancellationToken ct)
    {
        const string sql = $"SELECT {Columns} FROM webhooks WHERE @after::text IS NULL OR reference > @after ORDER BY reference LIMIT @limit";
        return await db.QueryAsync<Webhook>(sql, new { after, limit }, ct);
    }

    /// <summary>A page of the webhooks whose code is one of <paramref name="codeHashes"/> (script identities).</summary>
    public async Task<IReadOnlyList<Webhook>> ListHoldingAsync(string[] codeHashes, string? after, int limit, CancellationToken ct)
    {
        const string sql = $"""
            SELECT {Columns} FROM webhooks
            WHERE code_hash = ANY(@codeHashes) AND (@after::text IS NULL OR reference > @after)
            ORDER BY reference LIMIT @limit
            """;
        return await db.QueryAsync<Webhook>(sql, new { codeHashes, after, limit }, ct);
    }

    public Task<Webhook?> FindAsync(string reference, CancellationToken ct)
    {
        const string sql = $"SELECT {Columns} FROM webhooks WHERE reference = @reference";
        return db.QuerySingleOrDefaultAsync<Webhook>(sql, new { reference }, ct);
    }

    public async Task<bool> ExistsAsync(string reference, CancellationToken ct) =>
        await db.ScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM webhooks WHERE reference = @reference)", new { reference }, ct);

    /// <summary>The webhook other than <paramref name="except"/> that holds (endpoint, method), if any.</summary>
    public Task<string?> HolderOfAsync(string endpoint, string method, string except, CancellationToken ct) =>
        db.ScalarAsync<string?>(
            "SELECT reference FROM webhooks WHERE endpoint = @endpoint AND method = @method AND reference <> @except",
            new { endpoint, method, except }, ct);

    public async Task InsertAsync(Webhook webhook, CancellationToken ct)
    {
        const string sql = """
            INSERT INTO webhooks (reference, name, enabled, authenticator, endpoint, method, payload_type, run_as_user, code,
                code_hash, variables, secrets, timeout_ms, rate_limit, max_concurrency, dedup, response_mode, retry, created_by, updated_by)
            VALUES (@Reference, @Name, @Enabled, @Authenticator, @Endpoint, @Method, @PayloadType, @RunAsUser, @Code,
                @CodeHash, @Variables, @Secrets, @TimeoutMs, @RateLimit, @MaxConcurrency, @Dedup, @ResponseMode, @Retry, @CreatedBy, @UpdatedBy)
            """;
        await db.ExecuteAsync(sql, webhook, ct);
    }

    /// <summary>Replaces the webhook when it exists and meets <paramref name="ifMatch"/>, giving it a new version.</summary>
    public async Task<WriteOutcome> UpdateAsync(Webhook webhook, IfMatch ifMatch, CancellationToken ct)
    {
        const string sql = $"""
            UPDATE webhooks SET name = @Name, enabled = @Enabled, authenticator = @Authenticator, endpoint = @Endpoint,
                method = @Method, payload_type = @PayloadType, run_as_user = @RunAsUser, code = @Code, code_hash = @CodeHash,
                variables = @Variables, secrets = @Secrets, timeout_ms = @TimeoutMs, rate_limit = @RateLimit,
                max_concurrency = @MaxConcurrency, dedup = @Dedup, response_mode = @ResponseMode, retry = @Retry, updated_by = @UpdatedBy, updated_at = now(),
                version = gen_random_uuid()
            WHERE reference = @Reference AND {IfMatch.Condition}
            """;
        return await OutcomeAsync(await db.ExecuteAsync(sql, ifMatch.AddTo(new DynamicParameters(webhook)), ct), webhook.Reference, ct);
    }

    public async Task<WriteOutcome> DeleteAsync(string reference, IfMatch ifMatch, CancellationToken ct)
    {
        const string sql = $"DELETE FROM webhooks WHERE reference = @reference AND {IfMatch.Condition}";
        return await OutcomeAsync(await db.ExecuteAsync(sql, ifMatch.AddTo(new DynamicParameters(new { reference })), ct), reference, ct);
    }

    private async Task<WriteOutcome> OutcomeAsync(int written, string reference, CancellationToken ct) =>
        written == 1 ? WriteOutcome.Written : await ExistsAsync(reference, ct) ? WriteOutcome.Stale : WriteOutcome.NotFound;
}
