using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Tower.System.Tests;

/// <summary>
/// Every service makes itself non-dumpable as it starts (webhooks.md §9): another process of the
/// service's own user cannot read its environment. In a whole system the services run as root,
/// which /proc does not tell apart; here each one runs alone as an unprivileged user (nobody when
/// the tests run as root, else the tests' own user), its dependencies a port that accepts
/// connections and never answers, so that it stays up while it is looked at.
/// </summary>
public sealed class NonDumpableServiceTests
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private static readonly bool IsRoot = Environment.UserName == "root";
    private static readonly string[] AsNobody = ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"];

    [Theory]
    [InlineData("Gateway")]
    [InlineData("Admin")]
    [InlineData("Auth")]
    [InlineData("Executor")]
    [InlineData("Logging")]
    public async Task A_process_of_the_services_own_user_cannot_read_its_environment(string service)
    {
        using var dependencies = new SilentListener();
        var spill = Path.Combine("/tmp", "tower-spill-" + Guid.NewGuid().ToString("N")[..12]);
        using var control = Start("sleep", ["60"], new Dictionary<string, string>(), "/tmp");
        using var process = StartService(service, dependencies.Port, spill);
        try
        {
            // The probe reads a dumpable process of the same user...
            await WaitUntilAsync(() => IsRunning(control.Id, "sleep") && CanRead(control.Id), control, "the probe never read a dumpable process's environment");
            // ...but not the service, once it runs as that user (setpriv has executed dotnet, which starts dumpable).
            await WaitUntilAsync(() => IsRunning(process.Id, "dotnet") && !CanRead(process.Id), process, $"{service} stayed readable by its own user");
        }
        finally
        {
            control.Kill();
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            if (Directory.Exists(spill))
            {
                Directory.Delete(spill, recursive: true);
            }
        }
    }

    private static Process StartService(string service, int dependencies, string spill)
    {
        var project = service switch
        {
            "Gateway" => new Projects.Tower_Gateway().ProjectPath,
            "Admin" => new Projects.Tower_Admin().ProjectPath,
            "Auth" => new Projects.Tower_Auth().ProjectPath,
            "Executor" => new Projects.Tower_Executor().ProjectPath,
            _ => new Projects.Tower_Logging().ProjectPath,
        };
        var directory = Path.GetDirectoryName(project)!;
        var silent = $"127.0.0.1:{dependencies}";
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePort()}",
            ["DOTNET_EnableDiagnostics"] = "0",
            ["Tower__ServiceKey"] = RandomNumberGenerator.GetHexString(64, lowercase: true),
            ["ConnectionStrings__rabbitmq"] = $"amqp://tower:tower@{silent}/",
            ["ConnectionStrings__admindb"] = $"Host=127.0.0.1;Port={dependencies};Username=tower;Password=tower;Database=tower;Timeout=60",
            ["ConnectionStrings__loggingdb"] = $"Host=127.0.0.1;Port={dependencies};Username=tower;Password=tower;Database=tower;Timeout=60",
            ["Admin__RootApiKey"] = RandomNumberGenerator.GetHexString(48, lowercase: true),
            ["Admin__SecretsKey"] = RandomNumberGenerator.GetHexString(48, lowercase: true),
            ["Admin__PublicBaseUrl"] = "http://localhost:5080",
            ["Gateway__SpillDirectory"] = spill,
            ["Gateway__AsyncRequestKey"] = RandomNumberGenerator.GetHexString(48, lowercase: true),
            // Auth and Executor refuse to start without their script hop's address.
            ["ScriptHop__Url"] = $"tcp://localhost:{FreePort()}",
        };
        foreach (var dependency in new[] { "admin", "auth", "executor", "logging" })
        {
            environment[$"services__{dependency}__http__0"] = $"http://{silent}";
        }

        return Start("dotnet", [Path.Combine(directory, "bin", Configuration, "net10.0", $"Tower.{service}.dll")], environment, directory);
    }

    /// <summary>Starts a program as the unprivileged user, with only the given environment (and PATH).</summary>
    private static Process Start(string program, string[] args, Dictionary<string, string> environment, string directory)
    {
        var start = new ProcessStartInfo(IsRoot ? "setpriv" : program)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in IsRoot ? [.. AsNobody, program, .. args] : args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Clear();
        start.Environment["PATH"] = Environment.GetEnvironmentVariable("PATH");
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Whether the process runs <paramref name="name"/> as a user other than root.</summary>
    private static bool IsRunning(int pid, string name)
    {
        try
        {
            var status = File.ReadAllLines($"/proc/{pid}/status");
            var uid = status.Single(line => line.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t')[1];
            return status.Contains($"Name:\t{name}") && uid != "0";
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Whether a process of the unprivileged user can read the environment of process <paramref name="pid"/>.</summary>
    private static bool CanRead(int pid)
    {
        var path = $"/proc/{pid}/environ";
        if (!IsRoot)
        {
            try
            {
                File.ReadAllBytes(path);
                return true;
            }
            catch (UnauthorizedAccessException)
            {
                return false;
            }
        }

        using var cat = Start("cat", [path], new Dictionary<string, string>(), "/tmp");
        cat.WaitForExit();
        return cat.ExitCode == 0;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, Process process, string failure)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.False(process.HasExited, $"{failure}: the process exited with {(process.HasExited ? process.ExitCode : 0)}.");
            Assert.True(DateTime.UtcNow < deadline, failure + ".");
            await Task.Delay(50);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
