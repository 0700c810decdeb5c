using System.IO.Compression;
using System.Text;

namespace Tower.Contracts.Calls;

/// <summary>
/// The binary form of a batch of call records: a version byte, then a zlib stream (fastest level,
/// with its checksum) of the count and each record's fields in declaration order (strings as
/// length-prefixed UTF-8, the id as 16 bytes, the time as UTC ticks). Records repeat their
/// headers and payload shapes, so a batch shrinks 5-20 times: less for RabbitMQ to write and
/// for Logging to read. A new field means a new version; readers read the versions before theirs
/// (records spilled or queued by an older gateway) and refuse those they do not know.
/// Version 3 added <c>source</c>, <c>duplicate_of</c>, <c>parent_id</c>, <c>attempt</c> and <c>replay_of</c>;
/// version 4 the sealed request of an accepted async call (a length, then the bytes; 0 for none).
/// </summary>
public static class CallRecordCodec
{
    public const byte Version = 4;

    /// <summary>The oldest version this build still reads.</summary>
    public const byte OldestVersion = 2;

    /// <summary>More records than any batch holds: a count above it means the body is not a batch.</summary>
    public const int MaxRecords = 1_000_000;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    public static byte[] Pack(IReadOnlyList<WebhookCallRecord> records)
    {
        using var stream = new MemoryStream(records.Count * 128 + 8);
        stream.WriteByte(Version);
        using (var writer = new BinaryWriter(new ZLibStream(stream, CompressionLevel.Fastest, leaveOpen: true), Utf8))
        {
            writer.Write7BitEncodedInt(records.Count);
            Span<byte> id = stackalloc byte[16];
            foreach (var record in records)
            {
                record.Id.TryWriteBytes(id);
                writer.Write(id);
                writer.Write(record.CreatedAt.UtcTicks);
                writer.Write(record.Webhook);
                writer.Write(record.Authenticator);
                writer.Write(record.Endpoint);
                writer.Write(record.RequestMethod);
                writer.Write(record.RequestHeaders);
                writer.Write(record.RequestQuery);
                writer.Write(record.RequestPayload);
                writer.Write(record.PayloadIsJson);
                writer.Write(record.AuthenticationStatus);
                writer.Write(record.CodeStatus);
                writer.Write(record.HttpStatus);
                writer.Write(record.ResultMessage);
                writer.Write(record.ErrorMessage);
                writer.Write(record.ScriptLog);
                writer.Write(record.IpAddress);
                writer.Write(record.PeerIp);
                writer.Write(record.RunAsUser);
                writer.Write(record.DurationMs);
                writer.Write(record.Source);
                WriteId(writer, record.DuplicateOf, id);
                WriteId(writer, record.ParentId, id);
                writer.Write7BitEncodedInt(record.Attempt ?? 0);
                WriteId(writer, record.ReplayOf, id);
                writer.Write7BitEncodedInt(record.QueuedRequest?.Length ?? 0);
                writer.Write(record.QueuedRequest ?? []);
            }
        }

        return stream.ToArray();
    }

    /// <summary>The records of a packed batch; anything else throws <see cref="InvalidDataException"/>.</summary>
    public static IReadOnlyList<WebhookCallRecord> Unpack(byte[] packed)
    {
        try
        {
            return Read(packed);
        }
        catch (Exception exception) when (exception is EndOfStreamException or FormatException or ArgumentException or IOException or InvalidDataException)
        {
            throw new InvalidDataException("The body is not a packed batch of call records.", exception);
        }
    }

    private static List<WebhookCallRecord> Read(byte[] packed)
    {
        if (packed.Length == 0 || packed[0] is < OldestVersion or > Version)
        {
            throw new InvalidDataException(
                $"Packed call records of version {(packed.Length == 0 ? "none" : packed[0])}; this build reads versions {OldestVersion} to {Version}.");
        }

        var version = packed[0];

        using var reader = new BinaryReader(new ZLibStream(new MemoryStream(packed, 1, packed.Length - 1, writable: false), CompressionMode.Decompress), Utf8);

        var count = reader.Read7BitEncodedInt();
        if (count is < 0 or > MaxRecords)
        {
            throw new InvalidDataException($"A packed batch cannot hold {count} records.");
        }

        var records = new List<WebhookCallRecord>(count);
        for (var i = 0; i < count; i++)
        {
            records.Add(new WebhookCallRecord
            {
                Id = new Guid(reader.ReadBytes(16)),
                CreatedAt = new DateTimeOffset(reader.ReadInt64(), TimeSpan.Zero),
                Webhook = reader.ReadString(),
                Authenticator = reader.ReadString(),
                Endpoint = reader.ReadString(),
                RequestMethod = reader.ReadString(),
                RequestHeaders = reader.ReadString(),
                RequestQuery = reader.ReadString(),
                RequestPayload = reader.ReadString(),
                PayloadIsJson = reader.ReadBoolean(),
                AuthenticationStatus = reader.ReadString(),
                CodeStatus = reader.ReadString(),
                HttpStatus = reader.ReadInt32(),
                ResultMessage = reader.ReadString(),
                ErrorMessage = reader.ReadString(),
                ScriptLog = reader.ReadString(),
                IpAddress = reader.ReadString(),
                PeerIp = reader.ReadString(),
                RunAsUser = reader.ReadString(),
                DurationMs = reader.ReadDouble(),
                // Object initializers run in order: the fields version 3 added come last.
                Source = version >= 3 ? reader.ReadString() : CallSource.Call,
                DuplicateOf = version >= 3 ? ReadId(reader) : null,
                ParentId = version >= 3 ? ReadId(reader) : null,
                Attempt = version >= 3 && reader.Read7BitEncodedInt() is > 0 and var attempt ? attempt : null,
                ReplayOf = version >= 3 ? ReadId(reader) : null,
                QueuedRequest = version >= 4 ? ReadBytes(reader) : null,
            });
        }

        if (reader.BaseStream.ReadByte() != -1)
        {
            throw new InvalidDataException("A packed batch has bytes after its last record.");
        }

        return records;
    }

    /// <summary>An optional id: a presence byte, then its 16 bytes.</summary>
    private static void WriteId(BinaryWriter writer, Guid? id, Span<byte> scratch)
    {
        writer.Write(id.HasValue);
        if (id is { } value)
        {
            value.TryWriteBytes(scratch);
            writer.Write(scratch);
        }
    }

    /// <summary>Bytes after their length; none for 0.</summary>
    private static byte[]? ReadBytes(BinaryReader reader)
    {
        var length = reader.Read7BitEncodedInt();
        if (length is < 0 or > MaxQueuedRequestBytes)
        {
            throw new InvalidDataException($"A packed record cannot hold a request of {length} bytes.");
        }

        var bytes = length == 0 ? null : reader.ReadBytes(length);
        return bytes is null || bytes.Length == length ? bytes : throw new EndOfStreamException("A packed record's request is cut short.");
    }

    /// <summary>More than any sealed request holds (bodies are at most 64 MiB): a larger length means a broken batch.</summary>
    private const int MaxQueuedRequestBytes = 256 * 1024 * 1024;

    private static Guid? ReadId(BinaryReader reader) => reader.ReadBoolean() ? new Guid(reader.ReadBytes(16)) : null;
}
