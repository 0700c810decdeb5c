using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Tower.Contracts;
using Tower.Contracts.Calls;
using Tower.Contracts.Runs;
using Tower.Gateway.Configuration;

namespace Tower.Gateway.Webhooks;

/// <summary>
/// <c>POST /internal/run</c> (service credential): runs a test or a replay (spec §12) through the
/// same flow as a call to the public route, with a request built from what Admin sends, and
/// answers how it ended. The call has its record like any other, with its <c>source</c>.
/// </summary>
internal static class RunEndpoint
{
    public static IEndpointRouteBuilder MapRunEndpoint(this IEndpointRouteBuilder app)
    {
        app.MapPost("/internal/run", RunAsync).RequireServiceCredential().ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> RunAsync(HttpContext outer, CancellationToken cancellationToken)
    {
        RunRequest? run;
        try
        {
            run = await JsonSerializer.DeserializeAsync<RunRequest>(outer.Request.Body, TowerJson.Options, cancellationToken);
        }
        catch (JsonException exception)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Not a run request", detail: exception.Message);
        }

        var webhook = run is null ? null : GatewayConfig.From(run.Snapshot).Find(run.Webhook);
        if (run is null || webhook is null || !IPAddress.TryParse(run.ClientIp, out var clientIp))
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Not a run request",
                detail: "The run needs its webhook, with its authenticator, in the snapshot, and a client address.");
        }

        // Only tests and replays come this way, and only a replay skips authentication.
        if (run.Source is not (CallSource.Test or CallSource.Replay) || (run.AuthenticationStatus is not null) != (run.Source == CallSource.Replay)
            || (run.ReplayOf is not null) != (run.Source == CallSource.Replay))
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Not a run request",
                detail: "A run is a test (no authentication status, no replay_of) or a replay (both).");
        }

        var overrides = new RunOverrides
        {
            Webhook = webhook,
            ClientIp = Tower.Contracts.Networking.IpRangeList.Normalize(clientIp),
            Source = run.Source,
            ReplayOf = run.ReplayOf,
            AuthenticationStatus = run.AuthenticationStatus,
        };
        var context = Build(outer, run, webhook, overrides);
        await WebhookEndpoint.HandleAsync(context);

        var record = overrides.Record;
        if (record is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status500InternalServerError, title: "The run made no record");
        }

        return Results.Json(new RunResult
        {
            HttpStatus = record.HttpStatus,
            Message = record.ResultMessage,
            AuthenticationStatus = record.AuthenticationStatus,
            CodeStatus = record.CodeStatus,
            ScriptLog = record.ScriptLog,
            ErrorMessage = record.ErrorMessage,
            DurationMs = record.DurationMs,
            CallId = record.Id,
        }, TowerJson.Options);
    }

    /// <summary>The request a caller would have sent, as a context of its own; what it answers is discarded.</summary>
    private static DefaultHttpContext Build(HttpContext outer, RunRequest run, LiveWebhook webhook, RunOverrides overrides)
    {
        var context = new DefaultHttpContext { RequestServices = outer.RequestServices };
        var request = context.Request;
        request.Method = webhook.Definition.Method;
        request.Path = WebhookEndpoint.Prefix + "/" + webhook.Definition.Endpoint;
        request.QueryString = QueryString.Create(run.Query.Select(pair => KeyValuePair.Create(pair.Key, (string?)pair.Value)));
        foreach (var (name, value) in run.Headers)
        {
            request.Headers[name] = value;
        }

        request.Body = new MemoryStream(run.Body, writable: false);
        request.ContentLength = run.Body.Length;
        context.Features.Get<IHttpRequestFeature>()!.RawTarget = request.Path + request.QueryString;
        context.Connection.RemoteIpAddress = overrides.ClientIp;
        context.Response.Body = Stream.Null;
        context.Items[RunOverrides.Key] = overrides;
        return context;
    }
}
