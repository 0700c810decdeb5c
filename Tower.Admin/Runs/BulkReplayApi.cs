using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.WebUtilities;
using Npgsql;
using Tower.Admin.Identity;
using Tower.Admin.Infrastructure;
using Tower.Admin.Internal;
using Tower.Contracts.Configuration;
using Tower.Scripting;

namespace Tower.Admin.Runs;

/// <summary>
/// <c>POST /api/webhook-logs/replay</c>: replays many logged calls at once (after an outage, or to
/// try a fix on every call it would have changed), selected by the filters of the log list, at
/// most 1,000, oldest first, a few at a time so that live calls keep their share of the gateway.
/// Each replay is a replay as <c>POST /api/webhook-logs/{id}/replay</c> makes it (spec §12).
/// </summary>
internal static class BulkReplayApi
{
    public const int MaxCalls = 1000;
    public const int DefaultCalls = 100;

    /// <summary>Replays under way at once: the pace.</summary>
    private const int AtOnce = 4;

    /// <summary>The most Logging gives in one page.</summary>
    private const int PageSize = 500;

    public static IEndpointRouteBuilder MapBulkReplayApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/webhook-logs/replay", ReplayAsync).RequireAuthorization(Groups.RootPolicy).WithTags("Call logs");
        return app;
    }

    private static async Task<Results<Ok<BulkReplayAnswer>, ValidationProblem, ContentHttpResult, ProblemHttpResult>> ReplayAsync(
        HttpContext context, [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] ReplayInput? input, NpgsqlDataSource dataSource,
        SecretProtector protector, ScriptDrafts drafts, GatewayClient gateway, Logs.LoggingClient logging, CancellationToken ct)
    {
        var query = context.Request.Query;
        var errors = new ValidationErrors();
        var limit = DefaultCalls;
        if (query.TryGetValue("limit", out var limitText) && (!int.TryParse(limitText, out limit) || limit is < 1 or > MaxCalls))
        {
            errors.Add("limit", $"limit must be a whole number from 1 to {MaxCalls}.");
        }

        var webhook = query.TryGetValue("webhook", out var only) ? only.ToString() : null;
        if (input?.Code is not null && string.IsNullOrEmpty(webhook))
        {
            errors.Add("code", "Draft code replaces one webhook's code: add the webhook filter (webhook=<reference>).");
        }

        RecordRules.CheckCode(ScriptKind.Webhook, input?.Code, errors);
        if (errors.Any)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        // The list's own filters, as the list takes them (Logging checks them); paged here.
        var filters = query.Where(pair => pair.Key is not ("limit" or "cursor")).ToDictionary(pair => pair.Key, pair => (string?)pair.Value.ToString());
        var calls = new List<JsonObject>();
        string? cursor = null;
        do
        {
            var page = new Dictionary<string, string?>(filters) { ["limit"] = Math.Min(PageSize, limit - calls.Count).ToString(System.Globalization.CultureInfo.InvariantCulture) };
            if (cursor is not null)
            {
                page["cursor"] = cursor;
            }

            var (found, status, body) = await logging.PageAsync(QueryHelpers.AddQueryString("", page), ct);
            if (found is null)
            {
                // A filter Logging refused (400, naming it), or Logging unreachable: answered as it is.
                return TypedResults.Content(body, "application/problem+json", statusCode: status);
            }

            calls.AddRange(found["items"]!.AsArray().Select(item => item!.AsObject()));
            cursor = (string?)found["next_cursor"];
        }
        while (cursor is not null && calls.Count < limit);

        calls.Reverse();
        var snapshots = new Dictionary<string, Task<ConfigSnapshot?>>();
        Task<ConfigSnapshot?> SnapshotOf(string reference)
        {
            lock (snapshots)
            {
                if (!snapshots.TryGetValue(reference, out var snapshot))
                {
                    snapshots[reference] = snapshot = ReadSnapshotAsync(reference);
                }

                return snapshot;
            }
        }

        async Task<ConfigSnapshot?> ReadSnapshotAsync(string reference)
        {
            var snapshot = await SnapshotReader.ReadAsync(dataSource, protector, reference, ct);
            return snapshot.Webhooks.SingleOrDefault() is { } definition
                ? await RunsApi.WithDraftsAsync(snapshot, definition, input?.Code, null, drafts, ct)
                : null;
        }

        using var pace = new SemaphoreSlim(AtOnce);
        var items = await Task.WhenAll(calls.Select(async call =>
        {
            await pace.WaitAsync(ct);
            try
            {
                return await ReplayOneAsync(call, SnapshotOf, gateway, ct);
            }
            finally
            {
                pace.Release();
            }
        }));
        return TypedResults.Ok(new BulkReplayAnswer(items));
    }

    private static async Task<BulkReplayItem> ReplayOneAsync(JsonObject call, Func<string, Task<ConfigSnapshot?>> snapshotOf, GatewayClient gateway,
        CancellationToken ct)
    {
        var id = (Guid)call["id"]!;
        var reference = (string?)call["webhook"] ?? "";
        if (reference.Length == 0)
        {
            return new BulkReplayItem(id) { Skipped = "The call matched no webhook (it was answered 404)." };
        }

        if (await snapshotOf(reference) is not { } snapshot)
        {
            return new BulkReplayItem(id) { Skipped = $"Webhook '{reference}' was deleted." };
        }

        try
        {
            return new BulkReplayItem(id) { Replay = await gateway.RunAsync(RunsApi.ReplayRequest(call, snapshot), ct) };
        }
        catch (HttpRequestException exception)
        {
            return new BulkReplayItem(id) { Failed = $"The gateway could not run the replay: {exception.Message}" };
        }
    }
}
