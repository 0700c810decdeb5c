using System.Buffers.Binary;
using System.Globalization;

namespace Tower.Gateway.Calls;

/// <summary>
/// The gateway's local spill: packed batches of call records appended to segment files and
/// flushed to disk before their calls are answered, while the broker cannot confirm them.
/// Each frame is a 4-byte length and the packed batch. A crash can only tear the frame being
/// written, whose calls were not answered yet; readers stop there. Segments are sent in order
/// of creation and deleted only after the broker confirmed every batch in them.
/// Not thread-safe: its owner serialises access.
/// </summary>
public sealed class SpillStore(string directory) : IDisposable
{
    public const string Extension = ".spill";

    private FileStream? _segment;
    private long _sequence;

    public string Directory { get; } = Path.GetFullPath(directory);

    /// <summary>Whether records were appended since the last <see cref="Seal"/>.</summary>
    public bool HasOpenSegment => _segment is not null;

    /// <summary>Appends a packed batch and flushes it to disk.</summary>
    public void Append(byte[] packed)
    {
        if (_segment is null)
        {
            System.IO.Directory.CreateDirectory(Directory);
            var name = string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:yyyyMMddTHHmmssfffffff}-{Environment.ProcessId}-{++_sequence:D6}{Extension}");
            _segment = new FileStream(Path.Combine(Directory, name), FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1, FileOptions.None);
        }

        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, packed.Length);
        _segment.Write(length);
        _segment.Write(packed);
        _segment.Flush(flushToDisk: true);
    }

    /// <summary>Closes the segment being written, and lists every segment on disk, oldest first.</summary>
    public IReadOnlyList<string> Seal()
    {
        _segment?.Dispose();
        _segment = null;
        return System.IO.Directory.Exists(Directory)
            ? System.IO.Directory.GetFiles(Directory, "*" + Extension).Order(StringComparer.Ordinal).ToList()
            : [];
    }

    /// <summary>The packed batches of a sealed segment, up to a torn last frame.</summary>
    public static IEnumerable<byte[]> ReadBatches(string segment)
    {
        using var stream = new FileStream(segment, FileMode.Open, FileAccess.Read, FileShare.Read);
        var length = new byte[4];
        while (stream.ReadAtLeast(length, 4, throwOnEndOfStream: false) == 4)
        {
            var size = BinaryPrimitives.ReadInt32LittleEndian(length);
            if (size <= 0 || size > stream.Length - stream.Position)
            {
                yield break;
            }

            var packed = new byte[size];
            stream.ReadExactly(packed);
            yield return packed;
        }
    }

    public void Dispose() => _segment?.Dispose();
}
