using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.ServiceDiscovery;
using Tower.Contracts.Hops;
using Tower.Contracts.Scripts;
using Tower.Gateway.Infrastructure;

namespace Tower.Gateway.Webhooks;

/// <summary>
/// Runs scripts in Auth or Executor over the script hop: a few persistent connections (found
/// through service discovery as the service's endpoint <c>hop</c>) that carry every call, each
/// encoded once; never retried.
/// </summary>
public abstract class ScriptClient : IDisposable
{
    /// <summary>Extra time the hop may take beyond the script's own limit, so that the script's deadline decides.</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(3);

    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(2);

    /// <summary>The prefix of a call without a trace to continue.</summary>
    private static readonly byte[] NoTrace = [0];

    private readonly string _service;
    private readonly ServiceEndpointResolver _resolver;
    private readonly string _credential;
    private readonly ScriptHopConnection?[] _connections;
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private uint _next;

    protected ScriptClient(string service, ServiceEndpointResolver resolver, ServiceCredential credential, IOptions<GatewayOptions> options)
    {
        _service = service;
        _resolver = resolver;
        _credential = credential.Value;
        _connections = new ScriptHopConnection?[options.Value.ScriptHopConnections];
    }

    /// <summary>
    /// Runs the call to its end: a caller that disconnects does not abandon code that started
    /// (spec §3); only the hop's own deadline (the script's limit plus a margin) cancels it.
    /// </summary>
    public async Task<ScriptOutcome> RunAsync(ScriptInvocation call)
    {
        var encoded = ScriptCallCodec.Encode(call);
        if (encoded.Length > HopFrame.MaxLength - 512)
        {
            // Refused alone: sent, it would close the connection that other calls share.
            throw new ScriptServiceUnavailableException($"{_service}: the call ({encoded.Length} bytes encoded) is larger than a hop frame.");
        }

        using var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(call.TimeoutMs) + Margin);
        try
        {
            var connection = await ConnectionAsync(deadline.Token);
            var (type, payload) = await connection.CallAsync(TraceParent(), encoded, deadline.Token);
            return type == HopFrameType.Outcome
                ? ScriptCallCodec.DecodeOutcome(payload)
                : throw new ScriptServiceUnavailableException($"{_service}: {Encoding.UTF8.GetString(payload)}");
        }
        catch (Exception exception) when (exception is IOException or System.Net.Sockets.SocketException or InvalidDataException or EndOfStreamException)
        {
            throw new ScriptServiceUnavailableException($"{_service}: {exception.Message}", exception);
        }
        catch (OperationCanceledException exception)
        {
            throw new ScriptServiceUnavailableException($"{_service}: no answer within the script's limit plus {Margin.TotalSeconds} s.", exception);
        }
    }

    /// <summary>The next open connection in turn; a closed one is opened again first.</summary>
    private async ValueTask<ScriptHopConnection> ConnectionAsync(CancellationToken cancellationToken)
    {
        var slot = (int)(Interlocked.Increment(ref _next) % (uint)_connections.Length);
        if (Volatile.Read(ref _connections[slot]) is { IsOpen: true } open)
        {
            return open;
        }

        await _connecting.WaitAsync(cancellationToken);
        try
        {
            if (Volatile.Read(ref _connections[slot]) is { IsOpen: true } opened)
            {
                return opened;
            }

            using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            connectTimeout.CancelAfter(ConnectTimeout);
            var endpoints = (await _resolver.GetEndpointsAsync($"tcp://_hop.{_service}", connectTimeout.Token)).Endpoints;
            if (endpoints.Count == 0)
            {
                throw new IOException($"No endpoint named hop is known for {_service}.");
            }

            var connection = await ScriptHopConnection.OpenAsync(Address(endpoints[slot % endpoints.Count].EndPoint), _credential, connectTimeout.Token);
            Volatile.Write(ref _connections[slot], connection);
            return connection;
        }
        finally
        {
            _connecting.Release();
        }
    }

    private static EndPoint Address(EndPoint endpoint) => endpoint is UriEndPoint uri ? new DnsEndPoint(uri.Uri.Host, uri.Uri.Port) : endpoint;

    /// <summary>The caller's trace, continued by the service: a length byte, then the W3C trace parent.</summary>
    private static byte[] TraceParent()
    {
        if (Activity.Current is not { IdFormat: ActivityIdFormat.W3C } activity)
        {
            return NoTrace;
        }

        var id = activity.Id!;
        var prefix = new byte[1 + id.Length];
        prefix[0] = (byte)id.Length;
        Encoding.ASCII.GetBytes(id, prefix.AsSpan(1));
        return prefix;
    }

    public void Dispose()
    {
        foreach (var connection in _connections)
        {
            connection?.Close();
        }

        _connecting.Dispose();
        GC.SuppressFinalize(this);
    }
}
