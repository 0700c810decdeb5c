using System.Buffers.Binary;
using System.Text;

namespace Tower.Scripting.Workers;

/// <summary>
/// Frames between a service and its script workers over the worker's standard input and output:
/// a 4-byte little-endian length, then the payload, whose first byte is the message type.
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

    public static async Task WriteAsync(Stream stream, byte[] payload, CancellationToken cancellationToken)
    {
        var header = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(header, payload.Length);
        await stream.WriteAsync(header, cancellationToken);
        await stream.WriteAsync(payload, cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }

    /// <summary>The next frame, or null when the other side closed the stream.</summary>
    public static async Task<byte[]?> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var header = new byte[4];
        if (!await FillAsync(stream, header, cancellationToken))
        {
            return null;
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (length is < 1 or > MaxFrame)
        {
            throw new InvalidDataException($"A worker frame of {length} bytes is out of range.");
        }

        var payload = new byte[length];
        return await FillAsync(stream, payload, cancellationToken) ? payload : throw new EndOfStreamException();
    }

    private static async Task<bool> FillAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
            if (read == 0)
            {
                return filled == 0 ? false : throw new EndOfStreamException();
            }

            filled += read;
        }

        return true;
    }

    public static byte[] Build(byte type, Action<BinaryWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(type);
            write(writer);
        }

        return buffer.ToArray();
    }

    public static void WriteBytes(this BinaryWriter writer, byte[] bytes)
    {
        writer.Write(bytes.Length);
        writer.Write(bytes);
    }

    public static byte[] ReadBytes(this BinaryReader reader) => reader.ReadBytes(reader.ReadInt32());
}
