using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using Dapper;
using Npgsql;
using RabbitMQ.Client;

// The outage tests stop the broker, unbind Logging's queue and kill the gateway: nothing else may run meanwhile.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Tower.System.Tests;

/// <summary>A system of its own (broker, databases, services) for the tests that break it.</summary>
[CollectionDefinition(Name)]
public sealed class TowerOutageCollection : ICollectionFixture<TowerSystem>
{
    public const string Name = "Tower outages";
}

/// <summary>
/// Every call that got an answer has exactly one log record, whatever happened to the broker or
/// the gateway between the answer and the record's storage (spec §6, durability).
/// </summary>
[Collection(TowerOutageCollection.Name)]
public sealed class OutageTests(TowerSystem tower)
{
    private static readonly TimeSpan StorageDeadline = TimeSpan.FromSeconds(90);

    /// <summary>Logging's queue and the exchange bound to it, both named after its endpoint.</summary>
    private const string LoggingQueue = "webhook-calls";

    private async Task<string> WebhookAsync()
    {
        // An earlier test of this collection may have stopped the broker: Admin publishes the
        // change below only once it is connected again.
        await tower.WaitHealthyAsync("admin", TimeSpan.FromMinutes(1));
        var id = Guid.NewGuid().ToString("N")[..8];
        Assert.True((await tower.Admin.PostAsJsonAsync("/api/authenticators", new { reference = "outage_" + id, name = "Outage" })).IsSuccessStatusCode);
        Assert.True((await tower.Admin.PostAsJsonAsync("/api/webhooks",
            new { reference = "outage_hook_" + id, name = "Outage", authenticator = "outage_" + id, endpoint = "outage/" + id })).IsSuccessStatusCode);
        var path = $"/cetmix_tower_webhooks/outage/{id}";
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await tower.Gateway.PostAsync(path, new StringContent("{}"))).StatusCode != global::System.Net.HttpStatusCode.OK)
        {
            Assert.True(DateTime.UtcNow < deadline, "The webhook never became callable.");
            await Task.Delay(50);
        }

        return path;
    }

    /// <summary>Callers that keep calling until stopped; the ids of the calls that got an answer, with when.</summary>
    private sealed class Load(HttpClient gateway, string path, int callers) : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private Task? _running;

        public ConcurrentBag<(Guid Id, DateTime At)> Answered { get; } = [];

        public int Failed;

        public Load Start()
        {
            _running = Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(CallAsync)));
            return this;
        }

        public int AnsweredBetween(DateTime from, DateTime to) => Answered.Count(call => call.At >= from && call.At < to);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _running!;
        }

        private async Task CallAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    using var response = await gateway.PostAsync(path, new StringContent("{\"id\": 1}"), CancellationToken.None);
                    if (response.Headers.TryGetValues("X-Tower-Call-Id", out var ids))
                    {
                        Answered.Add((Guid.Parse(ids.Single()), DateTime.UtcNow));
                    }
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref Failed);
                    await Task.Delay(20);
                }
            }
        }
    }

    /// <summary>Waits until every answered call is stored, then checks that none is stored twice.</summary>
    private async Task AssertEachStoredOnceAsync(IReadOnlyCollection<Guid> ids)
    {
        await using var connection = new NpgsqlConnection(tower.LoggingDatabase + ";Pooling=false");
        var clock = Stopwatch.StartNew();
        long stored;
        while ((stored = await connection.ExecuteScalarAsync<long>(
                   "SELECT count(DISTINCT id) FROM webhook_calls WHERE id = ANY(@ids)", new { ids = ids.ToArray() })) < ids.Count)
        {
            Assert.True(clock.Elapsed < StorageDeadline, $"{ids.Count - stored} of {ids.Count} answered calls have no log record after {StorageDeadline}.");
            await Task.Delay(500);
        }

        Assert.Equal(ids.Count, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM webhook_calls WHERE id = ANY(@ids)", new { ids = ids.ToArray() }));
    }

    [Fact]
    public async Task Calls_answered_while_the_broker_is_down_are_all_logged_once_it_returns()
    {
        var path = await WebhookAsync();
        Load load;
        DateTime stopped, restarted;
        await using (load = new Load(tower.Gateway, path, callers: 8).Start())
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            await tower.StopAsync("rabbitmq");
            stopped = DateTime.UtcNow;
            await Task.Delay(TimeSpan.FromSeconds(6));
            restarted = DateTime.UtcNow;
            await tower.StartAsync("rabbitmq");
            await Task.Delay(TimeSpan.FromSeconds(3));
        }

        Assert.True(load.AnsweredBetween(stopped.AddSeconds(3), restarted) > 0, "No call was answered while the broker was down.");
        await AssertEachStoredOnceAsync(load.Answered.Select(call => call.Id).ToList());
    }

    [Fact]
    public async Task Calls_answered_while_no_queue_takes_their_records_are_all_logged_once_one_does()
    {
        // As on a new system before Logging has declared its queue, or after someone deleted it: the
        // broker accepts the gateway's messages but routes them nowhere.
        var path = await WebhookAsync();
        var factory = new ConnectionFactory { Uri = new Uri(tower.RabbitMQ) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        Load load;
        await using (load = new Load(tower.Gateway, path, callers: 8).Start())
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            await channel.QueueUnbindAsync(LoggingQueue, LoggingQueue, "");
            await Task.Delay(TimeSpan.FromSeconds(4));
            await channel.QueueBindAsync(LoggingQueue, LoggingQueue, "");
            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(0, load.Failed);
        await AssertEachStoredOnceAsync(load.Answered.Select(call => call.Id).ToList());
    }

    [Fact]
    public async Task While_records_can_be_made_durable_nowhere_calls_get_503_and_their_records_are_stored_later()
    {
        var path = await WebhookAsync();
        var spill = Path.Combine(tower.DataDirectory, "gateway-spill");
        var mode = File.GetUnixFileMode(spill);
        var refused = new List<Guid>();
        await tower.StopAsync("rabbitmq");
        try
        {
            // The gateway's user can no longer create a spill segment there.
            File.SetUnixFileMode(spill, UnixFileMode.UserRead | UnixFileMode.UserExecute);

            // A call under way waits for its record up to the broker's limit (2 s) + 3 s, then learns it is not logged.
            var clock = Stopwatch.StartNew();
            refused.Add(await RefusedAsync(path));
            Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(9));

            // New calls are refused at once, before any code runs.
            clock.Restart();
            for (var call = 0; call < 5; call++)
            {
                refused.Add(await RefusedAsync(path));
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"5 refusals took {clock.Elapsed}");
        }
        finally
        {
            File.SetUnixFileMode(spill, mode);
            await tower.StartAsync("rabbitmq");
        }

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await tower.Gateway.PostAsync(path, new StringContent("{}"))).StatusCode != global::System.Net.HttpStatusCode.OK)
        {
            Assert.True(DateTime.UtcNow < deadline, "Calls were still refused a minute after the broker returned.");
            await Task.Delay(200);
        }

        await AssertEachStoredOnceAsync(refused);
        // The next test's configuration changes need Admin connected to the broker again.
        await tower.WaitHealthyAsync("admin", TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task A_change_made_while_the_broker_is_down_reaches_the_gateway_once_it_is_back()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        await tower.StopAsync("rabbitmq");
        try
        {
            Assert.True((await tower.Admin.PostAsJsonAsync("/api/authenticators", new { reference = "late_" + id, name = "Late" })).IsSuccessStatusCode);
            Assert.True((await tower.Admin.PostAsJsonAsync("/api/webhooks",
                new { reference = "late_hook_" + id, name = "Late", authenticator = "late_" + id, endpoint = "late/" + id })).IsSuccessStatusCode);
        }
        finally
        {
            await tower.StartAsync("rabbitmq");
        }

        // Well before the gateways' periodic resynchronisation (60 s): the gateway reloads when its
        // change subscription is ready again, and Admin publishes again what it could not.
        var clock = Stopwatch.StartNew();
        while ((await tower.Gateway.PostAsync($"/cetmix_tower_webhooks/late/{id}", new StringContent("{}"))).StatusCode != global::System.Net.HttpStatusCode.OK)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(40), "The change made while the broker was down did not reach the gateway within 40 s of its return.");
            await Task.Delay(250);
        }
    }

    /// <summary>A call answered 503 Call log unavailable; its call id.</summary>
    private async Task<Guid> RefusedAsync(string path)
    {
        using var response = await tower.Gateway.PostAsync(path, new StringContent("{}"));
        Assert.Equal(global::System.Net.HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("Call log unavailable", (string)global::System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!["message"]!);
        return Guid.Parse(response.Headers.GetValues("X-Tower-Call-Id").Single());
    }

    [Fact]
    public async Task Calls_answered_before_the_gateway_is_killed_are_all_logged()
    {
        var path = await WebhookAsync();
        Load load;
        await using (load = new Load(tower.Gateway, path, callers: 16).Start())
        {
            await Task.Delay(TimeSpan.FromSeconds(3));
            await tower.KillAsync("gateway");
            await Task.Delay(TimeSpan.FromSeconds(2));
        }

        Assert.True(load.Failed > 0, "The kill did not interrupt any call.");
        await AssertEachStoredOnceAsync(load.Answered.Select(call => call.Id).ToList());
    }

    [Fact]
    public async Task Calls_spilled_and_not_yet_sent_when_the_gateway_is_killed_are_logged_after_its_restart()
    {
        var path = await WebhookAsync();
        Load load;
        await using (load = new Load(tower.Gateway, path, callers: 8).Start())
        {
            await tower.StopAsync("rabbitmq");
            await Task.Delay(TimeSpan.FromSeconds(5));
            // The launcher restarts the gateway while the broker is still down: it starts all the
            // same (nothing waits for the broker) and keeps the spill of its previous run.
            await tower.KillAsync("gateway");
        }

        await tower.StartAsync("rabbitmq");
        Assert.NotEmpty(load.Answered);
        await AssertEachStoredOnceAsync(load.Answered.Select(call => call.Id).ToList());
    }
}
