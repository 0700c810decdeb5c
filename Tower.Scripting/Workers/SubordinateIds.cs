using System.Globalization;

namespace Tower.Scripting.Workers;

/// <summary>
/// A user's first subordinate user and group id (subuid(5), subgid(5)): ids that the user may map
/// into a user namespace of its own through the setuid helpers <c>newuidmap</c> and
/// <c>newgidmap</c>, and that own nothing on the host.
/// </summary>
internal sealed record SubordinateIds(long UserId, long GroupId)
{
    private const string UidMap = "/usr/bin/newuidmap";
    private const string GidMap = "/usr/bin/newgidmap";

    /// <summary>The current user's, or null when it has none or the helpers are missing.</summary>
    public static SubordinateIds? OfCurrentUser()
    {
        if (!File.Exists(UidMap) || !File.Exists(GidMap) || !File.Exists("/etc/subuid") || !File.Exists("/etc/subgid"))
        {
            return null;
        }

        var uid = File.ReadLines("/proc/self/status").Single(line => line.StartsWith("Uid:", StringComparison.Ordinal))
            .Split('\t', StringSplitOptions.RemoveEmptyEntries)[1];
        return Find(Environment.UserName, uid, File.ReadLines("/etc/subuid"), File.ReadLines("/etc/subgid"));
    }

    /// <summary>
    /// The first range given to <paramref name="user"/> (by name or by <paramref name="uid"/>) in
    /// each file's <c>owner:first:count</c> lines, or null when either file gives it none.
    /// </summary>
    public static SubordinateIds? Find(string user, string uid, IEnumerable<string> subuid, IEnumerable<string> subgid) =>
        First(user, uid, subuid) is { } userId && First(user, uid, subgid) is { } groupId ? new SubordinateIds(userId, groupId) : null;

    private static long? First(string user, string uid, IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            var fields = line.Split(':');
            if (fields.Length == 3 && (fields[0] == user || fields[0] == uid)
                && long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var first)
                && long.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0)
            {
                return first;
            }
        }

        return null;
    }
}
