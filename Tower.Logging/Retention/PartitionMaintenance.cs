using System.Globalization;
using Dapper;
using Npgsql;

namespace Tower.Logging.Retention;

/// <summary>
/// Keeps the call log's daily partitions: creates them ahead of time (moving any rows the
/// default partition caught for that day), drops those wholly older than the retention limit,
/// and deletes the old rows of the boundary day. Replicas take turns through an advisory lock.
/// </summary>
public sealed partial class PartitionMaintenance(NpgsqlDataSource dataSource, SettingsStore settings, TimeProvider time,
    ILogger<PartitionMaintenance> logger)
{
    public const int DaysAhead = 7;
    private const long LockKey = 0x746f7765725f72; // "tower_r"
    private const string Prefix = "webhook_calls_p";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var retentionDays = await settings.RetentionDaysAsync(cancellationToken);
        var now = time.GetUtcNow();
        var cutoff = now.AddDays(-retentionDays);
        var today = DateOnly.FromDateTime(now.UtcDateTime);

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT pg_try_advisory_lock(@LockKey)", new { LockKey }, cancellationToken: cancellationToken)))
        {
            return;
        }

        try
        {
            var existing = await PartitionDaysAsync(connection, cancellationToken);
            var created = 0;
            for (var day = today.AddDays(-1); day <= today.AddDays(DaysAhead); day = day.AddDays(1))
            {
                if (!existing.Contains(day) && Start(day) >= cutoff.UtcDateTime.Date)
                {
                    await CreatePartitionAsync(connection, day, cancellationToken);
                    created++;
                }
            }

            var dropped = 0;
            foreach (var day in existing.Where(day => Start(day.AddDays(1)) <= cutoff.UtcDateTime))
            {
                await connection.ExecuteAsync(new CommandDefinition($"DROP TABLE IF EXISTS {Name(day)}", cancellationToken: cancellationToken));
                dropped++;
            }

            var deleted = await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM webhook_calls WHERE created_at < @cutoff", new { cutoff = cutoff.UtcDateTime }, cancellationToken: cancellationToken));
            LogMaintained(logger, retentionDays, created, dropped, deleted);
        }
        finally
        {
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_unlock(@LockKey)", new { LockKey }, cancellationToken: CancellationToken.None));
        }
    }

    /// <summary>The days that have a partition of their own.</summary>
    public static async Task<HashSet<DateOnly>> PartitionDaysAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT c.relname FROM pg_inherits i
            JOIN pg_class c ON c.oid = i.inhrelid
            JOIN pg_class p ON p.oid = i.inhparent
            WHERE p.relname = 'webhook_calls'
            """;
        var names = await connection.QueryAsync<string>(new CommandDefinition(sql, cancellationToken: cancellationToken));
        return names
            .Where(name => name.StartsWith(Prefix, StringComparison.Ordinal))
            .Select(name => DateOnly.ParseExact(name[Prefix.Length..], "yyyyMMdd", CultureInfo.InvariantCulture))
            .ToHashSet();
    }

    /// <summary>Creates the day's partition, moving in any rows of that day the default partition holds.</summary>
    private static async Task CreatePartitionAsync(NpgsqlConnection connection, DateOnly day, CancellationToken cancellationToken)
    {
        var name = Name(day);
        var from = Start(day);
        var to = Start(day.AddDays(1));
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var sql = $"""
            CREATE TABLE {name} (LIKE webhook_calls INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
            INSERT INTO {name} SELECT * FROM webhook_calls_default WHERE created_at >= @from AND created_at < @to;
            DELETE FROM webhook_calls_default WHERE created_at >= @from AND created_at < @to;
            ALTER TABLE webhook_calls ATTACH PARTITION {name} FOR VALUES FROM ('{Day(from)} 00:00:00+00') TO ('{Day(to)} 00:00:00+00');
            """;
        await connection.ExecuteAsync(new CommandDefinition(sql, new { from, to }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }

    private static string Day(DateTime start) => start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Name(DateOnly day) => Prefix + day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private static DateTime Start(DateOnly day) => day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Call log maintenance: retention {Days} days; {Created} partitions created, {Dropped} dropped, {Deleted} old rows deleted")]
    private static partial void LogMaintained(ILogger logger, int days, int created, int dropped, int deleted);
}
