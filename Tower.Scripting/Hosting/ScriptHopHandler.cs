using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tower.Contracts.Hops;
using Tower.Contracts.Scripts;

namespace Tower.Scripting.Hosting;

/// <summary>
/// The service side of the script hop: a gateway connects, proves the service credential in its
/// first frame, then sends calls, many at once; each runs on a worker and its outcome goes back,
/// as the worker encoded it, as soon as it ends. A connection that sends anything else is closed.
/// A connection is served by a thread of its own with blocking reads, and a call goes to its worker
/// on that thread; its outcome is written on the thread that reads the worker's answer. On this
/// kind of VM each hand-off between threads costs more than the forwarding itself.
/// </summary>
public sealed partial class ScriptHopHandler(ScriptHost host, ServiceCredential credential, ILogger<ScriptHopHandler> logger)
{
    /// <summary>How long a new connection has to present the credential.</summary>
    private static readonly TimeSpan HelloTimeout = TimeSpan.FromSeconds(5);

    private readonly ActivitySource _source = new(host.Kind == ScriptKind.Authenticator ? "Tower.Auth" : "Tower.Executor");

    /// <summary>Serves one connection on the calling thread until it closes; the socket is closed on return.</summary>
    public void Serve(Socket socket)
    {
        var remote = socket.RemoteEndPoint?.ToString() ?? "?";
        using var closed = new CancellationTokenSource();
        var writer = new HopWriter(socket, _ => Shut(socket));
        var calls = new ConcurrentDictionary<uint, CancellationTokenSource>();
        using var reader = new HopReader(socket);
        var greeted = false;
        try
        {
            socket.NoDelay = true;
            socket.ReceiveTimeout = (int)HelloTimeout.TotalMilliseconds;
            // Until the peer has presented the credential, no frame longer than a Hello is buffered.
            while (reader.Receive(greeted ? HopFrame.MaxLength : HopFrame.MaxHelloLength))
            {
                while (reader.TryRead(out var frame, greeted ? HopFrame.MaxLength : HopFrame.MaxHelloLength))
                {
                    if (!greeted)
                    {
                        greeted = frame.Type == HopFrameType.Hello && credential.Matches(Encoding.UTF8.GetString(frame.Payload));
                        if (!greeted)
                        {
                            LogRefused(logger, remote);
                            return;
                        }

                        socket.ReceiveTimeout = 0;
                    }
                    else if (frame.Type == HopFrameType.Run)
                    {
                        var call = CancellationTokenSource.CreateLinkedTokenSource(closed.Token);
                        if (!calls.TryAdd(frame.Id, call))
                        {
                            call.Dispose();
                            throw new InvalidDataException($"A gateway sent call {frame.Id} twice.");
                        }

                        _ = RunAsync(frame.Id, frame.Payload.ToArray(), writer, calls, call);
                    }
                    else if (frame.Type == HopFrameType.Cancel)
                    {
                        Cancel(calls, frame.Id);
                    }
                    else
                    {
                        throw new InvalidDataException($"A gateway sent a {frame.Type} frame.");
                    }
                }
            }
        }
        catch (InvalidDataException exception)
        {
            LogMalformed(logger, remote, exception.Message);
        }
        catch (Exception exception) when (exception is SocketException or IOException or ObjectDisposedException)
        {
            // The gateway went away, or kept silent past the Hello timeout; calls still running end
            // in their workers and their outcomes are dropped.
        }
        finally
        {
            closed.Cancel();
            writer.CompleteAsync().GetAwaiter().GetResult();
            Shut(socket);
            socket.Dispose();
        }
    }

    private static void Shut(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }
    }

    /// <summary>
    /// Runs one call and queues its answer: the outcome, or a fault when the call cannot be run. A
    /// call the gateway cancels (its caller left, or its deadline passed) while it waits for a
    /// worker is not run at all; one already running ends in its worker within its own limit.
    /// </summary>
    private async Task RunAsync(uint id, byte[] payload, HopWriter writer, ConcurrentDictionary<uint, CancellationTokenSource> calls,
        CancellationTokenSource call)
    {
        byte[]? fault = null;
        try
        {
            var traceLength = payload[0];
            var encoded = payload.AsMemory(1 + traceLength);
            var header = ScriptCallCodec.ReadHeader(encoded.Span);
            using var activity = _source.HasListeners() ? StartActivity(payload.AsSpan(1, traceLength), header) : null;
            var outcome = await host.RunAsync(header, encoded, call.Token);
            writer.TryWrite(HopFrameType.Outcome, id, ReadOnlyMemory<byte>.Empty, outcome);
            return;
        }
        catch (Exception exception) when (exception is InvalidDataException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            fault = Encoding.UTF8.GetBytes("The call is malformed: " + exception.Message);
        }
        catch (OperationCanceledException) when (call.IsCancellationRequested)
        {
            fault = Encoding.UTF8.GetBytes("The gateway cancelled the call.");
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            LogFailed(logger, exception);
            fault = Encoding.UTF8.GetBytes($"The {host.Kind} service could not run the call ({exception.GetType().Name}).");
        }
        finally
        {
            calls.TryRemove(id, out _);
            call.Dispose();
        }

        writer.TryWrite(HopFrameType.Fault, id, ReadOnlyMemory<byte>.Empty, fault);
    }

    /// <summary>Cancels a call that is still running here; one that has just ended (its source disposed) needs nothing.</summary>
    private static void Cancel(ConcurrentDictionary<uint, CancellationTokenSource> calls, uint id)
    {
        try
        {
            if (calls.TryGetValue(id, out var call))
            {
                call.Cancel();
            }
        }
        catch (ObjectDisposedException)
        {
            // The call ended between the lookup and the cancel.
        }
    }

    private Activity? StartActivity(ReadOnlySpan<byte> traceParent, ScriptCallHeader header)
    {
        ActivityContext.TryParse(Encoding.ASCII.GetString(traceParent), null, out var parent);
        var activity = _source.StartActivity(host.Kind == ScriptKind.Authenticator ? "run authenticator" : "run webhook", ActivityKind.Server, parent);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("tower.call_id", header.CallId.ToString());
            activity.SetTag("tower.script_owner", header.Owner);
        }

        return activity;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A hop connection from {Remote} did not present the service credential; closed")]
    private static partial void LogRefused(ILogger logger, string remote);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A hop connection from {Remote} sent a malformed frame ({Reason}); closed")]
    private static partial void LogMalformed(ILogger logger, string remote, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "A call on the script hop failed in the service")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
