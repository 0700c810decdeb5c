using System.Buffers.Binary;
using System.Text;

namespace Tower.Scripting.Workers;

/// <summary>
/// Frames between a service and its script workers over the worker's standard input and output:
/// a 4-byte little-endian length, then the payload, whose first byte is the message type. A run
/// carries the call as the gateway encoded it (<see cref="Contracts.Scripts.ScriptCallCodec"/>),
/// and an outcome goes back to the gateway as the worker encoded it.
/// </summary>
internal static class WorkerProtocol
{
    public const byte Load = 1;
    public const byte Unload = 2;
    public const byte Run = 3;
    public const byte Outcome = 4;
    public const byte HttpRequest = 6;
    public const byte HttpAnswer = 7;

    /// <summary>No frame may exceed this (a script image or a call with its 1 MiB body fits easily).</summary>
    private const int MaxFrame = 64 * 1024 * 1024;

    /// <summary>Writes a frame made by <see cref="Build"/> or <see cref="Frame"/> in one write.</summary>
    public static async Task WriteAsync(Stream stream, byte[] frame, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(frame, cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }

    /// <summary>The next frame, read with blocking reads (each side reads on a thread of its own), or null when the other side closed the stream.</summary>
    public static byte[]? Read(Stream stream)
    {
        Span<byte> header = stackalloc byte[4];
        var first = stream.Read(header);
        if (first == 0)
        {
            return null;
        }

        stream.ReadExactly(header[first..]);
        var length = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (length is < 1 or > MaxFrame)
        {
            throw new InvalidDataException($"A worker frame of {length} bytes is out of range.");
        }

        var payload = new byte[length];
        stream.ReadExactly(payload);
        return payload;
    }

    /// <summary>A whole frame (its length first) of the given type whose body <paramref name="write"/> writes.</summary>
    public static byte[] Build(byte type, Action<BinaryWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(0);
            writer.Write(type);
            write(writer);
        }

        var frame = buffer.ToArray();
        BinaryPrimitives.WriteInt32LittleEndian(frame, frame.Length - 4);
        return frame;
    }

    /// <summary>A whole frame (its length first) of the given type whose body is <paramref name="body"/>.</summary>
    public static byte[] Frame(byte type, ReadOnlySpan<byte> body)
    {
        var frame = new byte[4 + 1 + body.Length];
        BinaryPrimitives.WriteInt32LittleEndian(frame, 1 + body.Length);
        frame[4] = type;
        body.CopyTo(frame.AsSpan(5));
        return frame;
    }

    public static void WriteBytes(this BinaryWriter writer, byte[] bytes)
    {
        writer.Write(bytes.Length);
        writer.Write(bytes);
    }

    public static byte[] ReadBytes(this BinaryReader reader) => reader.ReadBytes(reader.ReadInt32());
}
