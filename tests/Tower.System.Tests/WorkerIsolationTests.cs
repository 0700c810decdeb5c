using System.Diagnostics;

namespace Tower.System.Tests;

/// <summary>
/// The services and script workers of a running system are confined (webhooks.md §9): the tests
/// run the launcher as root, so the services must run as the unprivileged <c>tower</c> user and
/// their workers as its first subordinate user id (neither root nor the services' user), with
/// no_new_privs, in network and process namespaces of their own, with none of the services'
/// credentials.
/// </summary>
[Collection(TowerSystemCollection.Name)]
public sealed class WorkerIsolationTests(TowerSystem tower)
{
    [Theory]
    [InlineData("gateway")]
    [InlineData("admin")]
    [InlineData("auth")]
    [InlineData("executor")]
    [InlineData("logging")]
    public void Services_run_as_the_unprivileged_tower_user(string service)
    {
        var user = Run("/usr/bin/id", "-u", "tower").Trim();

        var status = File.ReadAllLines($"/proc/{tower.ProcessId(service)}/status");

        Assert.NotEqual("", user);
        Assert.Equal([user, user, user, user], Ids(status, "Uid:"));
        Assert.Equal(Run("/usr/bin/id", "-g", "tower").Trim(), Ids(status, "Gid:")[0]);
    }

    [Fact]
    public async Task Script_workers_run_confined_as_a_subordinate_id_of_the_service_user_without_the_services_credentials()
    {
        Assert.True((await tower.Admin.GetAsync("/api/webhooks")).IsSuccessStatusCode);
        var subordinate = File.ReadLines("/etc/subuid").Select(line => line.Split(':')).First(fields => fields[0] == "tower")[1];
        var serviceUser = Run("/usr/bin/id", "-u", "tower").Trim();

        var workers = (await WorkersAsync()).Select(Look).Where(worker => worker is not null).Select(worker => worker!.Value).ToList();

        Assert.NotEmpty(workers);
        foreach (var worker in workers)
        {
            Assert.All(Ids(worker.Status, "Uid:"), uid => Assert.Equal(subordinate, uid));
            Assert.NotEqual(serviceUser, subordinate);
            Assert.NotEqual("0", subordinate);
            Assert.Contains(worker.Status, line => line.StartsWith("NoNewPrivs:", StringComparison.Ordinal) && line.EndsWith('1'));
            Assert.NotEqual(Namespace("self", "net"), worker.Network);
            Assert.NotEqual(Namespace("self", "pid"), worker.Processes);
            Assert.DoesNotContain(worker.Environment.Keys, key => key.StartsWith("Tower__", StringComparison.Ordinal)
                || key.StartsWith("ConnectionStrings__", StringComparison.Ordinal) || key.StartsWith("Admin__", StringComparison.Ordinal)
                || key.StartsWith("TOWER_", StringComparison.Ordinal));
            Assert.DoesNotContain(worker.Environment.Values, value => value.Contains(tower.RootApiKey, StringComparison.Ordinal));
        }
    }

    /// <summary>What /proc shows of a worker, or null when it ended in between (workers are retired and replaced).</summary>
    private static (string[] Status, string? Network, string? Processes, IReadOnlyDictionary<string, string> Environment)? Look(int pid)
    {
        try
        {
            return (File.ReadAllLines($"/proc/{pid}/status"), Namespace(pid.ToString(), "net"), Namespace(pid.ToString(), "pid"), ProcFs.Environment(pid));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>This system's worker processes: descendants of its Auth and Executor (they warm theirs at start).</summary>
    private async Task<IReadOnlyList<int>> WorkersAsync()
    {
        var services = new[] { tower.ProcessId("auth"), tower.ProcessId("executor") };
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var found = Directory.GetDirectories("/proc")
                .Select(path => int.TryParse(Path.GetFileName(path), out var pid) ? pid : 0)
                .Where(pid => pid > 0 && CommandLine(pid).StartsWith("/", StringComparison.Ordinal)
                    && CommandLine(pid).Contains("--tower-script-worker", StringComparison.Ordinal)
                    && !CommandLine(pid).Contains("bwrap", StringComparison.Ordinal)
                    && services.Any(service => DescendsFrom(pid, service)))
                .ToList();
            if (found.Count > 0)
            {
                return found;
            }

            await Task.Delay(200);
        }

        return [];
    }

    private static bool DescendsFrom(int pid, int ancestor)
    {
        for (var current = pid; current > 1; current = Parent(current))
        {
            if (current == ancestor)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The parent's pid, from /proc/&lt;pid&gt;/stat (after the command's closing parenthesis), or 0 when the process is gone.</summary>
    private static int Parent(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], global::System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>The real, effective, saved and file-system ids of a /proc status line.</summary>
    private static string[] Ids(string[] status, string field) =>
        status.Single(line => line.StartsWith(field, StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1..];

    private static string? Namespace(string pid, string kind) => new FileInfo($"/proc/{pid}/ns/{kind}").LinkTarget;

    private static string Run(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true })!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output;
    }
}
