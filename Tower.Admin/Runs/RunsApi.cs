using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Npgsql;
using Tower.Admin.Identity;
using Tower.Admin.Infrastructure;
using Tower.Admin.Internal;
using Tower.Contracts.Async;
using Tower.Contracts.Calls;
using Tower.Contracts.Configuration;
using Tower.Contracts.Runs;
using Tower.Scripting;

namespace Tower.Admin.Runs;

/// <summary>
/// Test and replay (spec §12, §14): a webhook run with a request the admin writes, or a logged
/// call run again, through the gateway's own flow (<see cref="GatewayClient"/>), with saved or
/// draft code. Each run has its record, marked <c>test</c> or <c>replay</c>.
/// </summary>
internal static class RunsApi
{
    private const string DefaultClientIp = "127.0.0.1";

    /// <summary>JSON text without escapes the caller did not write (non-ASCII, <c>&lt;&gt;&amp;'+</c>), so <c>raw_data</c> stays close to the original.</summary>
    private static readonly System.Text.Json.JsonSerializerOptions AsWritten = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static IEndpointRouteBuilder MapRunsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/webhooks/{reference}/test", TestAsync).RequireAuthorization(Groups.RootPolicy).WithTags("Webhooks");
        app.MapPost("/api/webhook-logs/{id}/replay", ReplayAsync).RequireAuthorization(Groups.RootPolicy).WithTags("Call logs");
        app.MapPost("/api/webhook-logs/{id}/retry", RetryAsync).RequireAuthorization(Groups.RootPolicy).WithTags("Call logs");
        return app;
    }

    private static async Task<Results<Ok<RunResult>, NotFound, ValidationProblem, ProblemHttpResult>> TestAsync(
        string reference, TestInput input, NpgsqlDataSource dataSource, SecretProtector protector, ScriptDrafts drafts,
        GatewayClient gateway, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        byte[] body = [];
        if (input.Body is not null && input.BodyBase64 is not null)
        {
            errors.Add("body", "Give body (text) or body_base64 (bytes), not both.");
        }
        else if (input.BodyBase64 is { } encoded)
        {
            try
            {
                body = Convert.FromBase64String(encoded);
            }
            catch (FormatException)
            {
                errors.Add("body_base64", "body_base64 is not valid base64.");
            }
        }
        else if (input.Body is { } text)
        {
            body = Encoding.UTF8.GetBytes(text);
        }

        var clientIp = input.ClientIp ?? DefaultClientIp;
        if (!IPAddress.TryParse(clientIp, out _))
        {
            errors.Add("client_ip", $"'{clientIp}' is not an IPv4 or IPv6 address.");
        }

        RecordRules.CheckCode(ScriptKind.Webhook, input.Code, errors);
        RecordRules.CheckCode(ScriptKind.Authenticator, input.AuthenticatorCode, errors, "authenticator_code");

        if (errors.Any)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        var snapshot = await SnapshotReader.ReadAsync(dataSource, protector, reference, ct);
        if (snapshot.Webhooks.SingleOrDefault() is not { } webhook)
        {
            return TypedResults.NotFound();
        }

        snapshot = await WithDraftsAsync(snapshot, webhook, input.Code, input.AuthenticatorCode, drafts, ct);
        try
        {
            return TypedResults.Ok(await gateway.RunAsync(new RunRequest
            {
                Snapshot = snapshot,
                Webhook = reference,
                Headers = input.Headers ?? new Dictionary<string, string>(),
                Query = input.Query ?? new Dictionary<string, string>(),
                Body = body,
                ClientIp = clientIp,
                Source = CallSource.Test,
            }, ct));
        }
        catch (HttpRequestException exception)
        {
            return GatewayUnavailable(exception);
        }
    }

    /// <summary>The gateway (which runs tests and replays) could not be reached or refused the run.</summary>
    private static ProblemHttpResult GatewayUnavailable(HttpRequestException exception) =>
        TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Gateway unavailable",
            detail: $"Tests and replays run through the gateway, which could not run this one: {exception.Message}");

    private static async Task<Results<Ok<ReplayAnswer>, NotFound, ValidationProblem, ProblemHttpResult>> ReplayAsync(
        string id, [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] ReplayInput? input, NpgsqlDataSource dataSource,
        SecretProtector protector, ScriptDrafts drafts, GatewayClient gateway, Logs.LoggingClient logging, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        RecordRules.CheckCode(ScriptKind.Webhook, input?.Code, errors);
        if (errors.Any)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        var (original, unavailable) = await LoggedCallAsync(logging, id, ct);
        if (unavailable is not null)
        {
            return unavailable;
        }

        if (original is null)
        {
            return TypedResults.NotFound();
        }

        var reference = (string?)original["webhook"] ?? "";
        if (reference.Length == 0)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Nothing to replay",
                detail: $"Call {id} matched no webhook (it was answered 404), so there is no code to run it through.");
        }

        var snapshot = await SnapshotReader.ReadAsync(dataSource, protector, reference, ct);
        if (snapshot.Webhooks.SingleOrDefault() is not { } webhook)
        {
            return TypedResults.NotFound();
        }

        snapshot = await WithDraftsAsync(snapshot, webhook, input?.Code, null, drafts, ct);
        RunResult replay;
        try
        {
            replay = await gateway.RunAsync(ReplayRequest(original, snapshot), ct);
        }
        catch (HttpRequestException exception)
        {
            return GatewayUnavailable(exception);
        }

        return TypedResults.Ok(new ReplayAnswer(ResultOf(original), replay));
    }

    /// <summary>
    /// Queues a dead async call once more (spec §14): a fresh set of the webhook's <c>max_attempts</c>,
    /// on its request as the log stored it (the sealed original was deleted when the call died).
    /// </summary>
    private static async Task<Results<Accepted<RetryAnswer>, NotFound, ProblemHttpResult>> RetryAsync(
        string id, NpgsqlDataSource dataSource, SecretProtector protector, Logs.LoggingClient logging, CancellationToken ct)
    {
        var (call, unavailable) = await LoggedCallAsync(logging, id, ct);
        if (unavailable is not null)
        {
            return unavailable;
        }

        if (call is null)
        {
            return TypedResults.NotFound();
        }

        var reference = (string?)call["webhook"] ?? "";
        var snapshot = reference.Length == 0 ? null : await SnapshotReader.ReadAsync(dataSource, protector, reference, ct);
        if (reference.Length > 0 && snapshot!.Webhooks.Count == 0)
        {
            return TypedResults.NotFound();
        }

        var payload = call["request_payload"];
        var request = snapshot?.Webhooks.Single() is { } webhook ? new AsyncRequest
        {
            Method = (string?)call["request_method"] ?? webhook.Method,
            Endpoint = (string?)call["endpoint"] ?? webhook.Endpoint,
            Headers = Strings(call["request_headers"]),
            Query = Strings(call["request_query"]),
            Body = StoredBody(payload, webhook),
            PayloadJson = payload is null || payload.GetValueKind() == System.Text.Json.JsonValueKind.String ? "{}" : payload.ToJsonString(AsWritten),
            ClientIp = (string?)call["ip_address"] ?? "",
            PeerIp = (string?)call["peer_ip"] ?? "",
        } : null;
        try
        {
            var callId = (Guid)call["id"]!;
            if (request is not null && await logging.RequeueAsync(callId, new AsyncRequeue { Request = protector.SealAsyncRequest(request.ToBytes(), callId) }, ct))
            {
                return TypedResults.Accepted((string?)null, new RetryAnswer("Accepted"));
            }
        }
        catch (HttpRequestException exception)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Call log unavailable",
                detail: $"The async schedule in the Logging service could not be reached: {exception.Message}");
        }

        return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not a dead async call",
            detail: $"Call {id} is not an accepted async call whose last attempt failed: only such a call can be retried (an attempt's id cannot).");
    }

    /// <summary>The logged call (null for none), or the 503 to answer when the Logging service cannot be read.</summary>
    private static async Task<(JsonObject? Call, ProblemHttpResult? Unavailable)> LoggedCallAsync(Logs.LoggingClient logging, string id, CancellationToken ct)
    {
        try
        {
            return (await logging.FindCallAsync(id, ct), null);
        }
        catch (HttpRequestException exception)
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Call log unavailable",
                detail: $"The logged call could not be read from the Logging service: {exception.Message}"));
        }
    }

    /// <summary>The run of a logged call again, through the one webhook of <paramref name="snapshot"/> (spec §12).</summary>
    public static RunRequest ReplayRequest(JsonObject original, ConfigSnapshot snapshot)
    {
        var webhook = snapshot.Webhooks.Single();
        return new RunRequest
        {
            Snapshot = snapshot,
            Webhook = webhook.Reference,
            Headers = Strings(original["request_headers"]),
            Query = Strings(original["request_query"]),
            Body = StoredBody(original["request_payload"], webhook),
            ClientIp = (string?)original["ip_address"] is { Length: > 0 } address ? address : DefaultClientIp,
            Source = CallSource.Replay,
            ReplayOf = (Guid)original["id"]!,
            AuthenticationStatus = (string?)original["authentication_status"] ?? CallStatus.Success,
        };
    }

    /// <summary>The snapshot with the webhook's (and its authenticator's) draft code in place of the saved one.</summary>
    public static async Task<ConfigSnapshot> WithDraftsAsync(ConfigSnapshot snapshot, WebhookDefinition webhook, string? code,
        string? authenticatorCode, ScriptDrafts drafts, CancellationToken ct)
    {
        if (code is not null)
        {
            var hash = string.IsNullOrWhiteSpace(code) ? null : await drafts.SaveAsync(ScriptKind.Webhook, code, ct);
            snapshot = snapshot with { Webhooks = [webhook with { CodeHash = hash }] };
        }

        if (authenticatorCode is not null)
        {
            var hash = string.IsNullOrWhiteSpace(authenticatorCode) ? null : await drafts.SaveAsync(ScriptKind.Authenticator, authenticatorCode, ct);
            snapshot = snapshot with
            {
                Authenticators = [.. snapshot.Authenticators.Select(a => a.Reference == webhook.Authenticator ? a with { CodeHash = hash } : a)],
            };
        }

        return snapshot;
    }

    /// <summary>A stored JSON object of strings (headers, query) as a dictionary.</summary>
    private static Dictionary<string, string> Strings(JsonNode? node) =>
        node is JsonObject fields
            ? fields.Where(pair => pair.Value is not null).ToDictionary(pair => pair.Key, pair => pair.Value!.GetValueKind() == System.Text.Json.JsonValueKind.String ? (string)pair.Value! : pair.Value!.ToJsonString())
            : [];

    /// <summary>
    /// The body the logged call carried, rebuilt from what the log stored (redacted values stay
    /// redacted): a GET has none; a form webhook's fields are encoded again; a JSON payload is its
    /// JSON text; a payload stored as text (it did not parse) is that text.
    /// </summary>
    private static byte[] StoredBody(JsonNode? payload, WebhookDefinition webhook)
    {
        if (webhook.Method == "GET" || payload is null)
        {
            return [];
        }

        if (payload.GetValueKind() == System.Text.Json.JsonValueKind.String)
        {
            return Encoding.UTF8.GetBytes((string)payload!);
        }

        if (webhook.PayloadType == "form" && payload is JsonObject fields)
        {
            return Encoding.UTF8.GetBytes(string.Join('&', Strings(fields).Select(pair => $"{Uri.EscapeDataString(pair.Key)}={Uri.EscapeDataString(pair.Value)}")));
        }

        return Encoding.UTF8.GetBytes(payload.ToJsonString(AsWritten));
    }

    /// <summary>How the logged call ended, in the fields of a run's answer.</summary>
    public static RunResult ResultOf(JsonObject call) => new()
    {
        HttpStatus = (int)call["http_status"]!,
        Message = (string?)call["result_message"] ?? "",
        AuthenticationStatus = (string?)call["authentication_status"] ?? "",
        CodeStatus = (string?)call["code_status"] ?? "",
        ScriptLog = (string?)call["script_log"] ?? "",
        ErrorMessage = (string?)call["error_message"] ?? "",
        DurationMs = (double)call["duration_ms"]!,
        CallId = (Guid)call["id"]!,
    };
}
