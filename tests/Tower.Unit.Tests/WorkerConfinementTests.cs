using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Tower.Scripting.Workers;

namespace Tower.Unit.Tests;

/// <summary>
/// What a script worker meets when code gets past the allowlist (spec §9): the confinement is
/// run here with ordinary programs in the worker's place, as root (services in local mode) and
/// as a normal user (services in a container). A stand-in "service" holds a secret in its
/// environment, as the real ones hold their credentials.
/// </summary>
public sealed class WorkerConfinementTests : IDisposable
{
    private const string Secret = "TOWER_TEST_SECRET=confinement-0123456789";
    private readonly List<Process> _standIns = [];

    [Fact]
    public void As_root_a_worker_runs_as_the_dedicated_user_and_cannot_read_a_service_environment()
    {
        var service = StartStandIn(asUser: null);
        var sandbox = WorkerSandbox.Detect(new WorkerPoolOptions(), "/bin/true", []);

        var identity = Run(sandbox.StartInfo("/usr/bin/id", ["-u"], [], "/"));
        var dedicated = Run(new ProcessStartInfo("/usr/bin/id", ["-u", "tower-script"]));
        var environment = Run(sandbox.StartInfo("/bin/cat", [$"/proc/{service.Id}/environ"], [], "/"));

        Assert.True(sandbox.Namespaces, sandbox.Description);
        Assert.Equal(dedicated.Output.Trim(), identity.Output.Trim());
        Assert.NotEqual("0", identity.Output.Trim());
        Assert.NotEqual(0, environment.ExitCode);
        Assert.DoesNotContain("confinement-0123456789", environment.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_namespaces_the_dedicated_user_still_cannot_read_a_root_service_environment()
    {
        var service = StartStandIn(asUser: null);
        var sandbox = WorkerSandbox.Detect(new WorkerPoolOptions { WorkerNamespaces = false }, "/bin/true", []);

        var environment = Run(sandbox.StartInfo("/bin/cat", [$"/proc/{service.Id}/environ"], [], "/"));

        Assert.False(sandbox.Namespaces);
        Assert.NotEqual(0, environment.ExitCode);
        Assert.DoesNotContain("confinement-0123456789", environment.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void As_a_normal_user_a_worker_cannot_read_the_environment_of_a_service_of_the_same_user()
    {
        var service = StartStandIn(asUser: "nobody");
        var sandbox = new WorkerSandbox(namespaces: true, user: null);

        var unconfined = Run(AsNobody(new ProcessStartInfo("/bin/cat", [$"/proc/{service.Id}/environ"])));
        var confined = Run(AsNobody(sandbox.StartInfo("/bin/cat", [$"/proc/{service.Id}/environ"], [], "/")));

        // The control: the same user outside the confinement reads it (the stand-in is dumpable, as a service would be without prctl).
        Assert.Contains("confinement-0123456789", unconfined.Output, StringComparison.Ordinal);
        Assert.NotEqual(0, confined.ExitCode);
        Assert.DoesNotContain("confinement-0123456789", confined.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_worker_has_no_network_no_new_privileges_and_only_the_environment_it_is_given()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var sandbox = WorkerSandbox.Detect(new WorkerPoolOptions(), "/bin/true", []);
        var given = new Dictionary<string, string> { ["ONLY_THIS"] = "1" };

        var network = Run(sandbox.StartInfo("/bin/bash", ["-c", $"echo > /dev/tcp/127.0.0.1/{port}"], [], "/", given));
        var status = Run(sandbox.StartInfo("/bin/grep", ["NoNewPrivs", "/proc/self/status"], [], "/", given));
        var environment = Run(sandbox.StartInfo("/bin/cat", ["/proc/self/environ"], [], "/", given));
        var files = Run(sandbox.StartInfo("/bin/ls", ["/etc", "/root", "/var", "/home"], [], "/", given));

        Assert.NotEqual(0, network.ExitCode);
        Assert.Matches(@"NoNewPrivs:\s+1", status.Output);
        Assert.Equal(["ONLY_THIS=1", "PWD=/"], environment.Output.Split('\0', StringSplitOptions.RemoveEmptyEntries).Order());
        Assert.DoesNotContain("passwd", files.Output, StringComparison.Ordinal);
    }

    private Process StartStandIn(string? asUser)
    {
        var info = asUser is null
            ? new ProcessStartInfo("/bin/sleep", ["60"])
            : new ProcessStartInfo("/usr/bin/setpriv", [$"--reuid={asUser}", "--regid=nogroup", "--clear-groups", "--", "/bin/sleep", "60"]);
        info.Environment.Clear();
        info.Environment[Secret.Split('=')[0]] = Secret.Split('=')[1];
        var process = Process.Start(info)!;
        _standIns.Add(process);

        // Once it runs sleep, setpriv has switched the user: before that it is root's, unreadable by nobody.
        for (var attempt = 0; attempt < 200 && !IsSleeping(process.Id); attempt++)
        {
            Thread.Sleep(10);
        }

        return process;
    }

    private static bool IsSleeping(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim() == "sleep";
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static ProcessStartInfo AsNobody(ProcessStartInfo info)
    {
        var wrapped = new ProcessStartInfo("/usr/bin/setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", info.FileName, .. info.ArgumentList]);
        wrapped.Environment.Clear();
        foreach (var (name, value) in info.Environment)
        {
            wrapped.Environment[name] = value;
        }

        return wrapped;
    }

    private static (int ExitCode, string Output) Run(ProcessStartInfo info)
    {
        info.UseShellExecute = false;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(20)), "the confined program did not end");
        return (process.ExitCode, output.Result);
    }

    public void Dispose()
    {
        foreach (var process in _standIns)
        {
            process.Kill();
            process.Dispose();
        }
    }
}
