using System.Globalization;
using Dapper;
using Npgsql;

namespace Tower.Logging.Retention;

/// <summary>The Logging service's settings, stored in its own database.</summary>
public sealed class SettingsStore(NpgsqlDataSource dataSource)
{
    public const string RetentionDaysKey = "webhook_log_retention_days";
    public const int DefaultRetentionDays = 30;
    public const int MaxRetentionDays = 36500;

    public async Task<int> RetentionDaysAsync(CancellationToken cancellationToken)
    {
        var value = await dataSource.WithReconnectAsync(async () =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            return await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
                "SELECT value FROM settings WHERE key = @key", new { key = RetentionDaysKey }, cancellationToken: cancellationToken));
        });
        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days >= 1 ? days : DefaultRetentionDays;
    }

    public async Task SetRetentionDaysAsync(int days, CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO settings (key, value) VALUES (@key, @value)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(sql,
            new { key = RetentionDaysKey, value = days.ToString(CultureInfo.InvariantCulture) }, cancellationToken: cancellationToken));
    }
}
