using System.Buffers;
using System.Buffers.Binary;

namespace Tower.Contracts.Hops;

/// <summary>
/// One frame of the script hop between the gateway and Auth or Executor, over a persistent TCP
/// connection that carries many calls at once: a 4-byte little-endian length of what follows,
/// the type, the call's 4-byte id on that connection, then the payload. Frames queued while
/// another is written go out in the same write.
/// </summary>
public readonly record struct HopFrame(HopFrameType Type, uint Id, ReadOnlySequence<byte> Payload)
{
    /// <summary>The largest frame either side accepts (a call's body is at most a few MiB).</summary>
    public const int MaxLength = 64 * 1024 * 1024;

    private const int HeaderLength = 4 + 1 + 4;

    /// <summary>Writes a frame whose payload is <paramref name="prefix"/> then <paramref name="payload"/>.</summary>
    public static void Write(IBufferWriter<byte> output, HopFrameType type, uint id, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> payload)
    {
        var length = 1 + 4 + prefix.Length + payload.Length;
        var span = output.GetSpan(HeaderLength);
        BinaryPrimitives.WriteInt32LittleEndian(span, length);
        span[4] = (byte)type;
        BinaryPrimitives.WriteUInt32LittleEndian(span[5..], id);
        output.Advance(HeaderLength);
        output.Write(prefix);
        output.Write(payload);
    }

    /// <summary>The largest frame a service accepts before the peer has presented the credential.</summary>
    public const int MaxHelloLength = 1024;

    /// <summary>
    /// Takes the next whole frame off the front of <paramref name="buffer"/>; false when it holds
    /// only part of one. A frame longer than <paramref name="maxLength"/> is refused as soon as its
    /// header arrives (nothing of it is buffered). The payload is a slice of the buffer: copy it
    /// before the buffer is released.
    /// </summary>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, out HopFrame frame, int maxLength = MaxLength)
    {
        frame = default;
        if (buffer.Length < HeaderLength)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[HeaderLength];
        buffer.Slice(0, HeaderLength).CopyTo(header);
        var length = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (length < 5 || length > maxLength || !Enum.IsDefined((HopFrameType)header[4]))
        {
            throw new InvalidDataException($"A hop frame of {length} bytes and type {header[4]} is malformed.");
        }

        if (buffer.Length < 4 + length)
        {
            return false;
        }

        frame = new HopFrame((HopFrameType)header[4], BinaryPrimitives.ReadUInt32LittleEndian(header[5..]), buffer.Slice(HeaderLength, length - 5));
        buffer = buffer.Slice(4 + length);
        return true;
    }
}
