using System.Runtime.InteropServices;
using System.Text;

namespace Tower.Contracts.Scripts;

/// <summary>
/// The one binary form of a script call and of its outcome, from the gateway through Auth or
/// Executor to the worker and back: the gateway encodes a call once, the service reads only its
/// <see cref="ScriptCallHeader"/> and forwards the bytes, the worker decodes it; the outcome
/// travels back the same way. Strings are length-prefixed UTF-8 (<see cref="BinaryWriter"/>'s form).
/// </summary>
public static class ScriptCallCodec
{
    /// <summary>No script may run longer than this (the longest limit a webhook can have is 30 s).</summary>
    public const int MaxTimeoutMs = 5 * 60 * 1000;

    public static byte[] Encode(ScriptInvocation call)
    {
        using var buffer = new MemoryStream(256 + call.Body.Length + call.PayloadJson.Length);
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            // The header first, in the order ReadHeader reads it.
            writer.Write(call.CallId.ToByteArray());
            writer.Write(call.CodeHash);
            writer.Write(call.Owner);
            writer.Write(call.Share);
            writer.Write(call.TimeoutMs);
            writer.Write(call.Body.Length);
            writer.Write(call.Body);
            writer.Write(call.PayloadJson);
            WriteMap(writer, call.Headers);
            WriteMap(writer, call.Query);
            WriteMap(writer, call.Variables);
            WriteMap(writer, call.Secrets);
            writer.Write(call.RunAsUser);
            writer.Write(call.RunAsGroup);
        }

        return buffer.ToArray();
    }

    /// <summary>What a service needs to route a call, read without decoding the rest.</summary>
    public static ScriptCallHeader ReadHeader(ReadOnlySpan<byte> call)
    {
        try
        {
            var callId = new Guid(call[..16]);
            var position = 16;
            var codeHash = ReadString(call, ref position);
            var owner = ReadString(call, ref position);
            var share = ReadString(call, ref position);
            var timeoutMs = BitConverter.ToInt32(call.Slice(position, 4));
            return timeoutMs is > 0 and <= MaxTimeoutMs
                ? new ScriptCallHeader(callId, codeHash, owner, share, timeoutMs)
                : throw new InvalidDataException($"An encoded script call has a limit of {timeoutMs} ms.");
        }
        catch (ArgumentOutOfRangeException exception)
        {
            throw new InvalidDataException("An encoded script call is cut short.", exception);
        }
    }

    /// <summary>The whole call; anything but an encoded call throws <see cref="InvalidDataException"/>.</summary>
    public static ScriptInvocation Decode(ReadOnlyMemory<byte> call) => Guarded(call, ReadInvocation);

    /// <summary>The whole outcome; anything but an encoded outcome throws <see cref="InvalidDataException"/>.</summary>
    public static ScriptOutcome DecodeOutcome(ReadOnlyMemory<byte> outcome) => Guarded(outcome, ReadOutcome);

    private static T Guarded<T>(ReadOnlyMemory<byte> bytes, Func<BinaryReader, T> read)
    {
        try
        {
            using var reader = Reader(bytes);
            return read(reader);
        }
        catch (Exception exception) when (exception is EndOfStreamException or FormatException or IOException or ArgumentException
            or OverflowException)
        {
            throw new InvalidDataException("The bytes are not an encoded script call or outcome.", exception);
        }
    }

    private static ScriptInvocation ReadInvocation(BinaryReader reader) =>
        new ScriptInvocation
        {
            CallId = new Guid(reader.ReadBytes(16)),
            CodeHash = reader.ReadString(),
            Owner = reader.ReadString(),
            Share = reader.ReadString(),
            TimeoutMs = reader.ReadInt32(),
            Body = reader.ReadBytes(Count(reader, reader.ReadInt32(), 1)),
            PayloadJson = reader.ReadString(),
            Headers = ReadMap(reader, StringComparer.OrdinalIgnoreCase),
            Query = ReadMap(reader, StringComparer.Ordinal),
            Variables = ReadMap(reader, StringComparer.Ordinal),
            Secrets = ReadMap(reader, StringComparer.Ordinal),
            RunAsUser = reader.ReadString(),
            RunAsGroup = reader.ReadString(),
        };

    public static byte[] Encode(ScriptOutcome outcome)
    {
        using var buffer = new MemoryStream(64 + (outcome.Message?.Length ?? 0) + (outcome.Body?.Length ?? 0));
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            // The status first: a service reads it alone (StatusOf).
            writer.Write((byte)outcome.Status);
            writer.Write(outcome.Allowed);
            writer.Write(outcome.HttpCode.HasValue);
            writer.Write(outcome.HttpCode ?? 0);
            writer.Write(outcome.ExitCode);
            WriteNullable(writer, outcome.Message);
            writer.Write(outcome.StatusCode.HasValue);
            writer.Write(outcome.StatusCode ?? 0);
            WriteNullable(writer, outcome.Body);
            WriteNullable(writer, outcome.ContentType);
            WriteMap(writer, outcome.ResponseHeaders);
            writer.Write(outcome.Log.Count);
            foreach (var line in outcome.Log)
            {
                writer.Write(line);
            }

            WriteNullable(writer, outcome.Error);
            writer.Write(outcome.DurationMs);
        }

        return buffer.ToArray();
    }

    /// <summary>How the run ended, read from an encoded outcome without decoding the rest.</summary>
    public static ScriptRunStatus StatusOf(ReadOnlySpan<byte> outcome) =>
        outcome.Length > 0 && Enum.IsDefined((ScriptRunStatus)outcome[0])
            ? (ScriptRunStatus)outcome[0]
            : throw new InvalidDataException("An encoded script outcome has no valid status.");

    private static ScriptOutcome ReadOutcome(BinaryReader reader)
    {
        var status = (ScriptRunStatus)reader.ReadByte();
        if (!Enum.IsDefined(status))
        {
            throw new InvalidDataException("An encoded script outcome has no valid status.");
        }

        var allowed = reader.ReadBoolean();
        var hasHttpCode = reader.ReadBoolean();
        var httpCode = reader.ReadInt32();
        var exitCode = reader.ReadInt32();
        var message = ReadNullable(reader);
        var hasStatusCode = reader.ReadBoolean();
        var statusCode = reader.ReadInt32();
        var body = ReadNullable(reader);
        var contentType = ReadNullable(reader);
        var responseHeaders = ReadMap(reader, StringComparer.OrdinalIgnoreCase);
        var log = new string[Count(reader, reader.ReadInt32(), 1)];
        for (var i = 0; i < log.Length; i++)
        {
            log[i] = reader.ReadString();
        }

        return new ScriptOutcome
        {
            Status = status,
            Allowed = allowed,
            HttpCode = hasHttpCode ? httpCode : null,
            ExitCode = exitCode,
            Message = message,
            StatusCode = hasStatusCode ? statusCode : null,
            Body = body,
            ContentType = contentType,
            ResponseHeaders = responseHeaders,
            Log = log,
            Error = ReadNullable(reader),
            DurationMs = reader.ReadDouble(),
        };
    }

    public static void WriteMap(BinaryWriter writer, IReadOnlyDictionary<string, string> map)
    {
        writer.Write(map.Count);
        foreach (var (key, value) in map)
        {
            writer.Write(key);
            writer.Write(value);
        }
    }

    public static Dictionary<string, string> ReadMap(BinaryReader reader, StringComparer comparer)
    {
        var count = Count(reader, reader.ReadInt32(), 2);
        var map = new Dictionary<string, string>(count, comparer);
        for (var i = 0; i < count; i++)
        {
            map[reader.ReadString()] = reader.ReadString();
        }

        return map;
    }

    public static void WriteNullable(BinaryWriter writer, string? text)
    {
        writer.Write(text is not null);
        if (text is not null)
        {
            writer.Write(text);
        }
    }

    public static string? ReadNullable(BinaryReader reader) => reader.ReadBoolean() ? reader.ReadString() : null;

    /// <summary>A count read from the bytes, refused when the bytes left cannot hold that many items of at least <paramref name="itemBytes"/>.</summary>
    private static int Count(BinaryReader reader, int count, int itemBytes) =>
        count >= 0 && (long)count * itemBytes <= reader.BaseStream.Length - reader.BaseStream.Position
            ? count
            : throw new InvalidDataException($"An encoded count of {count} exceeds what is left of the bytes.");

    private static BinaryReader Reader(ReadOnlyMemory<byte> bytes)
    {
        var stream = MemoryMarshal.TryGetArray(bytes, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(bytes.ToArray(), writable: false);
        return new BinaryReader(stream, Encoding.UTF8);
    }

    /// <summary>A string as <see cref="BinaryWriter"/> writes it: a 7-bit-encoded byte count, then UTF-8.</summary>
    private static string ReadString(ReadOnlySpan<byte> bytes, ref int position)
    {
        var length = 0;
        for (var shift = 0; ; shift += 7)
        {
            if (shift > 28)
            {
                throw new InvalidDataException("An encoded string has a malformed length.");
            }

            if (position >= bytes.Length)
            {
                throw new InvalidDataException("An encoded string is cut short.");
            }

            var part = bytes[position++];
            length |= (part & 0x7F) << shift;
            if (part < 0x80)
            {
                break;
            }
        }

        var text = Encoding.UTF8.GetString(bytes.Slice(position, length));
        position += length;
        return text;
    }
}
