using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Tower.AppHost.Infrastructure;

internal static class LocalPostgres
{
    public static IResourceBuilder<LocalPostgresResource> AddLocalPostgres(
        this IDistributedApplicationBuilder builder, string name, LocalLayout layout, int port)
    {
        var binaries = FindBinaries();
        var password = layout.Key("postgres-password");
        var dataDirectory = layout.OwnedDirectory("postgres", "postgres", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var socketDirectory = layout.OwnedDirectory("postgres-run", "postgres", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Initialize(binaries, dataDirectory, password);

        var passwordParameter = builder.AddParameter($"{name}-password", password, secret: true);
        var (command, prefix) = LocalUser.Command("postgres", Path.Combine(binaries, "postgres"));
        var probe = $"Host=127.0.0.1;Port={port};Username={LocalPostgresResource.UserName};Password={password};Database=postgres;Timeout=3;Pooling=false";
        var resource = new LocalPostgresResource(name, command, dataDirectory, port, passwordParameter.Resource, probe);
        var healthCheckKey = AddSqlCheck(builder, $"{name}_sql", probe, databaseName: null);

        return builder.AddResource(resource)
            .WithArgs([.. prefix, "-D", dataDirectory, "-k", socketDirectory,
                "-c", "listen_addresses=127.0.0.1", "-c", $"port={port}", "-c", "max_connections=200"])
            .WithHealthCheck(healthCheckKey)
            .ExcludeFromManifest();
    }

    /// <summary>
    /// A database on the local server. It shows as running once the server is ready, and healthy
    /// once the service that owns it has created it.
    /// </summary>
    public static IResourceBuilder<LocalPostgresDatabaseResource> AddLocalDatabase(
        this IResourceBuilder<LocalPostgresResource> server, string name, string databaseName)
    {
        var builder = server.ApplicationBuilder;
        var database = new LocalPostgresDatabaseResource(name, databaseName, server.Resource);
        builder.Eventing.Subscribe<ResourceReadyEvent>(server.Resource, (ready, _) =>
            ready.Services.GetRequiredService<ResourceNotificationService>().PublishUpdateAsync(database, state => state with
            {
                State = KnownResourceStates.Running,
                StartTimeStamp = DateTime.UtcNow,
            }));

        var healthCheckKey = AddSqlCheck(builder, $"{name}_exists", server.Resource.ProbeConnectionString, databaseName);

        return builder.AddResource(database)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "PostgresDatabase",
                State = KnownResourceStates.Waiting,
                Properties = [],
            })
            .WithHealthCheck(healthCheckKey)
            .ExcludeFromManifest();
    }

    /// <summary>
    /// A health check that runs a query on the server: <c>SELECT 1</c>, or whether
    /// <paramref name="databaseName"/> exists.
    /// </summary>
    private static string AddSqlCheck(IDistributedApplicationBuilder builder, string key, string connectionString, string? databaseName)
    {
        builder.Services.AddHealthChecks().AddAsyncCheck(key, async cancellationToken =>
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(cancellationToken);
                await using var command = new NpgsqlCommand(
                    databaseName is null ? "SELECT true" : "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", connection);
                if (databaseName is not null)
                {
                    command.Parameters.Add(new NpgsqlParameter { Value = databaseName });
                }

                return await command.ExecuteScalarAsync(cancellationToken) is true
                    ? HealthCheckResult.Healthy()
                    : HealthCheckResult.Unhealthy($"The owning service has not created {databaseName} yet.");
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                return HealthCheckResult.Unhealthy(exception.Message);
            }
        });
        return key;
    }

    private static void Initialize(string binaries, string dataDirectory, string password)
    {
        if (File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            return;
        }

        var passwordFile = Path.Combine(dataDirectory, "..", "postgres-run", "initdb-password");
        File.WriteAllText(passwordFile, password);
        try
        {
            if (LocalLayout.IsRoot)
            {
                LocalLayout.Run("chown", "postgres:postgres", passwordFile);
            }

            var (command, prefix) = LocalUser.Command("postgres", Path.Combine(binaries, "initdb"));
            LocalLayout.Run(command, [.. prefix, "-D", dataDirectory, "-U", LocalPostgresResource.UserName,
                $"--pwfile={passwordFile}", "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8"]);
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    private static string FindBinaries()
    {
        var root = new DirectoryInfo("/usr/lib/postgresql");
        var found = root.Exists
            ? root.GetDirectories()
                .Where(version => File.Exists(Path.Combine(version.FullName, "bin", "postgres")))
                .OrderByDescending(version => int.TryParse(version.Name, out var number) ? number : 0)
                .Select(version => Path.Combine(version.FullName, "bin"))
                .FirstOrDefault()
            : null;
        return found ?? throw new InvalidOperationException(
            "PostgreSQL is not installed: run ./tower.sh run, or apt-get install postgresql rabbitmq-server.");
    }
}
