using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Tower.Contracts.Calls;

namespace Tower.Logging.Calls;

/// <summary>The internal query API the Admin service reads call logs through.</summary>
internal static partial class CallsApi
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;
    public const int MaxTextLength = 200;

    /// <summary>The time range of stats without <c>from</c>: the last day.</summary>
    private static readonly TimeSpan DefaultStatsRange = TimeSpan.FromDays(1);

    public static RouteGroupBuilder MapCallsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/internal/calls").RequireServiceCredential();
        group.MapGet("/", ListAsync);
        group.MapGet("/{id}", GetAsync);
        app.MapGet("/internal/stats/{webhook}", StatsAsync).RequireServiceCredential();
        return group;
    }

    private static async Task<Results<Ok<CallLogPage>, ValidationProblem>> ListAsync(
        HttpRequest request, CallStore store, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var query = request.Query;
        string? Text(string name) => string.IsNullOrEmpty(query[name]) ? null : query[name].ToString();

        int? Integer(string name, int min, int max)
        {
            var text = Text(name);
            if (text is null)
            {
                return null;
            }

            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
            {
                return value;
            }

            errors[name] = [$"'{text}' is not a whole number from {min} to {max}."];
            return null;
        }

        DateTimeOffset? Time(string name) => QueryTime(request.Query, name, errors);

        var limit = Integer("limit", 1, MaxLimit) ?? DefaultLimit;
        // A status, or a class of them such as 5xx.
        var statusClass = Text("http_status") is { } statusText && StatusClass().IsMatch(statusText) ? statusText[0] - '0' : (int?)null;
        var httpStatus = statusClass is null ? Integer("http_status", 100, 599) : null;
        var source = Text("source");
        if (source is not null && source is not (CallSource.Call or CallSource.Test or CallSource.Replay or CallSource.Async or CallSource.Retry))
        {
            errors["source"] = [$"'{source}' is not a source: use call, test, replay, async or retry."];
        }

        var clientIp = Text("client_ip");
        if (clientIp is not null)
        {
            clientIp = System.Net.IPAddress.TryParse(clientIp, out var address) ? Tower.Contracts.Networking.IpRangeList.Normalize(address).ToString() : null;
            if (clientIp is null)
            {
                errors["client_ip"] = [$"'{Text("client_ip")}' is not an IPv4 or IPv6 address."];
            }
        }

        Guid? parentId = null;
        if (Text("parent_id") is { } parentText)
        {
            parentId = Guid.TryParse(parentText, out var parsed) ? parsed : null;
            if (parentId is null)
            {
                errors["parent_id"] = [$"'{parentText}' is not a call id."];
            }
        }

        var text = Text("text");
        if (text is { Length: > MaxTextLength })
        {
            errors["text"] = [$"text may be at most {MaxTextLength} characters long."];
        }

        var from = Time("from");
        var to = Time("to");
        CallCursor? after = null;
        if (Text("cursor") is { } cursorText && (after = CallCursor.TryDecode(cursorText)) is null)
        {
            errors["cursor"] = ["The cursor is not one this API returned."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var rows = await store.QueryAsync(
            new CallQuery(Text("webhook"), Text("authenticator"), Text("endpoint"), httpStatus, from, to, after, limit + 1)
            {
                HttpStatusFrom = statusClass * 100,
                HttpStatusTo = statusClass * 100 + 99,
                Source = source,
                ClientIp = clientIp,
                ParentId = parentId,
                Text = text,
            },
            cancellationToken);
        var page = rows.Take(limit).Select(CallLogView.From).ToList();
        var next = rows.Count > limit ? new CallCursor(page[^1].CreatedAt, page[^1].Id).Encode() : null;
        return TypedResults.Ok(new CallLogPage(page, next));
    }

    private static async Task<Results<Ok<CallLogView>, NotFound>> GetAsync(string id, CallStore store, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var callId) || await store.FindAsync(callId, cancellationToken) is not { } row)
        {
            return TypedResults.NotFound();
        }

        return TypedResults.Ok(CallLogView.From(row));
    }

    private static async Task<Results<Ok<CallStatsView>, ValidationProblem>> StatsAsync(
        string webhook, HttpRequest request, CallStore store, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        DateTimeOffset? Time(string name) => QueryTime(request.Query, name, errors);

        var to = Time("to") ?? DateTimeOffset.UtcNow;
        var from = Time("from") ?? to - DefaultStatsRange;
        if (errors.Count == 0 && from >= to)
        {
            errors["from"] = ["from must be before to."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        return TypedResults.Ok(CallStatsView.Of(webhook, from, to, await store.StatsAsync(webhook, from, to, cancellationToken)));
    }

    /// <summary>An RFC 3339 time of the query string; none when absent, an error naming the parameter when malformed.</summary>
    private static DateTimeOffset? QueryTime(IQueryCollection query, string name, Dictionary<string, string[]> errors)
    {
        var text = query[name].ToString();
        if (text.Length == 0)
        {
            return null;
        }

        if (Rfc3339().IsMatch(text) && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var value))
        {
            return value;
        }

        errors[name] = [$"'{text}' is not an RFC 3339 time with an offset, such as 2026-01-31T12:00:00Z."];
        return null;
    }

    [GeneratedRegex("^[1-5]xx$")]
    private static partial Regex StatusClass();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$")]
    private static partial Regex Rfc3339();
}
