using Dapper;
using Npgsql;
using NpgsqlTypes;
using Tower.Contracts.Calls;
using Tower.Logging.Async;

namespace Tower.Logging.Calls;

/// <summary>Writes call records idempotently (keyed by created_at and id) and reads them back.</summary>
public sealed class CallStore(NpgsqlDataSource dataSource)
{
    private const string Columns =
        "id, created_at, webhook, authenticator, endpoint, request_method, request_headers, request_query, " +
        "request_payload, request_payload_text, authentication_status, code_status, http_status, result_message, " +
        "error_message, script_log, ip_address, peer_ip, country, run_as_user, duration_ms, " +
        "source, duplicate_of, parent_id, attempt, replay_of";

    private const string CreateStaging =
        "CREATE TEMP TABLE IF NOT EXISTS webhook_calls_staging (LIKE webhook_calls) ON COMMIT DELETE ROWS";

    private const string MoveStaged =
        $"INSERT INTO webhook_calls ({Columns}) SELECT {Columns} FROM webhook_calls_staging ON CONFLICT DO NOTHING RETURNING id";

    /// <summary>
    /// Stores the records in one transaction and returns how many were new. The fast path copies
    /// them straight into the table; when some are stored already (a redelivered batch), the copy
    /// fails on the key and the batch goes through a staging table and an insert that skips the
    /// stored ones, so a redelivery adds nothing.
    /// </summary>
    public async Task<int> StoreAsync(IReadOnlyList<StoredCall> calls, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await CopyAsync(connection, "webhook_calls", calls, cancellationToken);
            await AsyncJobStore.QueueAsync(connection, transaction, calls, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return calls.Count;
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition(CreateStaging, transaction: transaction, cancellationToken: cancellationToken));
            await CopyAsync(connection, "webhook_calls_staging", calls, cancellationToken);
            var inserted = (await connection.QueryAsync<Guid>(new CommandDefinition(MoveStaged, transaction: transaction, cancellationToken: cancellationToken)))
                .ToHashSet();
            // Only the new records' jobs: a redelivered call whose job has ended must not run again.
            await AsyncJobStore.QueueAsync(connection, transaction, [.. calls.Where(call => inserted.Contains(call.Record.Id))], cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return inserted.Count;
        }
    }

    private static async Task CopyAsync(NpgsqlConnection connection, string table, IReadOnlyList<StoredCall> calls, CancellationToken cancellationToken)
    {
        await using var importer = await connection.BeginBinaryImportAsync($"COPY {table} ({Columns}) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var call in calls)
        {
            await WriteAsync(importer, call.Record, call.Country, cancellationToken);
        }

        await importer.CompleteAsync(cancellationToken);
    }

    private static async Task WriteAsync(NpgsqlBinaryImporter importer, WebhookCallRecord record, string country, CancellationToken cancellationToken)
    {
        await importer.StartRowAsync(cancellationToken);
        await importer.WriteAsync(record.Id, NpgsqlDbType.Uuid, cancellationToken);
        await importer.WriteAsync(record.CreatedAt.UtcDateTime, NpgsqlDbType.TimestampTz, cancellationToken);
        await importer.WriteAsync(record.Webhook, NpgsqlDbType.Text, cancellationToken);
        await importer.WriteAsync(record.Authenticator, NpgsqlDbType.Text, cancellationToken);
        await importer.WriteAsync(record.Endpoint, NpgsqlDbType.Text, cancellationToken);
        await importer.WriteAsync(record.RequestMethod, NpgsqlDbType.Text, cancellationToken);
        await importer.WriteAsync(record.RequestHeaders, NpgsqlDbType.Json, cancellationToken);
        await importer.WriteAsync(record.RequestQuery, NpgsqlDbType.Json, cancellationToken);
        if (record.PayloadIsJson)
        {
            await importer.WriteAsync(record.RequestPayload, NpgsqlDbType.Json, cancellationToken);
            await importer.WriteNullAsync(cancellationToken);
        }
        else
        {
            await importer.WriteNullAsync(cancellationToken);
            await importer.WriteAsync(record.RequestPayload, NpgsqlDbType.Text, cancellationToken);
        }

        await importer.WriteAsync(record.AuthenticationStatus, NpgsqlDbType.Text, cancellationToken);
        await importer.WriteAsync(record.CodeStatus, NpgsqlDbType.Text, cancellationToken);
        await importer.WriteAsync(record.HttpStatus, NpgsqlDbType.Integer, cancellationToken);
        await importer.WriteAsync(record.ResultMessage, NpgsqlDbType.Text, cancellationToken);
        await importer.WriteAsync(record.ErrorMessage, NpgsqlDbType.Text, cancellationToken);
        await importer.WriteAsync(record.ScriptLog, NpgsqlDbType.Text, cancellationToken);
        await importer.WriteAsync(record.IpAddress, NpgsqlDbType.Text, cancellationToken);
        await importer.WriteAsync(record.PeerIp, NpgsqlDbType.Text, cancellationToken);
        await importer.WriteAsync(country, NpgsqlDbType.Text, cancellationToken);
        await importer.WriteAsync(record.RunAsUser, NpgsqlDbType.Text, cancellationToken);
        await importer.WriteAsync(record.DurationMs, NpgsqlDbType.Double, cancellationToken);
        await importer.WriteAsync(record.Source, NpgsqlDbType.Text, cancellationToken);
        await WriteOptionalAsync(importer, record.DuplicateOf, NpgsqlDbType.Uuid, cancellationToken);
        await WriteOptionalAsync(importer, record.ParentId, NpgsqlDbType.Uuid, cancellationToken);
        await WriteOptionalAsync(importer, record.Attempt, NpgsqlDbType.Integer, cancellationToken);
        await WriteOptionalAsync(importer, record.ReplayOf, NpgsqlDbType.Uuid, cancellationToken);
    }

    private static async Task WriteOptionalAsync<T>(NpgsqlBinaryImporter importer, T? value, NpgsqlDbType type, CancellationToken cancellationToken)
        where T : struct
    {
        if (value is { } present)
        {
            await importer.WriteAsync(present, type, cancellationToken);
        }
        else
        {
            await importer.WriteNullAsync(cancellationToken);
        }
    }

    private const string SelectColumns =
        "id, created_at, webhook, authenticator, endpoint, request_method, request_headers::text AS request_headers, " +
        "request_query::text AS request_query, request_payload::text AS request_payload, request_payload_text, " +
        "authentication_status, code_status, http_status, result_message, error_message, script_log, ip_address, " +
        "peer_ip, country, run_as_user, duration_ms, source, duplicate_of, parent_id, attempt, replay_of";

    /// <summary>A page of calls, newest first, continuing after the cursor's position when one is given.</summary>
    public async Task<IReadOnlyList<CallRow>> QueryAsync(CallQuery query, CancellationToken cancellationToken)
    {
        var sql = $"""
            SELECT {SelectColumns} FROM webhook_calls
            WHERE (@webhook::text IS NULL OR webhook = @webhook)
              AND (@authenticator::text IS NULL OR authenticator = @authenticator)
              AND (@endpoint::text IS NULL OR endpoint = @endpoint)
              AND (@http_status::int IS NULL OR http_status = @http_status)
              AND (@status_from::int IS NULL OR http_status BETWEEN @status_from AND @status_to)
              AND (@source::text IS NULL OR source = @source)
              AND (@client_ip::text IS NULL OR ip_address = @client_ip)
              AND (@parent_id::uuid IS NULL OR parent_id = @parent_id)
              AND (@text::text IS NULL OR result_message ILIKE @text OR error_message ILIKE @text)
              AND (@from::timestamptz IS NULL OR created_at >= @from)
              AND (@to::timestamptz IS NULL OR created_at < @to)
              AND (@after_at::timestamptz IS NULL OR (created_at, id) < (@after_at, @after_id))
            ORDER BY created_at DESC, id DESC
            LIMIT @limit
            """;
        var rows = await dataSource.WithReconnectAsync(async () =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            return await connection.QueryAsync<CallRow>(new CommandDefinition(sql, new
            {
            webhook = query.Webhook,
            authenticator = query.Authenticator,
            endpoint = query.Endpoint,
            http_status = query.HttpStatus,
            status_from = query.HttpStatusFrom,
            status_to = query.HttpStatusTo,
            source = query.Source,
            client_ip = query.ClientIp,
            parent_id = query.ParentId,
            text = query.Text is null ? null : $"%{LikeEscaped(query.Text)}%",
            from = query.From?.UtcDateTime,
            to = query.To?.UtcDateTime,
            after_at = query.After?.CreatedAt.UtcDateTime,
            after_id = query.After?.Id ?? Guid.Empty,
            limit = query.Limit,
            }, cancellationToken: cancellationToken));
        });
        return rows.AsList();
    }

    /// <summary>Text matched as written: LIKE's wildcards and its escape character stand for themselves.</summary>
    private static string LikeEscaped(string text) =>
        text.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal);

    /// <summary>How a webhook's calls ended within [from, to): counts by status class and durations.</summary>
    public async Task<CallStats> StatsAsync(string webhook, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT count(*) AS calls,
                   count(*) FILTER (WHERE http_status BETWEEN 200 AND 299) AS status_2xx,
                   count(*) FILTER (WHERE http_status BETWEEN 300 AND 399) AS status_3xx,
                   count(*) FILTER (WHERE http_status BETWEEN 400 AND 499) AS status_4xx,
                   count(*) FILTER (WHERE http_status BETWEEN 500 AND 599) AS status_5xx,
                   count(*) FILTER (WHERE code_status = 'failed') AS code_failed,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) AS p50_ms,
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95_ms,
                   percentile_cont(0.99) WITHIN GROUP (ORDER BY duration_ms) AS p99_ms
            FROM webhook_calls
            WHERE webhook = @webhook AND created_at >= @from AND created_at < @to
            """;
        return await dataSource.WithReconnectAsync(async () =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            return await connection.QuerySingleAsync<CallStats>(new CommandDefinition(
                sql, new { webhook, from = from.UtcDateTime, to = to.UtcDateTime }, cancellationToken: cancellationToken));
        });
    }

    public async Task<CallRow?> FindAsync(Guid id, CancellationToken cancellationToken)
    {
        if (id.Version != 7)
        {
            return null;
        }

        // The id's first 48 bits are the millisecond of created_at.
        var bytes = id.ToByteArray(bigEndian: true);
        var milliseconds = ((long)bytes[0] << 40) | ((long)bytes[1] << 32) | ((long)bytes[2] << 24) | ((long)bytes[3] << 16) | ((long)bytes[4] << 8) | bytes[5];
        var from = DateTimeOffset.FromUnixTimeMilliseconds(milliseconds).UtcDateTime;
        var sql = $"SELECT {SelectColumns} FROM webhook_calls WHERE created_at >= @from AND created_at < @to AND id = @id";
        return await dataSource.WithReconnectAsync(async () =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            return await connection.QuerySingleOrDefaultAsync<CallRow>(new CommandDefinition(
                sql, new { id, from, to = from.AddMilliseconds(1) }, cancellationToken: cancellationToken));
        });
    }
}
