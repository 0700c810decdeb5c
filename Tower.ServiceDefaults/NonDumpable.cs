using System.Runtime.InteropServices;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Makes the service's process non-dumpable (<c>prctl(PR_SET_DUMPABLE, 0)</c>): another process of
/// the same user, such as a script worker that shares it, can no longer read its memory or
/// environment through <c>/proc</c> or trace it, and a crash leaves no core dump holding its keys.
/// Root keeps that access (CAP_SYS_PTRACE), so dumping or debugging a service needs root.
/// The flag lasts until the process executes another program: script workers set it again themselves.
/// </summary>
public static class NonDumpable
{
    private const int SetDumpable = 4;

    public static void Apply()
    {
        if (OperatingSystem.IsLinux() && Prctl(SetDumpable, 0, 0, 0, 0) != 0)
        {
            throw new InvalidOperationException($"prctl(PR_SET_DUMPABLE, 0) failed with errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    // DllImport rather than LibraryImport: the arguments are blittable, and LibraryImport's generated
    // code would need unsafe code enabled in this project.
    [DllImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static extern int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);
}
