using System.Reflection;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Applies a service's versioned SQL migrations (embedded resources named <c>Migrations/NNNN_name.sql</c>)
/// to its own database before the service serves. Creates the database when it does not exist,
/// and holds an advisory lock so that replicas starting together apply each migration once.
/// </summary>
public static class DatabaseMigrations
{
    private const long LockKey = 0x746f776572; // "tower"

    public static async Task MigrateDatabaseAsync(this IHost host, Assembly migrationsAssembly, CancellationToken cancellationToken = default)
    {
        var dataSource = host.Services.GetRequiredService<NpgsqlDataSource>();
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseMigrations));
        await EnsureDatabaseExistsAsync(dataSource, host.Services.GetRequiredService<DatabaseConnection>(), logger, cancellationToken);

        var migrations = migrationsAssembly.GetManifestResourceNames()
            .Where(name => name.Contains(".Migrations.", StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
            .Select(name => (Resource: name, Version: name.Split(".Migrations.")[1][..^4]))
            .OrderBy(migration => migration.Version, StringComparer.Ordinal)
            .ToList();

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(@LockKey)", new { LockKey }, cancellationToken: cancellationToken));
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version text PRIMARY KEY,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """, cancellationToken: cancellationToken));
            var applied = (await connection.QueryAsync<string>(new CommandDefinition(
                "SELECT version FROM schema_migrations", cancellationToken: cancellationToken))).ToHashSet();

            foreach (var (resource, version) in migrations.Where(migration => !applied.Contains(migration.Version)))
            {
                await using var stream = migrationsAssembly.GetManifestResourceStream(resource)!;
                var sql = await new StreamReader(stream).ReadToEndAsync(cancellationToken);
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await connection.ExecuteAsync(new CommandDefinition(sql, transaction: transaction, cancellationToken: cancellationToken));
                await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO schema_migrations (version) VALUES (@version)", new { version }, transaction, cancellationToken: cancellationToken));
                await transaction.CommitAsync(cancellationToken);
                logger.LogInformation("Applied migration {Version}", version);
            }
        }
        finally
        {
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_unlock(@LockKey)", new { LockKey }, cancellationToken: CancellationToken.None));
        }
    }

    private static async Task EnsureDatabaseExistsAsync(NpgsqlDataSource dataSource, DatabaseConnection settings, ILogger logger, CancellationToken cancellationToken)
    {
        var target = new NpgsqlConnectionStringBuilder(settings.ConnectionString);
        try
        {
            await using var probe = await dataSource.OpenConnectionAsync(cancellationToken);
            return;
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.InvalidCatalogName)
        {
            logger.LogInformation("Creating database {Database}", target.Database);
        }

        var maintenance = new NpgsqlConnectionStringBuilder(settings.ConnectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(maintenance.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        var quoted = "\"" + target.Database!.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        try
        {
            await connection.ExecuteAsync(new CommandDefinition($"CREATE DATABASE {quoted}", cancellationToken: cancellationToken));
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            // Another replica created it first.
        }
    }
}
