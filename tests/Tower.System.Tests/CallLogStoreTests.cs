using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;
using MassTransit;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Tower.Contracts.Calls;
using Tower.Logging.Retention;

namespace Tower.System.Tests;

/// <summary>The Logging service against the system's real RabbitMQ and PostgreSQL.</summary>
[Collection(TowerSystemCollection.Name)]
public sealed class CallLogStoreTests(TowerSystem tower)
{
    private static WebhookCallRecord Record(string webhook, DateTimeOffset at, string payload = "{\"n\": 1}", bool payloadIsJson = true) => new()
    {
        Id = Guid.CreateVersion7(at),
        CreatedAt = at,
        Webhook = webhook,
        Authenticator = "test_auth",
        Endpoint = "test/" + webhook,
        RequestMethod = "POST",
        RequestHeaders = "{\"X-Test\": \"yes\"}",
        RequestQuery = "{}",
        RequestPayload = payload,
        PayloadIsJson = payloadIsJson,
        AuthenticationStatus = CallStatus.Success,
        CodeStatus = CallStatus.Success,
        HttpStatus = 200,
        ResultMessage = "OK",
        IpAddress = "8.8.8.8",
        PeerIp = "127.0.0.1",
        RunAsUser = "admin",
        DurationMs = 1.5,
    };

    private async Task PublishAsync(params WebhookCallsRecorded[] batches)
    {
        var bus = Bus.Factory.CreateUsingRabbitMq(rabbit => rabbit.Host(new Uri(tower.RabbitMQ)));
        await bus.StartAsync();
        try
        {
            foreach (var batch in batches)
            {
                await bus.Publish(batch);
            }
        }
        finally
        {
            await bus.StopAsync();
        }
    }

    private async Task<long> CountAsync(IEnumerable<Guid> ids)
    {
        // Unpooled: the outage test restarts PostgreSQL under the test's feet.
        await using var connection = new NpgsqlConnection(tower.LoggingDatabase + ";Pooling=false");
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM webhook_calls WHERE id = ANY(@ids)", new { ids = ids.ToArray() });
    }

    private async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting until {what}.");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task A_redelivered_batch_adds_no_duplicate()
    {
        var webhook = "redelivery_" + Guid.NewGuid().ToString("N")[..8];
        var records = Enumerable.Range(0, 25).Select(i => Record(webhook, DateTimeOffset.UtcNow.AddMilliseconds(i))).ToList();
        var batch = WebhookCallsRecorded.Of(records);
        var ids = records.Select(record => record.Id).ToList();

        await PublishAsync(batch);
        await WaitForAsync(async () => await CountAsync(ids) == 25, "the batch is stored");
        await PublishAsync(batch, WebhookCallsRecorded.Of(records.Take(10).ToList()));
        var marker = Record(webhook, DateTimeOffset.UtcNow);
        await PublishAsync(WebhookCallsRecorded.Of([marker]));
        await WaitForAsync(async () => await CountAsync([marker.Id]) == 1, "the later batch is stored");

        Assert.Equal(25, await CountAsync(ids));
    }

    [Fact]
    public async Task A_message_that_is_no_batch_is_set_aside_and_the_batches_around_it_are_stored()
    {
        var webhook = "unreadable_" + Guid.NewGuid().ToString("N")[..8];
        var first = Record(webhook, DateTimeOffset.UtcNow);
        var second = Record(webhook, DateTimeOffset.UtcNow.AddMilliseconds(1));
        var unreadable = new WebhookCallsRecorded { Records = [2, 0xFF, 0x13, 0x37] };
        var setAside = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var bus = Bus.Factory.CreateUsingRabbitMq(rabbit => rabbit.Host(new Uri(tower.RabbitMQ)));
        await bus.StartAsync();
        try
        {
            // Reads the Logging endpoint's error queue without binding it to the message's exchange.
            var errors = bus.ConnectReceiveEndpoint("webhook-calls_error", endpoint =>
            {
                endpoint.ConfigureConsumeTopology = false;
                endpoint.Handler<WebhookCallsRecorded>(context =>
                {
                    if (context.Message.Records.SequenceEqual(unreadable.Records))
                    {
                        setAside.TrySetResult();
                    }

                    return Task.CompletedTask;
                });
            });
            await errors.Ready;

            await bus.Publish(WebhookCallsRecorded.Of([first]));
            await bus.Publish(unreadable);
            await bus.Publish(WebhookCallsRecorded.Of([second]));

            await WaitForAsync(async () => await CountAsync([first.Id, second.Id]) == 2, "the readable batches are stored");
            await setAside.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await errors.StopAsync();
        }
        finally
        {
            await bus.StopAsync();
        }
    }

    [Fact]
    public async Task Records_published_while_postgresql_is_down_are_stored_when_it_returns()
    {
        var webhook = "outage_" + Guid.NewGuid().ToString("N")[..8];
        var before = Enumerable.Range(0, 50).Select(i => Record(webhook, DateTimeOffset.UtcNow.AddMilliseconds(i))).ToList();
        await PublishAsync(WebhookCallsRecorded.Of(before));
        await WaitForAsync(async () => await CountAsync(before.Select(r => r.Id)) == 50, "the records before the outage are stored");

        await tower.StopAsync("postgres");
        var during = new List<WebhookCallRecord>();
        try
        {
            for (var batch = 0; batch < 5; batch++)
            {
                var records = Enumerable.Range(0, 100).Select(i => Record(webhook, DateTimeOffset.UtcNow.AddMilliseconds(i))).ToList();
                during.AddRange(records);
                await PublishAsync(WebhookCallsRecorded.Of(records));
            }

            await Task.Delay(TimeSpan.FromSeconds(2));
        }
        finally
        {
            await tower.StartAsync("postgres");
        }

        await WaitForAsync(async () => await CountAsync(during.Select(r => r.Id)) == during.Count, "every record published during the outage is stored");
        Assert.Equal(50, await CountAsync(before.Select(r => r.Id)));
    }

    [Fact]
    public async Task Records_a_read_only_database_refuses_wait_and_are_stored_once_it_takes_writes_again()
    {
        var webhook = "read_only_" + Guid.NewGuid().ToString("N")[..8];
        var records = Enumerable.Range(0, 100).Select(i => Record(webhook, DateTimeOffset.UtcNow.AddMilliseconds(i))).ToList();
        // Opened before the database turns read-only, so this session can turn it back.
        await using var operatorSession = new NpgsqlConnection(tower.LoggingDatabase + ";Pooling=false");
        await operatorSession.OpenAsync();
        var database = operatorSession.Database;
        await operatorSession.ExecuteAsync($"ALTER DATABASE \"{database}\" SET default_transaction_read_only = on");
        await TerminateOtherSessionsAsync(operatorSession, database);
        try
        {
            await PublishAsync(WebhookCallsRecorded.Of(records));
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.Equal(0, await CountAsync(records.Select(r => r.Id)));
        }
        finally
        {
            await operatorSession.ExecuteAsync($"ALTER DATABASE \"{database}\" RESET default_transaction_read_only");
            await TerminateOtherSessionsAsync(operatorSession, database);
        }

        // Refused for the database's state, not their own: none was set aside as rejected.
        await WaitForAsync(async () => await CountAsync(records.Select(r => r.Id)) == records.Count, "every record refused while read-only is stored");
    }

    private static Task TerminateOtherSessionsAsync(NpgsqlConnection session, string database) =>
        session.ExecuteAsync("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = @database AND pid <> pg_backend_pid()", new { database });

    [Fact]
    public async Task One_odd_record_does_not_hold_back_its_batch()
    {
        var webhook = "odd_" + Guid.NewGuid().ToString("N")[..8];
        var now = DateTimeOffset.UtcNow;
        var good = Enumerable.Range(0, 5).Select(i => Record(webhook, now.AddMilliseconds(i))).ToList();
        // The database refuses a payload marked as JSON that is none: the record is stored simplified, its payload as text.
        var odd = Record(webhook, now.AddMilliseconds(10), "{\"text\": unquoted}") with { ResultMessage = "nul \0 byte" };
        // Escapes of NUL and of half a surrogate pair are valid JSON the log could not print back: NUL goes, the half becomes U+FFFD.
        var escaped = Record(webhook, now.AddMilliseconds(11), "{\"text\": \"nul \\u0000 inside, half \\ud800, pair \\ud83d\\ude00\"}");

        await PublishAsync(WebhookCallsRecorded.Of([.. good, odd, escaped]));

        await WaitForAsync(async () => await CountAsync([.. good.Select(r => r.Id), odd.Id, escaped.Id]) == 7, "every record is stored");
        var stored = await tower.Admin.GetFromJsonAsync<JsonObject>($"/api/webhook-logs/{odd.Id}");
        Assert.Equal("nul  byte", (string)stored!["result_message"]!);
        Assert.Equal("{\"text\": unquoted}", (string?)stored["request_payload"]);
        var storedEscaped = await tower.Admin.GetFromJsonAsync<JsonObject>($"/api/webhook-logs/{escaped.Id}");
        Assert.Equal("nul  inside, half \ufffd, pair \ud83d\ude00", (string?)storedEscaped!["request_payload"]!["text"]);
    }

    [Fact]
    public async Task Paging_is_stable_while_new_records_arrive()
    {
        var webhook = "paging_" + Guid.NewGuid().ToString("N")[..8];
        var start = DateTimeOffset.UtcNow.AddMinutes(-5);
        var first = Enumerable.Range(0, 120).Select(i => Record(webhook, start.AddMilliseconds(i * 100))).ToList();
        await PublishAsync(WebhookCallsRecorded.Of(first));
        await WaitForAsync(async () => await CountAsync(first.Select(r => r.Id)) == 120, "the first records are stored");

        var seen = new List<string>();
        string? cursor = null;
        var page = 0;
        do
        {
            var url = $"/api/webhook-logs?webhook={webhook}&limit=50" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
            var body = await tower.Admin.GetFromJsonAsync<JsonObject>(url);
            seen.AddRange(body!["items"]!.AsArray().Select(item => (string)item!["id"]!));
            cursor = (string?)body["next_cursor"];
            if (page++ == 0)
            {
                var newer = Enumerable.Range(0, 30).Select(i => Record(webhook, DateTimeOffset.UtcNow.AddMilliseconds(i))).ToList();
                await PublishAsync(WebhookCallsRecorded.Of(newer));
                await WaitForAsync(async () => await CountAsync(newer.Select(r => r.Id)) == 30, "the newer records are stored");
            }
        }
        while (cursor is not null);

        var expected = first.OrderByDescending(r => r.CreatedAt).Select(r => r.Id.ToString()).ToList();
        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task Bad_query_parameters_are_refused_with_the_field_named()
    {
        var response = await tower.Admin.GetAsync("/api/webhook-logs?limit=0&from=yesterday&cursor=%%%");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        var errors = problem!["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("limit") && errors.ContainsKey("from") && errors.ContainsKey("cursor"), problem.ToJsonString());
    }

    [Fact]
    public async Task Retention_drops_old_partitions_and_keeps_new_records()
    {
        await using var dataSource = NpgsqlDataSource.Create(tower.LoggingDatabase);
        var settings = new SettingsStore(dataSource);
        Assert.Equal(HttpStatusCode.OK, (await tower.Admin.PutAsJsonAsync("/api/settings", new { webhook_log_retention_days = 30 })).StatusCode);

        // Forty days ago, the maintenance of that time prepared that day's partition.
        var past = DateTimeOffset.UtcNow.AddDays(-40);
        await new PartitionMaintenance(dataSource, settings, new FixedTime(past), NullLogger<PartitionMaintenance>.Instance).RunAsync(CancellationToken.None);
        var webhook = "retention_" + Guid.NewGuid().ToString("N")[..8];
        var old = Record(webhook, past);
        var boundaryOld = Record(webhook, DateTimeOffset.UtcNow.AddDays(-30).AddHours(-1));
        var boundaryKept = Record(webhook, DateTimeOffset.UtcNow.AddDays(-30).AddHours(1));
        var fresh = Record(webhook, DateTimeOffset.UtcNow);
        await PublishAsync(WebhookCallsRecorded.Of([old, boundaryOld, boundaryKept, fresh]));
        await WaitForAsync(async () => await CountAsync([old.Id, boundaryOld.Id, boundaryKept.Id, fresh.Id]) == 4, "the records are stored");
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            Assert.Contains(DateOnly.FromDateTime(past.UtcDateTime), await PartitionMaintenance.PartitionDaysAsync(connection, CancellationToken.None));
        }

        await new PartitionMaintenance(dataSource, settings, TimeProvider.System, NullLogger<PartitionMaintenance>.Instance).RunAsync(CancellationToken.None);

        Assert.Equal(0, await CountAsync([old.Id, boundaryOld.Id]));
        Assert.Equal(2, await CountAsync([boundaryKept.Id, fresh.Id]));
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            var days = await PartitionMaintenance.PartitionDaysAsync(connection, CancellationToken.None);
            Assert.DoesNotContain(DateOnly.FromDateTime(past.UtcDateTime), days);
            Assert.Contains(DateOnly.FromDateTime(DateTime.UtcNow.AddDays(PartitionMaintenance.DaysAhead)), days);
        }
    }

    [Fact]
    public async Task Retention_setting_is_validated_and_kept_by_logging()
    {
        var bad = await tower.Admin.PutAsJsonAsync("/api/settings", new { webhook_log_retention_days = 0 });
        var wrongType = await tower.Admin.PutAsJsonAsync("/api/settings", new { webhook_log_retention_days = "ten" });
        var good = await tower.Admin.PutAsJsonAsync("/api/settings", new { webhook_log_retention_days = 45 });
        var read = await tower.Admin.GetFromJsonAsync<JsonObject>("/api/settings");
        var reset = await tower.Admin.PutAsJsonAsync("/api/settings", new { });

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        Assert.Equal(45, (int)read!["webhook_log_retention_days"]!);
        Assert.Equal(30, (int)(await reset.Content.ReadFromJsonAsync<JsonObject>())!["webhook_log_retention_days"]!);
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
