using System.Diagnostics;
using System.Globalization;

namespace Tower.Scripting.Workers;

/// <summary>
/// How a script worker process is confined by the operating system, so that whatever gets past
/// the allowlist still meets an unprivileged, empty process (spec §9). Where bubblewrap can
/// create namespaces, the worker has no network, its own process tree and <c>/proc</c> (no
/// service is visible to it), and a read-only view of <c>/usr</c>, its own files and nothing
/// else. The worker never runs as the service's own user where the host allows it: when the
/// service runs as root, the worker runs as a dedicated unprivileged user (created on first use);
/// when the service runs as a user with subordinate ids (<c>/etc/subuid</c>, <c>/etc/subgid</c>,
/// as the launcher gives its <c>tower</c> user), the worker runs as the first of them, a user id
/// that owns nothing on the host. Every worker gets <c>no_new_privs</c> and only the environment
/// it is given. Where namespaces are refused (some container platforms), the worker still runs
/// with those last two and the service says so at start.
/// </summary>
internal sealed class WorkerSandbox
{
    private const string Bubblewrap = "/usr/bin/bwrap";
    private const string Setpriv = "/usr/bin/setpriv";
    private const string Unshare = "/usr/bin/unshare";

    /// <param name="namespaces">Whether to confine workers in namespaces of their own (bubblewrap).</param>
    /// <param name="user">The user to switch to (the service must be root), or null to keep the service's.</param>
    /// <param name="subordinate">
    /// The subordinate user and group id workers run as (with namespaces only; the service's user
    /// must own them), or null to keep the service's.
    /// </param>
    internal WorkerSandbox(bool namespaces, string? user, SubordinateIds? subordinate = null)
    {
        if (subordinate is not null && (!namespaces || user is not null))
        {
            throw new ArgumentException("Subordinate ids need namespaces and the service's own user.", nameof(subordinate));
        }

        Namespaces = namespaces;
        User = user;
        Subordinate = subordinate;
    }

    /// <summary>Whether workers run in their own user, network, process, mount, IPC and UTS namespaces.</summary>
    public bool Namespaces { get; }

    /// <summary>The user workers run as, when the service runs as root.</summary>
    public string? User { get; }

    /// <summary>The subordinate ids workers run as, when the service is not root but owns some.</summary>
    public SubordinateIds? Subordinate { get; }

    public string Description =>
        (Namespaces ? "in their own namespaces (no network, private /proc, read-only /usr)" : "WITHOUT namespaces (bubblewrap is missing or refused)")
        + (User is not null ? $", as the user '{User}'"
            : Subordinate is not null ? $", as the service user's subordinate user id {Subordinate.UserId} (owner of nothing on this host)"
            : ", as the service's user")
        + ", with no_new_privs and an empty environment";

    /// <summary>
    /// Finds out what this host allows by a trial run of the runtime itself, confined as a worker
    /// will be (<paramref name="dotnet"/> seeing <paramref name="readOnlyPaths"/>): namespaces when
    /// that works; otherwise without them, when that works; otherwise a clear error.
    /// </summary>
    public static WorkerSandbox Detect(WorkerPoolOptions options, string dotnet, IReadOnlyList<string> readOnlyPaths)
    {
        var user = Environment.IsPrivilegedProcess ? EnsureUser(options.WorkerUser) : null;
        var namespaces = options.WorkerNamespaces && File.Exists(Bubblewrap);
        var subordinate = user is null && namespaces && File.Exists(Unshare) ? SubordinateIds.OfCurrentUser() : null;
        var candidates = new List<WorkerSandbox>();
        if (subordinate is not null)
        {
            candidates.Add(new WorkerSandbox(namespaces: true, user, subordinate));
        }

        if (namespaces)
        {
            candidates.Add(new WorkerSandbox(namespaces: true, user));
        }

        candidates.Add(new WorkerSandbox(namespaces: false, user));
        foreach (var sandbox in candidates)
        {
            if (RunsToEnd(sandbox.StartInfo(dotnet, ["--list-runtimes"], readOnlyPaths, "/")))
            {
                return sandbox;
            }
        }

        throw new InvalidOperationException(
            $"The .NET runtime ({dotnet}) does not start as a script worker (user {user ?? Environment.UserName}): it must be readable and executable by that user.");
    }

    /// <summary>
    /// The command that starts <paramref name="program"/> confined, seeing only
    /// <paramref name="readOnlyPaths"/> besides the system's libraries, with exactly
    /// <paramref name="environment"/>.
    /// </summary>
    public ProcessStartInfo StartInfo(string program, IReadOnlyList<string> arguments, IReadOnlyList<string> readOnlyPaths,
        string workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var command = new List<string>();
        if (Subordinate is not null)
        {
            // A user namespace whose only user is the subordinate id, entered as that id (newuidmap
            // writes the map, so this comes before no_new_privs); bubblewrap nests its own inside.
            var uid = Subordinate.UserId.ToString(CultureInfo.InvariantCulture);
            var gid = Subordinate.GroupId.ToString(CultureInfo.InvariantCulture);
            command.AddRange([Unshare, "--user", $"--map-users={uid},0,1", $"--map-groups={gid},0,1", "--setuid=0", "--setgid=0", "--"]);
        }

        if (User is not null)
        {
            command.AddRange([Setpriv, $"--reuid={User}", $"--regid={User}", "--clear-groups", "--no-new-privs", "--"]);
        }
        else
        {
            command.AddRange([Setpriv, "--no-new-privs", "--"]);
        }

        if (Namespaces)
        {
            // A fresh /proc, /dev and /tmp first: the binds below may lie inside /tmp (the worker's own folder does).
            command.AddRange([Bubblewrap, "--unshare-all", "--new-session", "--cap-drop", "ALL", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
                "--ro-bind", "/usr", "/usr"]);
            foreach (var folder in new[] { "/lib", "/lib64", "/bin", "/sbin" })
            {
                var target = new FileInfo(folder).LinkTarget;
                command.AddRange(target is null ? ["--ro-bind-try", folder, folder] : ["--symlink", target, folder]);
            }

            // The dynamic loader's cache (OpenSSL and ICU are found through it) and OpenSSL's settings; no other file of /etc.
            command.AddRange(["--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache", "--ro-bind-try", "/etc/ssl/openssl.cnf", "/etc/ssl/openssl.cnf"]);
            foreach (var path in readOnlyPaths.Where(path => !path.StartsWith("/usr/", StringComparison.Ordinal)))
            {
                command.AddRange(["--ro-bind", path, path]);
            }

            command.AddRange(["--chdir", workingDirectory, "--"]);
        }

        var info = new ProcessStartInfo(command[0])
        {
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in command.Skip(1).Append(program).Concat(arguments))
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment.Clear();
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        return info;
    }

    private static bool RunsToEnd(ProcessStartInfo info)
    {
        info.RedirectStandardError = true;
        try
        {
            using var process = Process.Start(info);
            if (process is null)
            {
                return false;
            }

            _ = process.StandardError.ReadToEnd();
            return process.WaitForExit(TimeSpan.FromSeconds(10)) && process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>The dedicated worker user, created as a system user without a home or shell when it does not exist yet.</summary>
    private static string EnsureUser(string user)
    {
        static bool Exists(string user) =>
            RunsToEnd(new ProcessStartInfo("/usr/bin/id", ["-u", user]) { UseShellExecute = false, RedirectStandardOutput = true });

        if (Exists(user))
        {
            return user;
        }

        // Auth and Executor may both get here at once, and useradd refuses while the other holds the
        // password files' lock: try again for a few seconds; whichever adds the user, it exists afterwards.
        for (var attempt = 0; attempt < 20; attempt++)
        {
            RunsToEnd(new ProcessStartInfo("/usr/sbin/useradd",
                ["--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", user]) { UseShellExecute = false });
            if (Exists(user))
            {
                return user;
            }

            Thread.Sleep(TimeSpan.FromMilliseconds(250));
        }

        throw new InvalidOperationException($"The script worker user '{user}' does not exist and could not be created.");
    }
}
