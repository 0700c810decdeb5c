using System.Globalization;

namespace Tower.AppHost.Infrastructure;

/// <summary>Debian's RabbitMQ server run as a local process, under the resource name a container would have.</summary>
internal sealed class LocalRabbitMQResource(string name, string command, string workingDirectory, int port, ParameterResource password)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public const string UserName = "tower";

    public int Port { get; } = port;

    public ParameterResource Password { get; } = password;

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"amqp://{UserName}:{Password}@127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/");
}
