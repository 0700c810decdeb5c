using Dapper;
using Npgsql;

namespace Tower.Admin.Authenticators;

public sealed class AuthenticatorStore(NpgsqlDataSource dataSource)
{
    private const string Columns =
        "reference, name, allowed_ips, trusted_proxy_ips, code, code_hash, variables, secrets, created_by, created_at, updated_by, updated_at";

    public async Task<IReadOnlyList<Authenticator>> ListAsync(string? after, int limit, CancellationToken cancellationToken)
    {
        const string sql = $"SELECT {Columns} FROM authenticators WHERE @after::text IS NULL OR reference > @after ORDER BY reference LIMIT @limit";
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<Authenticator>(new CommandDefinition(sql, new { after, limit }, cancellationToken: cancellationToken))).AsList();
    }

    public async Task<Authenticator?> FindAsync(string reference, CancellationToken cancellationToken)
    {
        const string sql = $"SELECT {Columns} FROM authenticators WHERE reference = @reference";
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<Authenticator>(new CommandDefinition(sql, new { reference }, cancellationToken: cancellationToken));
    }

    public async Task<bool> ExistsAsync(string reference, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM authenticators WHERE reference = @reference)", new { reference }, cancellationToken: cancellationToken));
    }

    public async Task InsertAsync(Authenticator authenticator, CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO authenticators (reference, name, allowed_ips, trusted_proxy_ips, code, code_hash, variables, secrets, created_by, updated_by)
            VALUES (@Reference, @Name, @AllowedIps, @TrustedProxyIps, @Code, @CodeHash, @Variables, @Secrets, @CreatedBy, @UpdatedBy)
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(sql, authenticator, cancellationToken: cancellationToken));
    }

    public async Task<bool> UpdateAsync(Authenticator authenticator, CancellationToken cancellationToken)
    {
        const string sql = """
            UPDATE authenticators SET name = @Name, allowed_ips = @AllowedIps, trusted_proxy_ips = @TrustedProxyIps,
                code = @Code, code_hash = @CodeHash, variables = @Variables, secrets = @Secrets,
                updated_by = @UpdatedBy, updated_at = now()
            WHERE reference = @Reference
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(sql, authenticator, cancellationToken: cancellationToken)) == 1;
    }

    /// <summary>Deletes the authenticator unless webhooks use it; returns those webhooks' references.</summary>
    public async Task<(bool Deleted, IReadOnlyList<string> UsedBy)> DeleteAsync(string reference, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var usedBy = (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT reference FROM webhooks WHERE authenticator = @reference ORDER BY reference FOR UPDATE",
            new { reference }, transaction, cancellationToken: cancellationToken))).AsList();
        if (usedBy.Count > 0)
        {
            return (false, usedBy);
        }

        var deleted = await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM authenticators WHERE reference = @reference", new { reference }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return (deleted == 1, []);
    }
}
