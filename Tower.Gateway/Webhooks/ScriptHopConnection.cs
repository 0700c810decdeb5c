using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Tower.Contracts.Hops;

namespace Tower.Gateway.Webhooks;

/// <summary>
/// One persistent connection of the script hop to an Auth or Executor instance, carrying many
/// calls at once: each call gets an id, its frame joins the others in the next write, and the
/// read loop hands each answer to the call that waits for it. When the connection breaks, every
/// call on it fails at once (none is sent again: a retry could run a webhook twice).
/// </summary>
internal sealed class ScriptHopConnection
{
    private readonly Socket _socket;
    private readonly PipeReader _input;
    private readonly HopWriter _writer;
    private readonly ConcurrentDictionary<uint, TaskCompletionSource<(HopFrameType Type, byte[] Payload)>> _pending = new();
    private uint _lastId;
    private int _closed;

    private ScriptHopConnection(Socket socket)
    {
        _socket = socket;
        var stream = new NetworkStream(socket, ownsSocket: true);
        _input = PipeReader.Create(stream);
        _writer = new HopWriter(socket, _ => Close());
    }

    public bool IsOpen => Volatile.Read(ref _closed) == 0;

    /// <summary>Connects and presents the service credential; the service closes a connection that presents another.</summary>
    public static async Task<ScriptHopConnection> OpenAsync(EndPoint endpoint, string credential, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var connection = new ScriptHopConnection(socket);
        connection._writer.TryWrite(HopFrameType.Hello, 0, ReadOnlyMemory<byte>.Empty, Encoding.UTF8.GetBytes(credential));
        _ = connection.ReadLoopAsync();
        return connection;
    }

    /// <summary>Sends one call (<paramref name="prefix"/> then <paramref name="call"/>) and waits for its answer frame.</summary>
    public async Task<(HopFrameType Type, byte[] Payload)> CallAsync(ReadOnlyMemory<byte> prefix, ReadOnlyMemory<byte> call, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref _lastId);
        // The caller's code goes on on the read loop's thread, up to its next wait (a few microseconds:
        // the next hop's frame, or the call's record): a wake-up less per hop.
        var answer = new TaskCompletionSource<(HopFrameType, byte[])>();
        _pending[id] = answer;
        try
        {
            // Registered first, checked second: Close either sees this call or this call sees Close.
            if (!IsOpen || !_writer.TryWrite(HopFrameType.Run, id, prefix, call))
            {
                throw new IOException("The hop connection is closed.");
            }

            return await answer.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Nobody waits any more: a call still queued for a worker must not run later.
            _writer.TryWrite(HopFrameType.Cancel, id, ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty);
            throw;
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                var read = await _input.ReadAsync();
                var buffer = read.Buffer;
                while (HopFrame.TryRead(ref buffer, out var frame))
                {
                    if (_pending.TryRemove(frame.Id, out var answer))
                    {
                        answer.TrySetResult((frame.Type, frame.Payload.ToArray()));
                    }
                }

                _input.AdvanceTo(buffer.Start, buffer.End);
                if (read.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (Exception exception) when (exception is IOException or SocketException or ObjectDisposedException or InvalidDataException or InvalidOperationException)
        {
            // A broken connection or a malformed frame: either way nothing more on it can be trusted.
        }
        finally
        {
            Close();
        }
    }

    /// <summary>Closes the connection once and fails every call still waiting on it.</summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        _ = _writer.CompleteAsync();
        _socket.Dispose();
        foreach (var (_, answer) in _pending)
        {
            answer.TrySetException(new IOException("The hop connection closed before the call was answered."));
        }
    }
}
