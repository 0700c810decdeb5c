using System.Buffers.Binary;
using System.Globalization;
using Microsoft.Win32.SafeHandles;
using Tower.Gateway.Infrastructure;

namespace Tower.Gateway.Calls;

/// <summary>
/// The gateway's local spill: packed batches of call records appended to segment files and
/// flushed to disk before their calls are answered, while the broker cannot confirm them.
/// Each frame is a 4-byte length and the packed batch, written at the end of what was written
/// whole before: a failed write (disk full, I/O error) is cut off again, or its segment is left
/// for a new one, so it never misaligns the frames after it. A crash can only tear the frame
/// being written, whose calls were not answered yet; readers stop there. Segments are sent in
/// order of creation and deleted only after the broker confirmed every batch in them.
/// One process owns the directory (an exclusive lock on <see cref="LockFileName"/>, released by
/// the kernel when the process ends): a second one would send and delete the first one's
/// segment while it still writes to it.
/// Not thread-safe: its owner serialises access.
/// </summary>
public sealed class SpillStore : IDisposable
{
    public const string Extension = ".spill";
    public const string LockFileName = "spill.lock";

    private readonly FileStream _lock;
    private SafeFileHandle? _segment;
    private long _written;
    private long _sequence;

    /// <exception cref="InvalidOperationException">Another process owns the directory.</exception>
    public SpillStore(string directory)
    {
        Directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Directory);
        try
        {
            _lock = new FileStream(Path.Combine(Directory, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException exception)
        {
            throw new InvalidOperationException(
                $"Another process uses the spill directory {Directory}: give each gateway its own Gateway:SpillDirectory. ({exception.Message})", exception);
        }
    }

    public string Directory { get; }

    /// <summary>Whether records were appended since the last <see cref="Seal"/>.</summary>
    public bool HasOpenSegment => _segment is not null;

    /// <summary>Appends a packed batch and flushes it to disk; on failure nothing of it counts.</summary>
    public void Append(byte[] packed)
    {
        var frame = new byte[4 + packed.Length];
        BinaryPrimitives.WriteInt32LittleEndian(frame, packed.Length);
        packed.CopyTo(frame, 4);
        var segment = _segment ?? OpenSegment();
        try
        {
            RandomAccess.Write(segment, frame, _written);
            RandomAccess.FlushToDisk(segment);
            _written += frame.Length;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            CutOffFailedWrite(segment);
            throw;
        }
    }

    /// <summary>Closes the segment being written, and lists every segment on disk, oldest first.</summary>
    public IReadOnlyList<string> Seal()
    {
        CloseSegment();
        return System.IO.Directory.GetFiles(Directory, "*" + Extension).Order(StringComparer.Ordinal).ToList();
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

    public void Dispose()
    {
        CloseSegment();
        _lock.Dispose();
    }

    private SafeFileHandle OpenSegment()
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:yyyyMMddTHHmmssfffffff}-{Environment.ProcessId}-{++_sequence:D6}{Extension}");
        var segment = File.OpenHandle(Path.Combine(Directory, name), FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        try
        {
            // The new file's name must survive a power loss as its frames do.
            DirectorySync.Flush(Directory);
        }
        catch
        {
            segment.Dispose();
            throw;
        }

        _segment = segment;
        _written = 0;
        return segment;
    }

    /// <summary>
    /// Removes what a failed write left after the last whole frame; if even that fails, the
    /// segment is closed as it is (readers stop at its torn end) and the next batch starts a new one.
    /// </summary>
    private void CutOffFailedWrite(SafeFileHandle segment)
    {
        try
        {
            RandomAccess.SetLength(segment, _written);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            CloseSegment();
        }
    }

    private void CloseSegment()
    {
        _segment?.Dispose();
        _segment = null;
        _written = 0;
    }
}
