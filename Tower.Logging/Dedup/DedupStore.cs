using System.Text.Json;
using Dapper;
using Npgsql;
using Tower.Contracts;
using Tower.Contracts.Dedup;

namespace Tower.Logging.Dedup;

/// <summary>
/// The dedup keys every gateway replica shares (spec §10), in Logging's database: one atomic
/// statement claims a key or says who holds it, so that two replicas never both run a key.
/// Keys arrive hashed (SHA-256): a delivery id may be a credential or long.
/// </summary>
public sealed class DedupStore(NpgsqlDataSource dataSource)
{
    // On a conflict the row is locked and always updated (to itself while its claim or window
    // lasts), so that RETURNING gives the holder even when it was inserted by a call running at
    // the same time; SET expressions all see the row as it was.
    private const string ClaimSql = """
        INSERT INTO dedup_keys (webhook, key, call_id, state, expires_at)
        VALUES (@Webhook, @Key, @CallId, 'running', now() + make_interval(secs => @ClaimSeconds))
        ON CONFLICT (webhook, key) DO UPDATE SET
            call_id = CASE WHEN dedup_keys.expires_at <= now() THEN EXCLUDED.call_id ELSE dedup_keys.call_id END,
            state = CASE WHEN dedup_keys.expires_at <= now() THEN 'running' ELSE dedup_keys.state END,
            answer = CASE WHEN dedup_keys.expires_at <= now() THEN NULL ELSE dedup_keys.answer END,
            expires_at = CASE WHEN dedup_keys.expires_at <= now() THEN EXCLUDED.expires_at ELSE dedup_keys.expires_at END
        RETURNING call_id, state, answer::text AS answer
        """;

    public async Task<DedupVerdict> ClaimAsync(DedupClaim claim, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleAsync<Row>(new CommandDefinition(ClaimSql, claim, cancellationToken: ct));
        // The same call claiming again (a retried request) still holds its key.
        return row.CallId == claim.CallId
            ? new DedupVerdict { Outcome = DedupVerdict.Claimed, FirstCallId = claim.CallId }
            : row.State == "answered" && row.Answer is { } answer
                ? new DedupVerdict { Outcome = DedupVerdict.Duplicate, FirstCallId = row.CallId, Answer = JsonSerializer.Deserialize<DedupAnswer>(answer, TowerJson.Options) }
                : new DedupVerdict { Outcome = DedupVerdict.InProgress, FirstCallId = row.CallId };
    }

    /// <summary>Keeps a 2xx answer for the window from now; releases the key after any other.</summary>
    public async Task CompleteAsync(DedupCompletion completion, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var sql = completion.Answer.Status is >= 200 and <= 299
            ? """
              UPDATE dedup_keys SET state = 'answered', answer = @answer::jsonb, expires_at = now() + make_interval(secs => @window)
              WHERE webhook = @webhook AND key = @key AND call_id = @callId
              """
            : "DELETE FROM dedup_keys WHERE webhook = @webhook AND key = @key AND call_id = @callId";
        await connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            webhook = completion.Webhook, key = completion.Key, callId = completion.CallId, window = completion.WindowSeconds,
            answer = JsonSerializer.Serialize(completion.Answer, TowerJson.Options),
        }, cancellationToken: ct));
    }

    /// <summary>Forgets keys whose claim or window ended (an expired row is taken over anyway; this keeps the table small).</summary>
    public async Task<int> SweepAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition("DELETE FROM dedup_keys WHERE expires_at <= now()", cancellationToken: ct));
    }

    private sealed record Row
    {
        public Guid CallId { get; init; }
        public string State { get; init; } = "";
        public string? Answer { get; init; }
    }
}
