using Npgsql;

namespace Microsoft.Extensions.Hosting;

/// <summary>The service's connection string with its password, which <see cref="NpgsqlDataSource.ConnectionString"/> omits.</summary>
public sealed record DatabaseConnection(string ConnectionString);
