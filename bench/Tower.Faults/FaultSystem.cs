using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Tower.Faults;

/// <summary>
/// A private Tower for the fault suite: local processes in a fresh data folder, free ports, no
/// dashboard, production hosts; and the means to break it (kill, stop, signal) and look inside.
/// </summary>
internal sealed class FaultSystem : IAsyncDisposable
{
    private readonly string _root = "fault-root-" + RandomNumberGenerator.GetHexString(40, lowercase: true);
    private DistributedApplication? _app;

    public string DataDirectory { get; } = Path.Combine("/tmp", "tower-faults-" + Guid.NewGuid().ToString("N")[..8]);

    public HttpClient Admin { get; private set; } = null!;

    public Uri Gateway { get; private set; } = null!;

    public string LoggingDatabase { get; private set; } = "";

    /// <summary>The broker, for the invariant on its error queues.</summary>
    public string RabbitMQ { get; private set; } = "";

    private DistributedApplication App => _app ?? throw new InvalidOperationException("The system has not started.");

    public async Task StartAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Tower_AppHost>(
            [
                "--Tower:Infrastructure=processes", $"--Tower:DataDir={DataDirectory}",
                "--Tower:GatewayPort=0", "--Tower:AdminPort=0", "--Tower:PostgresPort=0", "--Tower:RabbitMQPort=0",
                "--Tower:RabbitMQDistributionPort=0", "--Tower:EpmdPort=0", $"--TOWER_ROOT_API_KEY={_root}",
            ],
            (options, _) => options.DisableDashboard = true,
            timeout.Token);
        // The processes' own output and the failing health checks are the faults themselves: only
        // the launcher's warnings (its supervisor restarting what was killed) are shown.
        builder.Services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Tower.AppHost.Resources", LogLevel.None)
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None));
        _app = await builder.BuildAsync(timeout.Token);
        await _app.StartAsync(timeout.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("gateway", timeout.Token);
        Admin = new HttpClient { BaseAddress = _app.GetEndpoint("admin", "http") };
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _root);
        Gateway = _app.GetEndpoint("gateway", "http");
        LoggingDatabase = await _app.GetConnectionStringAsync("loggingdb", timeout.Token) ?? "";
        RabbitMQ = await _app.GetConnectionStringAsync("rabbitmq", timeout.Token) ?? "";
    }

    /// <summary>Creates an authenticator without checks and a webhook with <paramref name="code"/>; returns its path once callable.</summary>
    public async Task<string> WebhookAsync(string name, string code, int timeoutMs, int? maxConcurrency = null)
    {
        var reference = "faults_" + name;
        (await Admin.PostAsJsonAsync("/api/authenticators", new { reference, name = reference })).EnsureSuccessStatusCode();
        (await Admin.PostAsJsonAsync("/api/webhooks",
            new { reference, name = reference, authenticator = reference, endpoint = "faults/" + name, code, timeout_ms = timeoutMs, max_concurrency = maxConcurrency }))
            .EnsureSuccessStatusCode();
        var path = "/cetmix_tower_webhooks/faults/" + name;
        using var client = new HttpClient { BaseAddress = Gateway };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await client.PostAsync(path + "?tag=probe", new StringContent("{}"))).StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"The webhook {name} never became callable.");
            }

            await Task.Delay(100);
        }

        return path;
    }

    public int ProcessId(string resource)
    {
        if (!App.ResourceNotifications.TryGetCurrentState(resource, out var state)
            || state.Snapshot.Properties.SingleOrDefault(property => property.Name == "executable.pid")?.Value is not { } pid)
        {
            throw new InvalidOperationException($"{resource} has no process.");
        }

        return Convert.ToInt32(pid, CultureInfo.InvariantCulture);
    }

    /// <summary>The gateway's spill directory.</summary>
    public string SpillDirectory => Path.Combine(DataDirectory, "gateway-spill");

    /// <summary>SIGKILL, then waits until the launcher's supervisor has started it again and it is healthy.</summary>
    public async Task KillAsync(string resource)
    {
        var pid = ProcessId(resource);
        using (var process = System.Diagnostics.Process.GetProcessById(pid))
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        await WaitForRestartAsync(resource, pid);
    }

    /// <summary>Waits until <paramref name="resource"/> runs in a process other than <paramref name="oldPid"/> and is healthy.</summary>
    public async Task WaitForRestartAsync(string resource, int oldPid)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (!App.ResourceNotifications.TryGetCurrentState(resource, out var state)
               || state.Snapshot.State?.Text != KnownResourceStates.Running
               || state.Snapshot.Properties.SingleOrDefault(property => property.Name == "executable.pid")?.Value is not { } restarted
               || Convert.ToInt32(restarted, CultureInfo.InvariantCulture) == oldPid)
        {
            await Task.Delay(100, timeout.Token);
        }

        await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
    }

    /// <summary>The launcher's stop or start command, as the dashboard's buttons.</summary>
    public async Task CommandAsync(string resource, string command)
    {
        var result = await App.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(resource, command);
        if (!result.Success)
        {
            throw new InvalidOperationException($"{command} {resource}: {result.Message}");
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        if (command == KnownResourceCommands.StartCommand)
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
        }
        else if (command == KnownResourceCommands.StopCommand)
        {
            // The command returns once the stop is under way; a start before the process is gone fails.
            await App.ResourceNotifications.WaitForResourceAsync(resource, KnownResourceStates.TerminalStates, timeout.Token);
        }
    }

    /// <summary>Sends a signal to a resource's process; returns the process id it went to.</summary>
    public async Task<int> SignalAsync(string resource, string signal)
    {
        var pid = ProcessId(resource);
        await RunAsync("kill", "-s", signal, pid.ToString(CultureInfo.InvariantCulture));
        return pid;
    }

    /// <summary>Runs a command of the machine; false when it failed.</summary>
    public static async Task<bool> RunAsync(string command, params string[] arguments)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(command, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        await process.WaitForExitAsync();
        return process.ExitCode == 0;
    }

    public async ValueTask DisposeAsync()
    {
        Admin?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        if (Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }
}
