using System.Data;
using Tower.Admin.Infrastructure;

namespace Tower.Admin.Authenticators;

public sealed class AuthenticatorStore(AdminDb db)
{
    private const string Columns =
        "reference, name, allowed_ips, trusted_proxy_ips, code, code_hash, variables, secrets, created_by, created_at, updated_by, updated_at";

    public async Task<IReadOnlyList<Authenticator>> ListAsync(string? after, int limit, CancellationToken ct)
    {
        const string sql = $"SELECT {Columns} FROM authenticators WHERE @after::text IS NULL OR reference > @after ORDER BY reference LIMIT @limit";
        return await db.QueryAsync<Authenticator>(sql, new { after, limit }, ct);
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
            INSERT INTO authenticators (reference, name, allowed_ips, trusted_proxy_ips, code, code_hash, variables, secrets, created_by, updated_by)
            VALUES (@Reference, @Name, @AllowedIps, @TrustedProxyIps, @Code, @CodeHash, @Variables, @Secrets, @CreatedBy, @UpdatedBy)
            """;
        await db.ExecuteAsync(sql, authenticator, ct);
    }

    public async Task<bool> UpdateAsync(Authenticator authenticator, CancellationToken ct)
    {
        const string sql = """
            UPDATE authenticators SET name = @Name, allowed_ips = @AllowedIps, trusted_proxy_ips = @TrustedProxyIps,
                code = @Code, code_hash = @CodeHash, variables = @Variables, secrets = @Secrets,
                updated_by = @UpdatedBy, updated_at = now()
            WHERE reference = @Reference
            """;
        return await db.ExecuteAsync(sql, authenticator, ct) == 1;
    }

    /// <summary>Deletes the authenticator unless webhooks use it; returns those webhooks' references.</summary>
    public async Task<(bool Deleted, IReadOnlyList<string> UsedBy)> DeleteAsync(string reference, CancellationToken ct)
    {
        await using var transaction = await db.BeginAsync(IsolationLevel.ReadCommitted, ct);
        var usedBy = await db.QueryAsync<string>(
            "SELECT reference FROM webhooks WHERE authenticator = @reference ORDER BY reference FOR UPDATE", new { reference }, ct);
        if (usedBy.Count > 0)
        {
            return (false, usedBy);
        }

        var deleted = await db.ExecuteAsync("DELETE FROM authenticators WHERE reference = @reference", new { reference }, ct);
        await transaction.CommitAsync(ct);
        return (deleted == 1, []);
    }
}
