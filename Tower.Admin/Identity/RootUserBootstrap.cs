using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Tower.Admin.Infrastructure;

namespace Tower.Admin.Identity;

/// <summary>
/// When the system has no users, creates the root user <c>admin</c> with the launcher's key.
/// Later starts register that key for <c>admin</c> again if it is missing (a lost key is
/// recovered by setting <c>TOWER_ROOT_API_KEY</c> and restarting), as long as <c>admin</c> is
/// still a root user.
/// </summary>
public static class RootUserBootstrap
{
    public const string RootLogin = "admin";

    public static async Task EnsureRootUserAsync(this IHost host, CancellationToken cancellationToken = default)
    {
        var dataSource = host.Services.GetRequiredService<NpgsqlDataSource>();
        var options = host.Services.GetRequiredService<IOptions<AdminOptions>>().Value;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("LOCK TABLE users IN EXCLUSIVE MODE", transaction: transaction, cancellationToken: cancellationToken));
        var users = await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT count(*) FROM users", transaction: transaction, cancellationToken: cancellationToken));
        if (users == 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """INSERT INTO users (login, "group", created_by) VALUES (@login, 'root', 'system')""",
                new { login = RootLogin }, transaction, cancellationToken: cancellationToken));
        }

        // The configured key belongs to admin, new or not, as long as admin is a root user.
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO api_keys (id, login, key_hash, prefix)
            SELECT @id, login, @hash, @prefix FROM users WHERE login = @login AND "group" = 'root'
            ON CONFLICT (key_hash) DO NOTHING
            """,
            new { login = RootLogin, id = Guid.CreateVersion7(), hash = ApiKeys.Hash(options.RootApiKey), prefix = ApiKeys.PrefixOf(options.RootApiKey) },
            transaction, cancellationToken: cancellationToken));

        await transaction.CommitAsync(cancellationToken);
    }
}
