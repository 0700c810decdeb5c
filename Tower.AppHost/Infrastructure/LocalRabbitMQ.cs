using System.Globalization;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Tower.AppHost.Infrastructure;

internal static class LocalRabbitMQ
{
    private const string ServerScript = "/usr/lib/rabbitmq/bin/rabbitmq-server";

    /// <summary>
    /// Adds epmd (its own resource, on its own port, so that no stray epmd outlives the run) and
    /// the RabbitMQ node that registers with it, both listening on loopback only.
    /// </summary>
    public static IResourceBuilder<LocalRabbitMQResource> AddLocalRabbitMQ(
        this IDistributedApplicationBuilder builder, string name, LocalLayout layout, int port, int distributionPort, int epmdPort)
    {
        if (!File.Exists(ServerScript))
        {
            throw new InvalidOperationException(
                "RabbitMQ is not installed: run ./tower.sh run, or apt-get install postgresql rabbitmq-server.");
        }

        var password = layout.Key("rabbitmq-password");
        var home = layout.OwnedDirectory("rabbitmq", "rabbitmq", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        WriteConfiguration(home, password);

        var (epmdCommand, epmdPrefix) = LocalUser.Command("rabbitmq", "/usr/bin/epmd");
        var epmd = builder.AddExecutable($"{name}-epmd", epmdCommand, home,
                [.. epmdPrefix, "-address", "127.0.0.1", "-port", epmdPort.ToString(CultureInfo.InvariantCulture)])
            .WithHealthCheck(AddTcpCheck(builder, $"{name}-epmd_tcp", epmdPort, amqp: false))
            .ExcludeFromManifest();

        var passwordParameter = builder.AddParameter($"{name}-password", password, secret: true);
        var (command, prefix) = LocalUser.Command("rabbitmq", ServerScript);
        var resource = new LocalRabbitMQResource(name, command, home, port, passwordParameter.Resource);
        return builder.AddResource(resource)
            .WithArgs(prefix)
            .WithEnvironment("HOME", home)
            .WithEnvironment("RABBITMQ_NODENAME", "tower@localhost")
            .WithEnvironment("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1")
            .WithEnvironment("RABBITMQ_NODE_PORT", port.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("RABBITMQ_DIST_PORT", distributionPort.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("ERL_EPMD_PORT", epmdPort.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("ERL_EPMD_ADDRESS", "127.0.0.1")
            // The Erlang distribution port (for rabbitmqctl) on loopback too: by default it listens on every
            // address. Idle schedulers sleep instead of spinning (+sbwt none…), as RabbitMQ advises for hosts
            // whose cores the broker shares with other processes.
            .WithEnvironment("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS",
                "-start_epmd false -kernel inet_dist_use_interface {127,0,0,1} +sbwt none +sbwtdcpu none +sbwtdio none")
            .WithEnvironment("RABBITMQ_MNESIA_BASE", Path.Combine(home, "mnesia"))
            .WithEnvironment("RABBITMQ_LOG_BASE", Path.Combine(home, "log"))
            .WithEnvironment("RABBITMQ_LOGS", "-")
            .WithEnvironment("RABBITMQ_CONFIG_FILE", Path.Combine(home, "rabbitmq.conf"))
            .WithEnvironment("RABBITMQ_ADVANCED_CONFIG_FILE", Path.Combine(home, "advanced.config"))
            .WithEnvironment("RABBITMQ_CONF_ENV_FILE", Path.Combine(home, "rabbitmq-env.conf"))
            .WithEnvironment("RABBITMQ_ENABLED_PLUGINS_FILE", Path.Combine(home, "enabled_plugins"))
            // Makes the start script exec the Erlang VM itself, so that stopping the resource stops the broker.
            .WithEnvironment("RUNNING_UNDER_SYSTEMD", "true")
            .WithHealthCheck(AddTcpCheck(builder, $"{name}_amqp", port, amqp: true))
            .WaitFor(epmd)
            .ExcludeFromManifest();
    }

    private static void WriteConfiguration(string home, string password)
    {
        // Queues declared from now on are classic queues of version 2 (RabbitMQ 3.10 still makes
        // version 1 by default): the broker's CPU per call-record batch fell by about a tenth, and
        // calls are answered sooner (0.077 -> 0.088x the floor in the benchmark). Queues an older
        // data folder holds keep their version.
        File.WriteAllText(Path.Combine(home, "rabbitmq.conf"), $"""
            default_user = {LocalRabbitMQResource.UserName}
            default_pass = {password}
            log.console = true
            log.console.level = warning
            log.file = false
            classic_queue.default_version = 2
            """);
        File.WriteAllText(Path.Combine(home, "enabled_plugins"), "[].\n");
        File.WriteAllText(Path.Combine(home, "rabbitmq-env.conf"), "");
        foreach (var file in new[] { "rabbitmq.conf", "enabled_plugins", "rabbitmq-env.conf" })
        {
            var path = Path.Combine(home, file);
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            if (LocalLayout.IsRoot)
            {
                LocalLayout.Run("chown", "rabbitmq:rabbitmq", path);
            }
        }
    }

    /// <summary>
    /// A health check that connects to the port; for AMQP it also sends the protocol header and
    /// waits for the broker's Connection.Start frame, which only a booted broker sends.
    /// </summary>
    private static string AddTcpCheck(IDistributedApplicationBuilder builder, string key, int port, bool amqp)
    {
        builder.Services.AddHealthChecks().AddAsyncCheck(key, async cancellationToken =>
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(3));
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port, timeout.Token);
                if (!amqp)
                {
                    return HealthCheckResult.Healthy();
                }

                var stream = client.GetStream();
                await stream.WriteAsync("AMQP\0\0\u0009\u0001"u8.ToArray(), timeout.Token);
                var frame = new byte[1];
                var read = await stream.ReadAsync(frame, timeout.Token);
                return read == 1 && frame[0] == 1
                    ? HealthCheckResult.Healthy()
                    : HealthCheckResult.Unhealthy("The broker did not start the AMQP handshake.");
            }
            catch (Exception exception) when (exception is SocketException or IOException or OperationCanceledException)
            {
                return HealthCheckResult.Unhealthy(exception.Message);
            }
        });
        return key;
    }
}
