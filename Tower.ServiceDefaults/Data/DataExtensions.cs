using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Microsoft.Extensions.Hosting;

public static class DataExtensions
{
    /// <summary>A singleton <see cref="NpgsqlDataSource"/> for the connection string the launcher gives this service.</summary>
    public static IHostApplicationBuilder AddTowerDatabase(this IHostApplicationBuilder builder, string connectionName)
    {
        var connectionString = builder.Configuration.GetConnectionString(connectionName)
            ?? throw new InvalidOperationException($"The connection string '{connectionName}' is missing; start Tower through its AppHost.");
        builder.Services.AddSingleton(new DatabaseConnection(connectionString));
        builder.Services.AddSingleton(_ => new NpgsqlDataSourceBuilder(connectionString).Build());
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
        return builder;
    }
}

/// <summary>The service's connection string with its password, which <see cref="NpgsqlDataSource.ConnectionString"/> omits.</summary>
public sealed record DatabaseConnection(string ConnectionString);

public static class ReconnectExtensions
{
    /// <summary>
    /// Runs a read once more on fresh connections when it failed on a connection that PostgreSQL
    /// closed (after a restart, every pooled connection is dead until used): the pool is cleared
    /// and the caller never sees the stale connection.
    /// </summary>
    public static async Task<T> WithReconnectAsync<T>(this NpgsqlDataSource dataSource, Func<Task<T>> read)
    {
        try
        {
            return await read();
        }
        catch (NpgsqlException exception) when (exception.IsTransient || exception.InnerException is IOException or System.Net.Sockets.SocketException)
        {
            dataSource.Clear();
            return await read();
        }
    }
}
