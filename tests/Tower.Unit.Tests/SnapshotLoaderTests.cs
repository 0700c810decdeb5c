using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Tower.Contracts;
using Tower.Contracts.Configuration;
using Tower.Gateway.Configuration;
using Tower.Gateway.Infrastructure;

namespace Tower.Unit.Tests;

/// <summary>
/// The gateway's configuration loader: whatever Admin does, it keeps the gateway serving; a
/// gateway that cannot reach Admin at start serves its saved snapshot (spec §9).
/// </summary>
public sealed class SnapshotLoaderTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tower-loader-" + Guid.NewGuid().ToString("N")[..8]);

    private static byte[] SnapshotJson(string endpoint) => JsonSerializer.SerializeToUtf8Bytes(new ConfigSnapshot
    {
        TakenAt = DateTimeOffset.UtcNow,
        Authenticators = [new AuthenticatorDefinition { Reference = "open", Name = "Open", AllowedIps = "", TrustedProxyIps = "", Variables = [], Secrets = [] }],
        Webhooks =
        [
            new WebhookDefinition
            {
                Reference = "hook", Name = "Hook", Authenticator = "open", Endpoint = endpoint, Method = "POST", PayloadType = "json",
                RunAsUser = "", RunAsGroup = "", TimeoutMs = 1000, Variables = [], Secrets = [],
            },
        ],
        Variables = new Dictionary<string, string>(),
        Secrets = new Dictionary<string, string>(),
    }, TowerJson.Options);

    private GatewayOptions Options() => new()
    {
        StateDirectory = _directory,
        SnapshotKey = "test key",
        StartupLoadTimeout = TimeSpan.FromMilliseconds(300),
        ResyncInterval = TimeSpan.FromSeconds(1),
    };

    /// <summary>A loader whose Admin answers every request with <paramref name="admin"/>.</summary>
    private (SnapshotLoader Loader, ConfigHolder Holder) Loader(Func<CancellationToken, Task<HttpResponseMessage>> admin)
    {
        var options = Microsoft.Extensions.Options.Options.Create(Options());
        var services = new ServiceCollection()
            .AddTransient(_ => new AdminClient(new HttpClient(new Answering(admin)) { BaseAddress = new Uri("http://admin") }))
            .BuildServiceProvider();
        var holder = new ConfigHolder();
        return (new SnapshotLoader(services, holder, new SavedSnapshot(options), options, NullLogger<SnapshotLoader>.Instance), holder);
    }

    [Fact]
    public async Task An_Admin_that_fails_in_unexpected_ways_never_stops_the_loader()
    {
        var attempts = 0;
        var (loader, holder) = Loader(_ =>
        {
            Interlocked.Increment(ref attempts);
            throw new InvalidOperationException("something nobody expected");
        });

        await loader.StartAsync(CancellationToken.None);
        await holder.FirstAttempt.WaitAsync(TimeSpan.FromSeconds(5));
        // Failed loads are tried again every second; the old loader ended at the first one.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (Volatile.Read(ref attempts) < 3 && DateTime.UtcNow < deadline && !loader.ExecuteTask!.IsCompleted)
        {
            await Task.Delay(100);
        }

        Assert.False(loader.ExecuteTask!.IsCompleted, "The loader ended: " + loader.ExecuteTask.Exception?.InnerException?.Message);
        Assert.True(attempts >= 3, $"{attempts} attempts in 15 s: failed loads are retried every second");
        Assert.False(holder.Loaded);
        await loader.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_snapshot_from_Admin_is_put_in_force_and_saved()
    {
        var json = SnapshotJson("from/admin");
        var (loader, holder) = Loader(_ => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(json) }));

        await loader.StartAsync(CancellationToken.None);
        await holder.FirstAttempt.WaitAsync(TimeSpan.FromSeconds(5));
        await loader.StopAsync(CancellationToken.None);

        Assert.NotNull(holder.Current.Match("from/admin", "POST"));
        Assert.Equal(json, new SavedSnapshot(Microsoft.Extensions.Options.Options.Create(Options())).Read());
    }

    [Fact]
    public async Task A_gateway_whose_Admin_hangs_at_start_serves_the_saved_snapshot()
    {
        new SavedSnapshot(Microsoft.Extensions.Options.Options.Create(Options())).Save(SnapshotJson("from/disk"));
        var (loader, holder) = Loader(async cancellationToken =>
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        });

        await loader.StartAsync(CancellationToken.None);
        await holder.FirstAttempt.WaitAsync(TimeSpan.FromSeconds(5));
        await loader.StopAsync(CancellationToken.None);

        Assert.True(holder.Loaded);
        Assert.NotNull(holder.Current.Match("from/disk", "POST"));
    }

    [Fact]
    public async Task Without_Admin_or_a_saved_snapshot_nothing_is_in_force_after_the_first_attempt()
    {
        var (loader, holder) = Loader(_ => Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)));

        await loader.StartAsync(CancellationToken.None);
        await holder.FirstAttempt.WaitAsync(TimeSpan.FromSeconds(5));
        await loader.StopAsync(CancellationToken.None);

        Assert.False(holder.Loaded);
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private sealed class Answering(Func<CancellationToken, Task<HttpResponseMessage>> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => answer(cancellationToken);
    }
}
