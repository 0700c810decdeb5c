using System.IO.Pipelines;
using System.Threading.Channels;
using Tower.Contracts.Hops;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Writes the frames of many calls to one hop connection: each call queues its frame, and one loop
/// writes every frame queued so far and then flushes once, so that under load many calls share a
/// write (on this VM a system call and a cross-thread wake-up are what a hop costs most).
/// </summary>
public sealed class HopWriter(PipeWriter output)
{
    private readonly Channel<Frame> _frames = Channel.CreateUnbounded<Frame>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Queues a frame whose payload is <paramref name="prefix"/> then <paramref name="payload"/>; false once the connection is done.</summary>
    public bool TryWrite(HopFrameType type, uint id, ReadOnlyMemory<byte> prefix, ReadOnlyMemory<byte> payload) =>
        _frames.Writer.TryWrite(new Frame(type, id, prefix, payload));

    /// <summary>No more frames: the loop ends once the queued ones are written.</summary>
    public void Complete() => _frames.Writer.TryComplete();

    /// <summary>Writes queued frames until <see cref="Complete"/>, the connection closes or a write fails (which it throws).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await _frames.Reader.WaitToReadAsync(cancellationToken))
            {
                while (_frames.Reader.TryRead(out var frame))
                {
                    HopFrame.Write(output, frame.Type, frame.Id, frame.Prefix.Span, frame.Payload.Span);
                }

                if ((await output.FlushAsync(cancellationToken)).IsCompleted)
                {
                    return;
                }
            }
        }
        finally
        {
            _frames.Writer.TryComplete();
        }
    }

    private readonly record struct Frame(HopFrameType Type, uint Id, ReadOnlyMemory<byte> Prefix, ReadOnlyMemory<byte> Payload);
}
