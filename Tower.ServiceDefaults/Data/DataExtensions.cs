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
