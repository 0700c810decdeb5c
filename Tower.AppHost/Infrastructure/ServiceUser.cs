using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace Tower.AppHost.Infrastructure;

/// <summary>
/// The unprivileged user the five services run as when the launcher is root: <c>Tower:ServiceUser</c>,
/// <c>tower</c> by default (empty keeps them root, which a production host should not do). It is
/// created when missing, as a system user without a home or a shell, with a range of subordinate
/// ids: its script workers run as the first of them, a user that is neither root nor the services'
/// (webhooks.md §9). PostgreSQL and RabbitMQ run as their own users already.
/// </summary>
internal sealed partial class ServiceUser
{
    /// <summary>Above the ranges useradd gives ordinary users (SUB_UID_MAX is 600,100,000 by default).</summary>
    private const long FirstSubordinateId = 0x7000_0000;
    private const long SubordinateCount = 65536;

    /// <summary>Launchers in one process (the system tests start several) add the user one at a time.</summary>
    private static readonly Lock Creating = new();

    private readonly LocalLayout _layout;

    private ServiceUser(string name, LocalLayout layout)
    {
        Name = name;
        _layout = layout;
        Home = layout.OwnedDirectory("service-home", name, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public string Name { get; }

    /// <summary>The services' <c>HOME</c>: a folder of the data folder that only this user may use.</summary>
    public string Home { get; }

    /// <summary>The user the settings name, made ready; null when the launcher is not root or the setting is empty.</summary>
    public static ServiceUser? Resolve(IConfiguration tower, LocalLayout layout)
    {
        var name = tower["ServiceUser"] ?? "tower";
        if (!LocalLayout.IsRoot || name.Length == 0)
        {
            return null;
        }

        if (!UserName().IsMatch(name) || name == "root")
        {
            throw new InvalidOperationException($"Tower:ServiceUser is '{name}': expected the name of an unprivileged user (lower-case letters, digits, '_' or '-'), or empty to run the services as root.");
        }

        lock (Creating)
        {
            EnsureUser(name);
            EnsureSubordinateIds(name, "/etc/subuid", "--add-subuids");
            EnsureSubordinateIds(name, "/etc/subgid", "--add-subgids");
        }

        return new ServiceUser(name, layout);
    }

    /// <summary>The command that runs <paramref name="binary"/> as this user (without no_new_privs: its workers need newuidmap).</summary>
    public (string Command, string[] Prefix) Command(string binary) =>
        ("setpriv", [$"--reuid={Name}", $"--regid={Name}", "--init-groups", "--", binary]);

    /// <summary>
    /// The folder to run a service from: its build output when this user can read all of it, else a
    /// copy in the data folder (a checkout below root's home cannot be read by anyone else).
    /// </summary>
    public string ReadableFolder(string buildOutput, string service)
    {
        if (CanReadAll(buildOutput))
        {
            return buildOutput;
        }

        var copy = Path.Combine(_layout.Root, "services", service);
        if (Directory.Exists(copy))
        {
            Directory.Delete(copy, recursive: true);
        }

        Copy(new DirectoryInfo(buildOutput), copy);
        return copy;
    }

    /// <summary>A file for the services to read: itself when this user can read it, else a copy in the data folder.</summary>
    public string ReadableFile(string path, string copyName)
    {
        if (CanReadAll(path))
        {
            return path;
        }

        var folder = Path.Combine(_layout.Root, "services");
        Directory.CreateDirectory(folder);
        var copy = Path.Combine(folder, copyName);
        File.Copy(path, copy, overwrite: true);
        File.SetUnixFileMode(copy, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        return copy;
    }

    private bool CanReadAll(string folder)
    {
        var (command, prefix) = Command("/usr/bin/find");
        var (exitCode, output, _) = LocalLayout.Capture(command, [.. prefix, folder, "!", "-readable", "-print", "-quit"]);
        return exitCode == 0 && output.Length == 0;
    }

    /// <summary>Copies a folder readable by everyone (the services' files hold no secret: keys reach them through their environment).</summary>
    private static void Copy(DirectoryInfo source, string target)
    {
        const UnixFileMode readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        const UnixFileMode enterable = readable | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        Directory.CreateDirectory(target, enterable);
        File.SetUnixFileMode(target, enterable);
        foreach (var file in source.EnumerateFiles())
        {
            var copied = file.CopyTo(Path.Combine(target, file.Name));
            copied.UnixFileMode = readable;
        }

        foreach (var folder in source.EnumerateDirectories())
        {
            Copy(folder, Path.Combine(target, folder.Name));
        }
    }

    private static void EnsureUser(string name)
    {
        if (LocalLayout.Capture("/usr/bin/id", "-u", name).ExitCode != 0)
        {
            LocalLayout.Run("/usr/sbin/useradd", "--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", name);
        }
    }

    /// <summary>Gives the user a range of its own in <paramref name="file"/>, above every range given so far, unless it has one.</summary>
    private static void EnsureSubordinateIds(string name, string file, string option)
    {
        var lines = File.Exists(file) ? File.ReadAllLines(file) : [];
        var ranges = lines.Select(line => line.Split(':')).Where(fields => fields.Length == 3).ToList();
        if (ranges.Any(fields => fields[0] == name))
        {
            return;
        }

        var first = ranges
            .Select(fields => long.TryParse(fields[1], CultureInfo.InvariantCulture, out var start) && long.TryParse(fields[2], CultureInfo.InvariantCulture, out var count) ? start + count : 0)
            .Append(FirstSubordinateId)
            .Max();
        var range = string.Create(CultureInfo.InvariantCulture, $"{first}-{first + SubordinateCount - 1}");
        LocalLayout.Run("/usr/sbin/usermod", option, range, name);
    }

    [GeneratedRegex("^[a-z_][a-z0-9_-]{0,31}$")]
    private static partial Regex UserName();
}
