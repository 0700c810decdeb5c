using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Tower.Scripting.Hosting;

/// <summary>
/// Listens for the gateway's script-hop connections at <c>ScriptHop:Url</c> (<c>tcp://host:port</c>;
/// <c>localhost</c> binds both loopback addresses, <c>*</c> every address) and serves each on a
/// thread of its own (<see cref="ScriptHopHandler"/>). A gateway keeps a few connections open,
/// so at most <see cref="MaxConnections"/> are served at once; further ones are closed at once.
/// </summary>
public sealed partial class ScriptHopListener(ScriptHopHandler handler, IConfiguration configuration, ILogger<ScriptHopListener> logger)
    : BackgroundService
{
    public const string UrlKey = "ScriptHop:Url";

    public const int MaxConnections = 64;

    private readonly List<Socket> _listeners = [];
    private int _connections;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var endpoint in Endpoints(configuration[UrlKey]))
        {
            var listener = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            if (endpoint.Address.Equals(IPAddress.IPv6Any))
            {
                listener.DualMode = true;
            }

            listener.Bind(endpoint);
            listener.Listen(128);
            _listeners.Add(listener);
            LogListening(logger, listener.LocalEndPoint?.ToString() ?? endpoint.ToString());
        }

        return base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_listeners.Select(listener => AcceptAsync(listener, stoppingToken)));

    private async Task AcceptAsync(Socket listener, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await listener.AcceptAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException exception)
            {
                LogAcceptFailed(logger, exception.Message);
                continue;
            }

            if (Interlocked.Increment(ref _connections) > MaxConnections)
            {
                Interlocked.Decrement(ref _connections);
                LogTooMany(logger, connection.RemoteEndPoint?.ToString() ?? "?", MaxConnections);
                connection.Dispose();
                continue;
            }

            new Thread(() =>
            {
                try
                {
                    handler.Serve(connection);
                }
                finally
                {
                    Interlocked.Decrement(ref _connections);
                }
            })
            { IsBackground = true, Name = "hop connection" }.Start();
        }
    }

    public override void Dispose()
    {
        foreach (var listener in _listeners)
        {
            listener.Dispose();
        }

        base.Dispose();
    }

    /// <summary>The addresses <paramref name="url"/> names; a missing or malformed URL stops the service with the reason.</summary>
    public static IReadOnlyList<IPEndPoint> Endpoints(string? url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != "tcp" || uri.Port <= 0 || uri.AbsolutePath != "/")
        {
            throw new InvalidOperationException($"{UrlKey} must be tcp://host:port (host: localhost, *, or an address); it is '{url}'.");
        }

        return uri.Host switch
        {
            "localhost" => Socket.OSSupportsIPv6
                ? [new IPEndPoint(IPAddress.Loopback, uri.Port), new IPEndPoint(IPAddress.IPv6Loopback, uri.Port)]
                : [new IPEndPoint(IPAddress.Loopback, uri.Port)],
            "*" or "+" => [new IPEndPoint(Socket.OSSupportsIPv6 ? IPAddress.IPv6Any : IPAddress.Any, uri.Port)],
            _ when IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) => [new IPEndPoint(address, uri.Port)],
            _ => throw new InvalidOperationException($"{UrlKey} names host '{uri.Host}'; use localhost, * or an address."),
        };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Script hop listening on {Endpoint}")]
    private static partial void LogListening(ILogger logger, string endpoint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Accepting a script-hop connection failed: {Reason}")]
    private static partial void LogAcceptFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A script-hop connection from {Remote} was closed: {Max} connections are served already")]
    private static partial void LogTooMany(ILogger logger, string remote, int max);
}
