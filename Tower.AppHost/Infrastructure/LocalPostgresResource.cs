
namespace Tower.AppHost.Infrastructure;

/// <summary>Debian's PostgreSQL server run as a local process, under the resource name a container would have.</summary>
internal sealed class LocalPostgresResource(string name, string command, string workingDirectory, int port, ParameterResource password, string probeConnectionString)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public const string UserName = "tower";

    /// <summary>How the launcher's own health checks connect (to the maintenance database).</summary>
    public string ProbeConnectionString { get; } = probeConnectionString;

    public int Port { get; } = port;

    public ParameterResource Password { get; } = password;

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"Host=127.0.0.1;Port={Port.ToString(System.Globalization.CultureInfo.InvariantCulture)};Username={UserName};Password={Password}");
}
