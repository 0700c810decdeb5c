using System.Diagnostics;
using Dapper;
using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Tower.Faults;

/// <summary>The suite's invariants (issue #15), checked after each scenario against what callers saw and what the log holds.</summary>
internal sealed class Invariants(FaultSystem system)
{
    /// <summary>Answers may take the scripts' own limit (3 s at most here) + PublishTimeout (2 s) + 3 s.</summary>
    public static readonly TimeSpan AnswerLimit = TimeSpan.FromSeconds(8);

    private static readonly TimeSpan StorageDeadline = TimeSpan.FromSeconds(120);

    /// <summary>Where Logging sets aside what it cannot store: a whole unreadable message, and single records.</summary>
    private static readonly string[] ErrorQueues = ["webhook-calls_error", "webhook-call-records-rejected"];

    public async Task<IReadOnlyDictionary<string, Check>> CheckAsync(Scenario scenario, IReadOnlyList<Request> requests)
    {
        var checks = new Dictionary<string, Check>
        {
            ["1 one record each"] = await EveryAnsweredCallStoredAsync(requests),
            ["2 no duplicates"] = await NoDuplicatesAsync(requests),
            ["3 no bare answers"] = NoBareAnswers(scenario, requests),
            ["4 answered in time"] = AnsweredInTime(scenario, requests),
            ["no 404 for a configured webhook"] = No404(requests),
        };
        if (scenario.BrokerFault)
        {
            checks["5 spill drained"] = await SpillDrainedAsync();
        }

        checks["6 error queues empty"] = await ErrorQueuesEmptyAsync();

        if (scenario.CallersAbort)
        {
            checks["7 code that ran has a record"] = await AbandonedCallsRecordedAsync(requests);
        }

        if (scenario.ConfigAfter)
        {
            checks["8 config in force within 1 s"] = await ConfigInForceAsync(scenario.Id);
        }

        return checks;
    }

    private async Task<Check> EveryAnsweredCallStoredAsync(IReadOnlyList<Request> requests)
    {
        var ids = requests.Where(request => request.CallId is not null).Select(request => request.CallId!.Value).ToArray();
        await using var connection = new NpgsqlConnection(system.LoggingDatabase + ";Pooling=false");
        var clock = Stopwatch.StartNew();
        long stored;
        while ((stored = await connection.ExecuteScalarAsync<long>("SELECT count(DISTINCT id) FROM webhook_calls WHERE id = ANY(@ids)", new { ids })) < ids.Length
               && clock.Elapsed < StorageDeadline)
        {
            await Task.Delay(1000);
        }

        return stored == ids.Length
            ? Check.Pass($"{ids.Length} answered, all stored after {clock.Elapsed.TotalSeconds:0} s")
            : Check.Fail($"{ids.Length - stored} of {ids.Length} answered calls without a record after {StorageDeadline.TotalSeconds:0} s");
    }

    private async Task<Check> NoDuplicatesAsync(IReadOnlyList<Request> requests)
    {
        var tags = requests.Select(request => request.Tag).ToArray();
        await using var connection = new NpgsqlConnection(system.LoggingDatabase + ";Pooling=false");
        var doubled = await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM (SELECT request_query->>'tag' AS tag FROM webhook_calls WHERE request_query->>'tag' = ANY(@tags) GROUP BY 1 HAVING count(*) > 1) AS d",
            new { tags });
        return doubled == 0 ? Check.Pass("") : Check.Fail($"{doubled} calls stored more than once");
    }

    private static Check NoBareAnswers(Scenario scenario, IReadOnlyList<Request> requests)
    {
        var bare = requests.Count(request => request.Status > 0 && request.CallId is null);
        var transport = requests.Count(request => request.Status == 0);
        if (bare > 0)
        {
            return Check.Fail($"{bare} answers without X-Tower-Call-Id");
        }

        return transport == 0 || scenario.GatewayDown
            ? Check.Pass(transport == 0 ? "" : $"{transport} transport errors while the gateway was down")
            : Check.Fail($"{transport} transport errors with the gateway up");
    }

    private static Check AnsweredInTime(Scenario scenario, IReadOnlyList<Request> requests)
    {
        var answered = requests.Where(request => request.Status > 0).ToList();
        var late = answered.Count(request => request.LatencyMs > AnswerLimit.TotalMilliseconds);
        var gaveUp = requests.Count(request => request.Status == -1);
        var slowest = answered.Count == 0 ? 0 : answered.Max(request => request.LatencyMs);
        if (late > 0)
        {
            return Check.Fail($"{late} answered after {AnswerLimit.TotalSeconds:0} s, slowest {slowest / 1000:0.0} s");
        }

        return gaveUp == 0 || scenario.CallersAbort
            ? Check.Pass($"slowest {slowest:0} ms")
            : Check.Fail($"{gaveUp} callers never answered");
    }

    private static Check No404(IReadOnlyList<Request> requests)
    {
        var notFound = requests.Count(request => request.Status == 404);
        return notFound == 0 ? Check.Pass("") : Check.Fail($"{notFound} answered 404");
    }

    private async Task<Check> SpillDrainedAsync()
    {
        var spill = Path.Combine(system.DataDirectory, "gateway-spill");
        var clock = Stopwatch.StartNew();
        while (Directory.EnumerateFiles(spill, "*.spill").Any())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                return Check.Fail($"{Directory.EnumerateFiles(spill, "*.spill").Count()} spill segments left 30 s after the broker returned");
            }

            await Task.Delay(250);
        }

        return Check.Pass($"empty {clock.Elapsed.TotalSeconds:0.0} s after the load ended");
    }

    private async Task<Check> ErrorQueuesEmptyAsync()
    {
        var factory = new ConnectionFactory { Uri = new Uri(system.RabbitMQ) };
        await using var connection = await factory.CreateConnectionAsync();
        var held = new List<string>();
        foreach (var queue in ErrorQueues)
        {
            // A queue that was never declared holds nothing; the failed passive declaration closes its channel.
            await using var channel = await connection.CreateChannelAsync();
            try
            {
                var declared = await channel.QueueDeclarePassiveAsync(queue);
                if (declared.MessageCount > 0)
                {
                    held.Add($"{queue}: {declared.MessageCount}");
                }
            }
            catch (OperationInterruptedException)
            {
                // Not declared: empty.
            }
        }

        return held.Count == 0 ? Check.Pass("") : Check.Fail(string.Join(", ", held));
    }

    private async Task<Check> AbandonedCallsRecordedAsync(IReadOnlyList<Request> requests)
    {
        var abandoned = requests.Where(request => request.Status == -1).Select(request => request.Tag).ToArray();
        await using var connection = new NpgsqlConnection(system.LoggingDatabase + ";Pooling=false");
        var clock = Stopwatch.StartNew();
        long recorded;
        while ((recorded = await connection.ExecuteScalarAsync<long>(
                   "SELECT count(*) FROM webhook_calls WHERE request_query->>'tag' = ANY(@abandoned) AND http_status = 499 AND code_status = 'success'",
                   new { abandoned })) < abandoned.Length && clock.Elapsed < StorageDeadline)
        {
            await Task.Delay(1000);
        }

        return abandoned.Length > 0 && recorded == abandoned.Length
            ? Check.Pass($"{abandoned.Length} abandoned calls ran and were recorded with 499")
            : Check.Fail($"{recorded} of {abandoned.Length} abandoned calls recorded with 499 after their code ran");
    }

    private async Task<Check> ConfigInForceAsync(string scenario)
    {
        var name = "config_" + scenario.ToLowerInvariant() + "_" + Guid.NewGuid().ToString("N")[..6];
        var clock = Stopwatch.StartNew();
        var path = await system.WebhookAsync(name, "result.message = \"new\";", 2000);
        var took = clock.Elapsed;
        return took <= TimeSpan.FromSeconds(1)
            ? Check.Pass($"{took.TotalMilliseconds:0} ms from the change to the first 200")
            : Check.Fail($"{took.TotalMilliseconds:0} ms from the change to {path} answering");
    }
}
