using System.Data;
using Dapper;
using Tower.Admin.Infrastructure;

namespace Tower.Admin.Authenticators;

public sealed class AuthenticatorStore(AdminDb db)
{
    private const string Columns =
        "reference, name, allowed_ips, trusted_proxy_ips, code, code_hash, variables, secrets, verifier, lockout, created_by, created_at, updated_by, updated_at, version";

    public async Task<IReadOnlyList<Authenticator>> ListAsync(string? after, int limit, CancellationToken ct)
    {
        const string sql = $"SELECT {Columns} FROM authenticators WHERE @after::text IS NULL OR reference > @after ORDER BY reference LIMIT @limit";
        return await db.QueryAsync<Authenticator>(sql, new { after, limit }, ct);
    }

    /// <summary>A page of the authenticators whose code is one of <paramref name="codeHashes"/> (script identities).</summary>
    public async Task<IReadOnlyList<Authenticator>> ListHoldingAsync(string[] codeHashes, string? after, int limit, CancellationToken ct)
    {
        const string sql = $"""
            SELECT {Columns} FROM authenticators
            WHERE code_hash = ANY(@codeHashes) AND (@after::text IS NULL OR reference > @after)
            ORDER BY reference LIMIT @limit
            """;
        return await db.QueryAsync<Authenticator>(sql, new { codeHashes, after, limit }, ct);
    }

    public Task<Authenticator?> FindAsync(string reference, CancellationToken ct)
    {
        const string sql = $"SELECT {Columns} FROM authenticators WHERE reference = @reference";
        return db.QuerySingleOrDefaultAsync<Authenticator>(sql, new { reference }, ct);
    }

    public async Task<bool> ExistsAsync(string reference, CancellationToken ct) =>
        await db.ScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM authenticators WHERE reference = @reference)", new { reference }, ct);

    public async Task InsertAsync(Authenticator authenticator, CancellationToken ct)
    {
        const string sql = """
            INSERT INTO authenticators (reference, name, allowed_ips, trusted_proxy_ips, code, code_hash, variables, secrets, verifier, lockout, created_by, updated_by)
            VALUES (@Reference, @Name, @AllowedIps, @TrustedProxyIps, @Code, @CodeHash, @Variables, @Secrets, @Verifier, @Lockout, @CreatedBy, @UpdatedBy)
            """;
        await db.ExecuteAsync(sql, authenticator, ct);
    }

    /// <summary>Replaces the authenticator when it exists and meets <paramref name="ifMatch"/>, giving it a new version.</summary>
    public async Task<WriteOutcome> UpdateAsync(Authenticator authenticator, IfMatch ifMatch, CancellationToken ct)
    {
        const string sql = $"""
            UPDATE authenticators SET name = @Name, allowed_ips = @AllowedIps, trusted_proxy_ips = @TrustedProxyIps,
                code = @Code, code_hash = @CodeHash, variables = @Variables, secrets = @Secrets, verifier = @Verifier, lockout = @Lockout,
                updated_by = @UpdatedBy, updated_at = now(), version = gen_random_uuid()
            WHERE reference = @Reference AND {IfMatch.Condition}
            """;
        return await OutcomeAsync(await db.ExecuteAsync(sql, ifMatch.AddTo(new DynamicParameters(authenticator)), ct), authenticator.Reference, ct);
    }

    /// <summary>
    /// Deletes the authenticator unless webhooks use it (then returns those webhooks' references)
    /// or it does not meet <paramref name="ifMatch"/>.
    /// </summary>
    public async Task<(WriteOutcome Outcome, IReadOnlyList<string> UsedBy)> DeleteAsync(string reference, IfMatch ifMatch, CancellationToken ct)
    {
        await using var transaction = await db.BeginAsync(IsolationLevel.ReadCommitted, ct);
        var usedBy = await db.QueryAsync<string>(
            "SELECT reference FROM webhooks WHERE authenticator = @reference ORDER BY reference FOR UPDATE", new { reference }, ct);
        if (usedBy.Count > 0)
        {
            return (WriteOutcome.InUse, usedBy);
        }

        const string sql = $"DELETE FROM authenticators WHERE reference = @reference AND {IfMatch.Condition}";
        var outcome = await OutcomeAsync(await db.ExecuteAsync(sql, ifMatch.AddTo(new DynamicParameters(new { reference })), ct), reference, ct);
        await transaction.CommitAsync(ct);
        return (outcome, []);
    }

    private async Task<WriteOutcome> OutcomeAsync(int written, string reference, CancellationToken ct) =>
        written == 1 ? WriteOutcome.Written : await ExistsAsync(reference, ct) ? WriteOutcome.Stale : WriteOutcome.NotFound;
}
