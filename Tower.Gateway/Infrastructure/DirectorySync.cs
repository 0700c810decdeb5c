using System.Runtime.InteropServices;

namespace Tower.Gateway.Infrastructure;

/// <summary>
/// Flushes a directory's entries to disk (<c>fsync</c> on the directory), so that a file just
/// created or renamed in it survives a power loss, not only its contents. .NET opens no
/// directory as a file, hence the two system calls.
/// </summary>
internal static class DirectorySync
{
    private const int ReadOnlyCloseOnExec = 0x80000;

    public static void Flush(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var descriptor = Open(directory, ReadOnlyCloseOnExec);
        if (descriptor < 0)
        {
            throw new IOException($"Could not open the directory {directory} to flush it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Fsync(descriptor) != 0)
            {
                throw new IOException($"Could not flush the directory {directory} (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    // DllImport rather than LibraryImport: LibraryImport's generated code would need unsafe code
    // enabled in this project; a path marshals as UTF-8 on Linux either way.
    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int descriptor);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int descriptor);
}
