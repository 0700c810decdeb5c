using System.IO.Pipelines;
using Tower.Contracts.Hops;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Writes the frames of many calls to one hop connection. A call that finds no write under way
/// writes and flushes its frame itself, on its own thread; frames that arrive meanwhile are
/// queued and go out together in the next flush of the call that is writing. No thread is woken
/// to write (on this kind of VM a wake-up costs more than the write), and under load many calls
/// share one system call.
/// </summary>
public sealed class HopWriter(PipeWriter output, Action<Exception?> closed)
{
    private readonly Lock _gate = new();
    private List<Frame> _queued = [];
    private List<Frame> _writing = [];
    private bool _flushing;
    private bool _done;

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

        _ = FlushAsync();
        return true;
    }

    /// <summary>
    /// No more frames: later ones are refused, queued ones are dropped; completes once a flush under
    /// way has ended, so that nothing writes to the output after its owner completes it.
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

    /// <summary>Writes what is queued until nothing is; runs on the caller's thread as long as flushes complete at once.</summary>
    private async Task FlushAsync()
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
                    HopFrame.Write(output, frame.Type, frame.Id, frame.Prefix.Span, frame.Payload.Span);
                }

                _writing.Clear();
                if ((await output.FlushAsync()).IsCompleted)
                {
                    Close(null);
                    return;
                }
            }
        }
        catch (Exception exception) when (exception is IOException or InvalidOperationException or ObjectDisposedException
            or System.Net.Sockets.SocketException or OperationCanceledException)
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

        closed(exception);
    }

    private readonly record struct Frame(HopFrameType Type, uint Id, ReadOnlyMemory<byte> Prefix, ReadOnlyMemory<byte> Payload);
}
