using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using Tower.Contracts.Hops;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Reads the frames of one hop connection with blocking receives, on the thread that owns the
/// connection: each receive takes whatever has arrived (under load, many frames at once). A
/// frame's payload is a slice of the reader's buffer, valid until the next receive.
/// </summary>
public sealed class HopReader(Socket socket) : IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
    private int _start;
    private int _end;

    /// <summary>Waits for more bytes; false when the peer has closed the connection.</summary>
    /// <param name="maxLength">The longest frame accepted now (a frame under way is given room up to it).</param>
    public bool Receive(int maxLength = HopFrame.MaxLength)
    {
        MakeRoom(maxLength);
        var read = socket.Receive(_buffer, _end, _buffer.Length - _end, SocketFlags.None);
        _end += read;
        return read > 0;
    }

    /// <summary>The next whole frame received; throws <see cref="InvalidDataException"/> for a malformed or too long one.</summary>
    public bool TryRead(out HopFrame frame, int maxLength = HopFrame.MaxLength)
    {
        var pending = new ReadOnlySequence<byte>(_buffer, _start, _end - _start);
        if (!HopFrame.TryRead(ref pending, out frame, maxLength))
        {
            return false;
        }

        _start = _end - (int)pending.Length;
        return true;
    }

    /// <summary>
    /// Moves the unread bytes to the front and makes room for one more receive, or for the whole of
    /// a frame whose header has arrived (<see cref="TryRead"/> has checked its length by then).
    /// </summary>
    private void MakeRoom(int maxLength)
    {
        var unread = _end - _start;
        var needed = unread >= 4 ? 4 + Math.Clamp(BinaryPrimitives.ReadInt32LittleEndian(_buffer.AsSpan(_start)), 0, maxLength) : 0;
        if (needed > _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(needed);
            _buffer.AsSpan(_start, unread).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            (_buffer, _start, _end) = (larger, 0, unread);
        }
        else if (_start > 0 && (_end == _buffer.Length || unread == 0))
        {
            _buffer.AsSpan(_start, unread).CopyTo(_buffer);
            (_start, _end) = (0, unread);
        }
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
