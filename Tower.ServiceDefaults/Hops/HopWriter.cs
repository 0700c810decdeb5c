using System.Buffers;
using System.Net.Sockets;
using Tower.Contracts.Hops;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Writes the frames of many calls to one hop connection. A call that finds no write under way
/// writes its frame itself, on its own thread, with a blocking send; frames that arrive meanwhile
/// are queued and go out together in that call's next send. No thread is woken to write (on this
/// kind of VM a wake-up costs more than the write), under load many calls share one system call,
/// and the socket never enters the runtime's event loop for writing (whose readiness events
/// would wake its thread once per drained send buffer). A peer that stops reading blocks a send
/// for at most <see cref="SendTimeout"/>, then the connection is closed.
/// </summary>
public sealed class HopWriter
{
    public static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(10);

    private readonly Socket _socket;
    private readonly Action<Exception?> _closed;
    private readonly Lock _gate = new();
    private ArrayBufferWriter<byte> _bytes = new(64 * 1024);
    private List<Frame> _queued = [];
    private List<Frame> _writing = [];
    private bool _flushing;
    private bool _done;

    public HopWriter(Socket socket, Action<Exception?> closed)
    {
        _socket = socket;
        _closed = closed;
        socket.SendTimeout = (int)SendTimeout.TotalMilliseconds;
    }

    /// <summary>Writes a frame whose payload is <paramref name="prefix"/> then <paramref name="payload"/>, or queues it; false once the connection is done.</summary>
    public bool TryWrite(HopFrameType type, uint id, ReadOnlyMemory<byte> prefix, ReadOnlyMemory<byte> payload)
    {
        lock (_gate)
        {
            if (_done)
            {
                return false;
            }

            _queued.Add(new Frame(type, id, prefix, payload));
            if (_flushing)
            {
                return true;
            }

            _flushing = true;
        }

        Flush();
        return true;
    }

    /// <summary>
    /// No more frames: later ones are refused, queued ones are dropped; completes once a send under
    /// way has ended, so that nothing writes to the socket after its owner closes it.
    /// </summary>
    public async Task CompleteAsync()
    {
        lock (_gate)
        {
            _done = true;
        }

        for (var waited = 0; Volatile.Read(ref _flushing) && waited < 5000; waited++)
        {
            await Task.Delay(1);
        }
    }

    /// <summary>Sends what is queued until nothing is.</summary>
    private void Flush()
    {
        try
        {
            while (true)
            {
                lock (_gate)
                {
                    if (_done || _queued.Count == 0)
                    {
                        _flushing = false;
                        return;
                    }

                    (_queued, _writing) = (_writing, _queued);
                }

                foreach (var frame in _writing)
                {
                    HopFrame.Write(_bytes, frame.Type, frame.Id, frame.Prefix.Span, frame.Payload.Span);
                }

                _writing.Clear();
                for (var sent = 0; sent < _bytes.WrittenCount;)
                {
                    sent += _socket.Send(_bytes.WrittenSpan[sent..]);
                }

                // One huge call must not keep its buffer for the connection's lifetime.
                if (_bytes.Capacity > 1024 * 1024)
                {
                    _bytes = new ArrayBufferWriter<byte>(64 * 1024);
                }
                else
                {
                    _bytes.ResetWrittenCount();
                }
            }
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            Close(exception);
        }
    }

    private void Close(Exception? exception)
    {
        lock (_gate)
        {
            _done = true;
            _flushing = false;
        }

        _closed(exception);
    }

    private readonly record struct Frame(HopFrameType Type, uint Id, ReadOnlyMemory<byte> Prefix, ReadOnlyMemory<byte> Payload);
}
