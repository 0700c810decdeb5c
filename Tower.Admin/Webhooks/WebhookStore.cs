using Dapper;
using Npgsql;

namespace Tower.Admin.Webhooks;

public sealed class WebhookStore(NpgsqlDataSource dataSource)
{
    private const string Columns =
        "reference, name, enabled, authenticator, endpoint, method, payload_type, run_as_user, code, code_hash, " +
        "variables, secrets, timeout_ms, created_by, created_at, updated_by, updated_at";

    public async Task<IReadOnlyList<Webhook>> ListAsync(string? after, int limit, CancellationToken cancellationToken)
    {
        const string sql = $"SELECT {Columns} FROM webhooks WHERE @after::text IS NULL OR reference > @after ORDER BY reference LIMIT @limit";
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<Webhook>(new CommandDefinition(sql, new { after, limit }, cancellationToken: cancellationToken))).AsList();
    }

    public async Task<Webhook?> FindAsync(string reference, CancellationToken cancellationToken)
    {
        const string sql = $"SELECT {Columns} FROM webhooks WHERE reference = @reference";
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<Webhook>(new CommandDefinition(sql, new { reference }, cancellationToken: cancellationToken));
    }

    /// <summary>The webhook other than <paramref name="except"/> that holds (endpoint, method), if any.</summary>
    public async Task<string?> HolderOfAsync(string endpoint, string method, string except, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT reference FROM webhooks WHERE endpoint = @endpoint AND method = @method AND reference <> @except",
            new { endpoint, method, except }, cancellationToken: cancellationToken));
    }

    public async Task InsertAsync(Webhook webhook, CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO webhooks (reference, name, enabled, authenticator, endpoint, method, payload_type, run_as_user, code,
                code_hash, variables, secrets, timeout_ms, created_by, updated_by)
            VALUES (@Reference, @Name, @Enabled, @Authenticator, @Endpoint, @Method, @PayloadType, @RunAsUser, @Code,
                @CodeHash, @Variables, @Secrets, @TimeoutMs, @CreatedBy, @UpdatedBy)
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(sql, webhook, cancellationToken: cancellationToken));
    }

    public async Task<bool> UpdateAsync(Webhook webhook, CancellationToken cancellationToken)
    {
        const string sql = """
            UPDATE webhooks SET name = @Name, enabled = @Enabled, authenticator = @Authenticator, endpoint = @Endpoint,
                method = @Method, payload_type = @PayloadType, run_as_user = @RunAsUser, code = @Code, code_hash = @CodeHash,
                variables = @Variables, secrets = @Secrets, timeout_ms = @TimeoutMs, updated_by = @UpdatedBy, updated_at = now()
            WHERE reference = @Reference
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(sql, webhook, cancellationToken: cancellationToken)) == 1;
    }

    public async Task<bool> DeleteAsync(string reference, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM webhooks WHERE reference = @reference", new { reference }, cancellationToken: cancellationToken)) == 1;
    }
}
