namespace Tower.Faults;

/// <summary>
/// F14's small disk: an 8 MiB tmpfs mounted over the gateway's spill directory (the gateway's
/// lock stays on the directory below), filled up to <see cref="Headroom"/> by a filler file that
/// can be deleted to free the space again. Needs root and a host that allows mounting.
/// </summary>
internal static class SpillDisk
{
    public const long Headroom = 64 * 1024;

    private const string Filler = ".filler";

    public static async Task MountAsync(string spill)
    {
        if (Environment.UserName != "root" || !await FaultSystem.RunAsync("mount", "-t", "tmpfs", "-o", "size=8m,mode=0777", "tmpfs", spill))
        {
            throw new ScenarioSkippedException("mounting a tmpfs needs root and a host that allows it");
        }

        var free = new DriveInfo(spill).AvailableFreeSpace;
        await using var filler = new FileStream(Path.Combine(spill, Filler), FileMode.Create, FileAccess.Write);
        filler.SetLength(Math.Max(0, free - Headroom));
        // tmpfs allocates pages when they are written, not when the length is set.
        var block = new byte[1024 * 1024];
        for (long written = 0; written < filler.Length; written += block.Length)
        {
            await filler.WriteAsync(block.AsMemory(0, (int)Math.Min(block.Length, filler.Length - written)));
        }
    }

    public static void Free(string spill) => File.Delete(Path.Combine(spill, Filler));

    public static async Task UnmountAsync(string spill)
    {
        Free(spill);
        await FaultSystem.RunAsync("umount", spill);
    }
}
