using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

// The system runs PostgreSQL and RabbitMQ as Linux processes.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace Tower.System.Tests;

/// <summary>
/// The whole system, started once for every test of the collection: PostgreSQL and RabbitMQ as
/// local processes in a fresh data folder, the five services on free ports.
/// </summary>
public class TowerSystem : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);

    /// <summary>
    /// Systems start one at a time (each is a PostgreSQL, a RabbitMQ, five services and their
    /// workers): on two cores, two or three starting at once now and then took past the start
    /// timeout, failing every test of a collection. The timeout counts from a system's own turn.
    /// </summary>
    private static readonly SemaphoreSlim Starting = new(1, 1);

    private readonly string _dataDirectory = Path.Combine("/tmp", "tower-tests-" + Guid.NewGuid().ToString("N")[..12]);
    private DistributedApplication? _app;

    /// <summary>The launcher's data folder (PostgreSQL's and RabbitMQ's data, keys, the gateway's spill and state).</summary>
    public string DataDirectory => _dataDirectory;

    public string RootApiKey { get; } = "test-root-" + RandomNumberGenerator.GetHexString(40, lowercase: true);

    public HttpClient Admin { get; private set; } = null!;

    public HttpClient Gateway { get; private set; } = null!;

    /// <summary>The Logging service's database, for tests that look at what is stored.</summary>
    public string LoggingDatabase { get; private set; } = "";

    /// <summary>The broker, for tests that publish call records as the gateway does.</summary>
    public string RabbitMQ { get; private set; } = "";

    /// <summary>The Admin service's database, whose server also holds the databases of <see cref="EmptyAdmin"/>.</summary>
    public string AdminDatabase { get; private set; } = "";

    /// <summary>The running system, for systems of their own that look inside it.</summary>
    protected DistributedApplication App => _app ?? throw new InvalidOperationException("The system has not started.");

    /// <summary>Launcher settings of a system of its own, besides the test defaults.</summary>
    protected virtual IEnumerable<string> Settings => [];

    public virtual async Task InitializeAsync()
    {
        await Starting.WaitAsync();
        try
        {
            await StartSystemAsync();
        }
        finally
        {
            Starting.Release();
        }
    }

    /// <summary>Builds and starts the system and waits until it serves; runs while no other system starts.</summary>
    protected virtual async Task StartSystemAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Tower_AppHost>(
            [
                "--Tower:Infrastructure=processes",
                $"--Tower:DataDir={_dataDirectory}",
                "--Tower:GatewayPort=0",
                "--Tower:AdminPort=0",
                "--Tower:PostgresPort=0",
                "--Tower:RabbitMQPort=0",
                "--Tower:RabbitMQDistributionPort=0",
                "--Tower:EpmdPort=0",
                // Whatever the machine: tests of the workers' share (spec §14) count on two.
                "--Tower:ScriptWorkers=2",
                $"--TOWER_ROOT_API_KEY={RootApiKey}",
                .. Settings,
            ],
            (options, _) => options.DisableDashboard = true,
            timeout.Token);
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));

        _app = await builder.BuildAsync(timeout.Token);
        await _app.StartAsync(timeout.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("gateway", timeout.Token);

        Admin = new HttpClient { BaseAddress = _app.GetEndpoint("admin", "http") };
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", RootApiKey);
        Gateway = CreateGatewayClient(_app);
        LoggingDatabase = await _app.GetConnectionStringAsync("loggingdb", timeout.Token) ?? "";
        RabbitMQ = await _app.GetConnectionStringAsync("rabbitmq", timeout.Token) ?? "";
        AdminDatabase = await _app.GetConnectionStringAsync("admindb", timeout.Token) ?? "";
        await WarmUpAsync(timeout.Token);
    }

    /// <summary>A client of the gateway's public listener.</summary>
    protected virtual HttpClient CreateGatewayClient(DistributedApplication app) => new() { BaseAddress = app.GetEndpoint("gateway", "http") };

    /// <summary>
    /// One call through every hop (authenticator code, webhook code, a log record), so that tests
    /// with time limits measure the system, not its first just-in-time compilation.
    /// </summary>
    private async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        var authenticator = await Admin.PostAsJsonAsync("/api/authenticators",
            new { reference = "warm_up", name = "Warm-up", code = "result.allowed = true;" }, cancellationToken);
        var webhook = await Admin.PostAsJsonAsync("/api/webhooks",
            new { reference = "warm_up", name = "Warm-up", authenticator = "warm_up", endpoint = "warm-up", code = "result.message = \"warm\";" }, cancellationToken);
        Assert.True(authenticator.IsSuccessStatusCode && webhook.IsSuccessStatusCode, "The warm-up webhook could not be created.");
        while ((await Gateway.PostAsync("/cetmix_tower_webhooks/warm-up", new StringContent("{}"), cancellationToken)).StatusCode != global::System.Net.HttpStatusCode.OK)
        {
            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>Creates a resource through the Admin API (POST), asserting 201, and returns what Admin answered.</summary>
    public async Task<JsonObject> CreateAsync(string path, object resource)
    {
        using var response = await Admin.PostAsJsonAsync(path, resource);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == global::System.Net.HttpStatusCode.Created, $"POST {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>POSTs to the Admin API, asserting 400, and returns the validation errors by field.</summary>
    public async Task<JsonObject> RefusedAsync(string path, object body)
    {
        using var response = await Admin.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == global::System.Net.HttpStatusCode.BadRequest, $"POST {path}: {(int)response.StatusCode} {text}");
        return (JsonObject)JsonNode.Parse(text)!["errors"]!;
    }

    /// <summary>
    /// Waits until the gateway matches <paramref name="endpoint"/> (a new webhook reaches it through a
    /// change event), posting <c>{}</c> to it until the answer is not 404.
    /// </summary>
    public async Task WaitMatchedAsync(string endpoint)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            using var response = await Gateway.PostAsync("/cetmix_tower_webhooks/" + endpoint, new StringContent("{}"));
            if (response.StatusCode != global::System.Net.HttpStatusCode.NotFound)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"The gateway never matched {endpoint}.");
            await Task.Delay(50);
        }
    }

    /// <summary>The call log record of a call, waiting up to 5 s for it to be stored.</summary>
    public async Task<JsonObject> LogOfAsync(string callId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (true)
        {
            using var response = await Admin.GetAsync($"/api/webhook-logs/{callId}");
            if (response.StatusCode == global::System.Net.HttpStatusCode.OK)
            {
                return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
            }

            Assert.True(DateTime.UtcNow < deadline, $"No log record for call {callId}.");
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Stops a resource (such as PostgreSQL) as the dashboard's stop button does, waits until its
    /// process has ended and returns its exit code.
    /// </summary>
    public async Task<int?> StopAsync(string resource)
    {
        var result = await _app!.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(resource, "resource-stop");
        Assert.True(result.Success, $"Stopping {resource}: {result.Message}");
        // The command returns once the stop is under way; a start before the process is gone fails.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var ended = await App.ResourceNotifications.WaitForResourceAsync(
            resource, change => KnownResourceStates.TerminalStates.Contains(change.Snapshot.State?.Text), timeout.Token);
        return ended.Snapshot.ExitCode;
    }

    /// <summary>
    /// Kills a process the launcher started with SIGKILL, as a crash or the OOM killer would, waits
    /// until it is gone, then until the launcher's supervisor has started it again and it is healthy.
    /// </summary>
    public async Task KillAsync(string resource)
    {
        var killed = await KillAndLeaveAsync(resource);
        await WaitForRestartAsync(resource, killed, TimeSpan.FromMinutes(1));
    }

    /// <summary>Kills a process with SIGKILL and returns as soon as it is gone, with its process id.</summary>
    public async Task<int> KillAndLeaveAsync(string resource)
    {
        var pid = ProcessId(resource);
        using var process = global::System.Diagnostics.Process.GetProcessById(pid);
        process.Kill();
        await process.WaitForExitAsync();
        return pid;
    }

    /// <summary>
    /// Waits until <paramref name="resource"/> runs again in a process other than <paramref name="oldPid"/>,
    /// and, unless <paramref name="healthy"/> is false, until it is healthy.
    /// </summary>
    public async Task WaitForRestartAsync(string resource, int oldPid, TimeSpan limit, bool healthy = true)
    {
        using var timeout = new CancellationTokenSource(limit);
        while (!App.ResourceNotifications.TryGetCurrentState(resource, out var state)
               || state.Snapshot.State?.Text != KnownResourceStates.Running
               || state.Snapshot.Properties.SingleOrDefault(property => property.Name == "executable.pid")?.Value is not { } pid
               || Convert.ToInt32(pid, global::System.Globalization.CultureInfo.InvariantCulture) == oldPid)
        {
            Assert.False(timeout.IsCancellationRequested, $"{resource} was not restarted within {limit}.");
            await Task.Delay(100);
        }

        if (healthy)
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
        }
    }

    /// <summary>The status a service's own <c>/health</c> answers now (0 when it does not answer at all).</summary>
    public async Task<int> HealthOfAsync(string service)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            using var response = await client.GetAsync(new Uri(App.GetEndpoint(service, "http"), "/health"));
            return (int)response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return 0;
        }
    }

    /// <summary>The state the launcher shows for a resource (Running, Finished…).</summary>
    public string? StateOf(string resource) =>
        App.ResourceNotifications.TryGetCurrentState(resource, out var state) ? state.Snapshot.State?.Text : null;

    /// <summary>Waits until a resource is healthy.</summary>
    public async Task WaitHealthyAsync(string resource, TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
    }

    /// <summary>Sends a signal (<c>STOP</c>, <c>CONT</c>…) to a resource's process, as <c>kill -s</c> does.</summary>
    public async Task SignalAsync(string resource, string signal)
    {
        using var kill = global::System.Diagnostics.Process.Start("kill", ["-s", signal, ProcessId(resource).ToString(global::System.Globalization.CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>The process of a resource the launcher started (a service, PostgreSQL, RabbitMQ, epmd).</summary>
    public int ProcessId(string resource)
    {
        Assert.True(App.ResourceNotifications.TryGetCurrentState(resource, out var state), $"No state for {resource}");
        var pid = state.Snapshot.Properties.Single(property => property.Name == "executable.pid").Value;
        return Convert.ToInt32(pid, global::System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Starts a stopped resource again and waits until it is healthy.</summary>
    public async Task StartAsync(string resource)
    {
        var result = await _app!.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(resource, "resource-start");
        Assert.True(result.Success, $"Starting {resource}: {result.Message}");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await _app.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
    }

    public virtual async Task DisposeAsync()
    {
        Admin?.Dispose();
        Gateway?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class TowerSystemCollection : ICollectionFixture<TowerSystem>
{
    public const string Name = "Tower system";
}
