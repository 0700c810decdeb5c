using System.Diagnostics;
using System.Net.Http.Headers;
using MassTransit;
using Npgsql;
using Tower.Contracts.Calls;

// The Logging service's numbers (issue: logging): sustained ingest through RabbitMQ into
// PostgreSQL, and the first filtered page of call logs on a million records.
// Needs a running system (./tower.sh run) with its default data folder and ports.
// Run: dotnet bench/Tower.Bench.Logging/bin/Release/net10.0/Tower.Bench.Logging.dll
//        [records, default 200000] [records per message, default 500] [messages in flight, default 8] [--drain]
// End to end (default): the clock runs from the first publish until every record is stored, with
// the publisher competing for the same cores. --drain: Logging is paused (SIGSTOP) while every
// message is queued, then resumed; the clock runs from the resume, so it measures what Logging,
// RabbitMQ and PostgreSQL store per second from a full queue (the catch-up after an outage).
var options = args.Where(arg => arg.StartsWith("--", StringComparison.Ordinal)).ToHashSet();
var numbers = args.Except(options).ToArray();
int Arg(int index, int otherwise) => numbers.Length > index ? int.Parse(numbers[index], System.Globalization.CultureInfo.InvariantCulture) : otherwise;
var records = Arg(0, 200_000);
var drain = options.Contains("--drain");
var dataDir = Environment.GetEnvironmentVariable("TOWER_DATA_DIR") ?? "/var/lib/tower";
string Key(string name) => File.ReadAllText(Path.Combine(dataDir, "keys", name)).Trim();
var database = $"Host=127.0.0.1;Port=25432;Username=tower;Password={Key("postgres-password")};Database=tower_logging";
var broker = new Uri($"amqp://tower:{Key("rabbitmq-password")}@127.0.0.1:25672/");
var rootKey = Environment.GetEnvironmentVariable("TOWER_ROOT_API_KEY") ?? Key("root-api-key");
var BatchSize = Arg(1, 500);
var InFlight = Arg(2, 8);

await using var dataSource = NpgsqlDataSource.Create(database);

// Each message is stored in one transaction, so its last record marks it; looking the markers up
// by primary key costs PostgreSQL little, unlike counting the run's rows while they arrive.
async Task<long> StoredMessagesAsync(List<DateTime> markerTimes, List<Guid> markerIds)
{
    await using var command = dataSource.CreateCommand(
        "SELECT count(*) FROM webhook_calls WHERE (created_at, id) IN (SELECT * FROM unnest($1::timestamptz[], $2::uuid[]))");
    command.Parameters.Add(new NpgsqlParameter { Value = markerTimes.ToArray() });
    command.Parameters.Add(new NpgsqlParameter { Value = markerIds.ToArray() });
    return (long)(await command.ExecuteScalarAsync())!;
}

Process? Logging() => Process.GetProcesses().FirstOrDefault(process =>
{
    try
    {
        return process.ProcessName == "dotnet" && File.ReadAllText($"/proc/{process.Id}/cmdline").Contains("Tower.Logging.dll", StringComparison.Ordinal);
    }
    catch (IOException)
    {
        return false;
    }
});

void Signal(Process process, string signal) => Process.Start("kill", $"-{signal} {process.Id}").WaitForExit();

// The ~1 KB payload after its id, built once: the publisher stands in for the gateway, which has
// the payload's text already, so building records should cost it little.
var PayloadRest = ", \"customer\": {\"name\": \"Ada Lovelace\", \"tier\": \"gold\"}, \"items\": [" +
    string.Join(",", Enumerable.Range(0, 20).Select(n => $"{{\"sku\": \"SKU-{n:D5}\", \"qty\": {n % 3 + 1}}}")) + "]}";

WebhookCallRecord Record(string webhook, DateTimeOffset at, int i) => new()
{
    Id = Guid.CreateVersion7(at),
    CreatedAt = at,
    Webhook = webhook,
    Authenticator = "bench_auth",
    Endpoint = "bench/" + (i % 20),
    RequestMethod = "POST",
    RequestHeaders = "{\"Content-Type\": \"application/json\", \"User-Agent\": \"bench\", \"X-Token\": \"*****\"}",
    RequestQuery = "{}",
    RequestPayload = "{\"id\": " + i + PayloadRest,
    PayloadIsJson = true,
    AuthenticationStatus = CallStatus.Success,
    CodeStatus = CallStatus.Success,
    HttpStatus = i % 50 == 0 ? 500 : 200,
    ResultMessage = "order " + i,
    IpAddress = $"81.2.{i % 250}.{i % 200 + 1}",
    PeerIp = "127.0.0.1",
    RunAsUser = "admin",
    DurationMs = 2.5,
};

// 1. Sustained ingest: batches of 500 records (as the gateway sends them), 8 in flight, publisher confirms on.
var bus = Bus.Factory.CreateUsingRabbitMq(rabbit => rabbit.Host(broker));
await bus.StartAsync();
var logging = drain ? Logging() ?? throw new InvalidOperationException("--drain: no running Tower.Logging process found") : null;

// Publishes the records and waits until every one is stored; the clock starts with the first
// publish, or when Logging resumes with --drain.
async Task<(TimeSpan Published, TimeSpan Stored)> IngestAsync(int count, Process? paused)
{
    var markerTimes = new List<DateTime>();
    var markerIds = new List<Guid>();
    if (paused is not null)
    {
        Signal(paused, "STOP");
    }

    var run = "bench_" + Guid.NewGuid().ToString("N")[..8];
    var clock = Stopwatch.StartNew();
    var pending = new List<Task>();
    for (var sent = 0; sent < count; sent += BatchSize)
    {
        var now = DateTimeOffset.UtcNow;
        var batch = Enumerable.Range(sent, Math.Min(BatchSize, count - sent)).Select(i => Record(run, now, i)).ToList();
        markerTimes.Add(batch[^1].CreatedAt.UtcDateTime);
        markerIds.Add(batch[^1].Id);
        pending.Add(bus.Publish(WebhookCallsRecorded.Of(batch)));
        if (pending.Count >= InFlight)
        {
            await Task.WhenAny(pending);
            pending.RemoveAll(task => task.IsCompleted);
        }
    }

    await Task.WhenAll(pending);
    var published = clock.Elapsed;
    if (paused is not null)
    {
        Signal(paused, "CONT");
        clock.Restart();
    }

    while (await StoredMessagesAsync(markerTimes, markerIds) < markerIds.Count)
    {
        await Task.Delay(100);
    }

    return (published, clock.Elapsed);
}

// A warm-up run first, untimed: the publisher's and Logging's code is compiled and tiered up, as
// in a system that has been running.
await IngestAsync(Math.Max(records / 10, 20_000), null);
var (published, stored) = await IngestAsync(records, logging);
await bus.StopAsync();
var how = drain ? "queued while Logging was paused, then stored from the full queue in" : "published and stored (end to end) in";
Console.WriteLine($"ingest: {records} records published in {published.TotalSeconds:F1} s; {how} {stored.TotalSeconds:F1} s " +
    $"-> {records / stored.TotalSeconds:F0} records/s");

// 2. A million records, then the first filtered page through the Admin API (which reads Logging's query API).
long total;
await using (var count = dataSource.CreateCommand("SELECT count(*) FROM webhook_calls"))
{
    total = (long)(await count.ExecuteScalarAsync())!;
}

if (total < 1_000_000)
{
    await using var connection = await dataSource.OpenConnectionAsync();
    var fill = "bench_fill";
    await using var writer = await connection.BeginBinaryImportAsync(
        "COPY webhook_calls (id, created_at, webhook, authenticator, endpoint, request_method, request_headers, request_query, " +
        "request_payload, request_payload_text, authentication_status, code_status, http_status, result_message, error_message, " +
        "script_log, ip_address, peer_ip, country, run_as_user, duration_ms) FROM STDIN (FORMAT BINARY)");
    var start = DateTimeOffset.UtcNow.AddDays(-1);
    for (var i = 0; i < 1_000_000 - total; i++)
    {
        var record = Record(i % 10 == 0 ? fill + "_" + (i % 7) : fill, start.AddMilliseconds(i * 80), i);
        await writer.StartRowAsync();
        await writer.WriteAsync(record.Id, NpgsqlTypes.NpgsqlDbType.Uuid);
        await writer.WriteAsync(record.CreatedAt.UtcDateTime, NpgsqlTypes.NpgsqlDbType.TimestampTz);
        foreach (var text in new[] { record.Webhook, record.Authenticator, record.Endpoint, record.RequestMethod })
        {
            await writer.WriteAsync(text, NpgsqlTypes.NpgsqlDbType.Text);
        }

        await writer.WriteAsync(record.RequestHeaders, NpgsqlTypes.NpgsqlDbType.Jsonb);
        await writer.WriteAsync(record.RequestQuery, NpgsqlTypes.NpgsqlDbType.Jsonb);
        await writer.WriteAsync(record.RequestPayload, NpgsqlTypes.NpgsqlDbType.Jsonb);
        await writer.WriteNullAsync();
        await writer.WriteAsync(record.AuthenticationStatus, NpgsqlTypes.NpgsqlDbType.Text);
        await writer.WriteAsync(record.CodeStatus, NpgsqlTypes.NpgsqlDbType.Text);
        await writer.WriteAsync(record.HttpStatus, NpgsqlTypes.NpgsqlDbType.Integer);
        foreach (var text in new[] { record.ResultMessage, "", "", record.IpAddress, record.PeerIp, "GB", record.RunAsUser })
        {
            await writer.WriteAsync(text, NpgsqlTypes.NpgsqlDbType.Text);
        }

        await writer.WriteAsync(record.DurationMs, NpgsqlTypes.NpgsqlDbType.Double);
    }

    await writer.CompleteAsync();
    await using var analyze = connection.CreateCommand();
    analyze.CommandText = "ANALYZE webhook_calls";
    analyze.CommandTimeout = 0;
    await analyze.ExecuteNonQueryAsync();
}

using var admin = new HttpClient { BaseAddress = new Uri("http://localhost:5090") };
admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", rootKey);
foreach (var (name, query) in new[]
{
    ("no filter", ""),
    ("by webhook", "webhook=bench_fill_3"),
    ("by endpoint", "endpoint=bench/7"),
    ("by http_status", "http_status=500"),
    ("by time range", $"from={DateTimeOffset.UtcNow.AddHours(-12):yyyy-MM-ddTHH:mm:ssZ}&to={DateTimeOffset.UtcNow.AddHours(-11):yyyy-MM-ddTHH:mm:ssZ}"),
})
{
    var times = new List<double>();
    for (var i = 0; i < 21; i++)
    {
        var watch = Stopwatch.StartNew();
        using var response = await admin.GetAsync($"/api/webhook-logs?limit=50&{query}");
        response.EnsureSuccessStatusCode();
        await response.Content.ReadAsByteArrayAsync();
        times.Add(watch.Elapsed.TotalMilliseconds);
    }

    times.Sort();
    Console.WriteLine($"first page of 50, {name,-14} on {Math.Max(total, 1_000_000)} records: median {times[10]:F1} ms, max {times[^1]:F1} ms (through the Admin API)");
}
