using Dapper;
using Npgsql;
using Tower.Contracts.Async;
using Tower.Contracts.Calls;
using Tower.Logging.Calls;

namespace Tower.Logging.Async;

/// <summary>
/// The schedule of accepted async calls (spec §10, §14), shared by every gateway replica: a job is
/// written with its accepted call's record, leased by one replica at a time (SKIP LOCKED), and
/// ended by that replica's completion, which only counts for the attempt it leased. A lease that
/// runs out (its replica died mid-attempt) makes the job due again as a new attempt.
/// </summary>
public sealed class AsyncJobStore(NpgsqlDataSource dataSource)
{
    private const string QueueSql = """
        INSERT INTO async_jobs (call_id, webhook, state, next_attempt, set_start, source, due_at, request, created_at)
        VALUES (@CallId, @Webhook, 'queued', 1, 1, 'async', now(), @Request, @CreatedAt)
        ON CONFLICT DO NOTHING
        """;

    // A job whose lease ran out was cut short: it is leased again as the next attempt.
    private const string LeaseSql = """
        UPDATE async_jobs j SET
            next_attempt = j.next_attempt + CASE WHEN j.leased_until IS NULL THEN 0 ELSE 1 END,
            leased_until = now() + make_interval(secs => @LeaseSeconds),
            lease_id = gen_random_uuid()
        FROM (
            SELECT call_id FROM async_jobs
            WHERE state = 'queued' AND due_at <= now() AND (leased_until IS NULL OR leased_until <= now())
            ORDER BY due_at
            LIMIT @Max
            FOR UPDATE SKIP LOCKED
        ) due
        WHERE j.call_id = due.call_id
        RETURNING j.call_id, j.webhook, j.next_attempt AS attempt, j.set_start, j.source, j.request, j.lease_id
        """;

    /// <summary>Writes the jobs of the accepted async calls among <paramref name="calls"/>, in the records' transaction.</summary>
    public static async Task QueueAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<StoredCall> calls,
        CancellationToken cancellationToken)
    {
        var jobs = calls.Select(call => call.Record).Where(record => record.QueuedRequest is not null)
            .Select(record => new { CallId = record.Id, record.Webhook, Request = record.QueuedRequest, CreatedAt = record.CreatedAt.UtcDateTime })
            .ToList();
        if (jobs.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(QueueSql, jobs, transaction, cancellationToken: cancellationToken));
        }
    }

    public async Task<IReadOnlyList<AsyncJob>> LeaseAsync(AsyncLease lease, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<JobRow>(new CommandDefinition(LeaseSql, lease, cancellationToken: ct));
        return [.. rows.Select(row => new AsyncJob
        {
            CallId = row.CallId, Webhook = row.Webhook, Attempt = row.Attempt, SetStart = row.SetStart, Source = row.Source,
            Request = row.Request ?? [], LeaseId = row.LeaseId,
        })];
    }

    /// <summary>Ends the leased attempt as it says; a completion whose lease is no longer the job's does nothing.</summary>
    public async Task CompleteAsync(AsyncCompletion completion, CancellationToken ct)
    {
        var sql = completion.Outcome switch
        {
            AsyncCompletion.Done => "DELETE FROM async_jobs WHERE call_id = @CallId AND lease_id = @LeaseId AND next_attempt = @Attempt AND state = 'queued'",
            AsyncCompletion.Again => """
                UPDATE async_jobs SET next_attempt = @Attempt + 1, leased_until = NULL, due_at = now() + make_interval(secs => @WaitSeconds)
                WHERE call_id = @CallId AND lease_id = @LeaseId AND next_attempt = @Attempt AND state = 'queued'
                """,
            AsyncCompletion.Dead => """
                UPDATE async_jobs SET state = 'dead', next_attempt = @Attempt + 1, leased_until = NULL, request = NULL
                WHERE call_id = @CallId AND lease_id = @LeaseId AND next_attempt = @Attempt AND state = 'queued'
                """,
            AsyncCompletion.Released => """
                UPDATE async_jobs SET leased_until = NULL, due_at = now() + make_interval(secs => @WaitSeconds)
                WHERE call_id = @CallId AND lease_id = @LeaseId AND next_attempt = @Attempt AND state = 'queued'
                """,
            _ => throw new ArgumentException($"'{completion.Outcome}' is not an outcome of an attempt.", nameof(completion)),
        };
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(sql, completion, cancellationToken: ct));
    }

    /// <summary>Queues a dead call once more, as a new set of attempts; false when the call is not a dead async call.</summary>
    public async Task<bool> RequeueAsync(Guid callId, byte[] request, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE async_jobs SET state = 'queued', set_start = next_attempt, source = @source, due_at = now(), leased_until = NULL, lease_id = NULL,
                request = @request
            WHERE call_id = @callId AND state = 'dead'
            """, new { callId, request, source = CallSource.Retry }, cancellationToken: ct)) == 1;
    }

    /// <summary>
    /// Forgets the calls whose accepted record has left the log: a dead one can no longer be
    /// retried, and a queued one waited the whole retention for a webhook that is not served.
    /// </summary>
    public async Task<int> SweepAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition("""
            DELETE FROM async_jobs j WHERE NOT EXISTS (SELECT 1 FROM webhook_calls c WHERE c.created_at = j.created_at AND c.id = j.call_id)
            """, cancellationToken: ct));
    }

    private sealed record JobRow
    {
        public Guid CallId { get; init; }
        public string Webhook { get; init; } = "";
        public int Attempt { get; init; }
        public int SetStart { get; init; }
        public string Source { get; init; } = "";
        public byte[]? Request { get; init; }
        public Guid LeaseId { get; init; }
    }
}
