using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Tower.Contracts.Async;
using Tower.Contracts.Calls;
using Tower.Contracts.Scripts;
using Tower.Gateway.Calls;
using Tower.Contracts.Configuration;
using Tower.Contracts.Dedup;
using Tower.Gateway.Async;
using Tower.Gateway.Configuration;
using Tower.Gateway.Dedup;
using Tower.Gateway.Infrastructure;
using Tower.Gateway.Traffic;
using Tower.Gateway.Verification;

namespace Tower.Gateway.Webhooks;

/// <summary>
/// <c>/cetmix_tower_webhooks/{endpoint}</c>: the request flow of the contract, step by step, with
/// exactly one JSON answer and one call record per request.
/// </summary>
internal static class WebhookEndpoint
{
    public const string Prefix = "/cetmix_tower_webhooks";
    public const string CallIdHeader = "X-Tower-Call-Id";

    /// <summary>How much longer than the broker's own confirmation limit a call waits for its record before 503 (spec §6).</summary>
    private static readonly TimeSpan DurableMargin = TimeSpan.FromSeconds(3);

    /// <summary>The header of an answer given again to a duplicate: the first call's id (spec §10).</summary>
    public const string DuplicateOfHeader = "X-Tower-Duplicate-Of";

    /// <summary>A dedup claim outlives the code's own limit by this much before another call may take the key (spec §14).</summary>
    private const int DedupClaimMarginSeconds = 31;

    /// <summary>How long a call waits for a concurrency slot before 429 (spec §10).</summary>
    private static readonly TimeSpan SlotWait = TimeSpan.FromSeconds(1);

    /// <summary>The content type of a body the code set without one (spec §13).</summary>
    private const string CustomBodyContentType = "text/plain; charset=utf-8";

    /// <summary>How much of a body sent instead of a message the log keeps as <c>result_message</c>.</summary>
    private const int LoggedBodyLength = 1000;

    public static IEndpointRouteBuilder MapWebhookEndpoint(this IEndpointRouteBuilder app)
    {
        app.Map(Prefix, HandleAsync);
        app.Map(Prefix + "/{**endpoint}", HandleAsync);
        return app;
    }

    /// <summary>
    /// Runs one call: a request to the public route, or a test or replay built by
    /// <see cref="RunEndpoint"/> (with its <see cref="RunOverrides"/> in the context's items).
    /// </summary>
    public static async Task HandleAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var call = new CallState(context) { Overrides = context.Items[RunOverrides.Key] as RunOverrides };
        var options = services.GetRequiredService<IOptions<GatewayOptions>>().Value;
        // The request's span carries the call id, so a call log record leads to its trace and back.
        if (Activity.Current is { IsAllDataRequested: true } activity)
        {
            activity.SetTag("tower.call.id", call.Id.ToString());
        }

        try
        {
            await RunAsync(call, context, services, options);
        }
        catch (Exception exception) when (!call.Recorded)
        {
            // One answer and one record whatever fails: the error goes to the record and the
            // gateway's log, never to the caller.
            var outcome = exception switch
            {
                BadHttpRequestException { StatusCode: StatusCodes.Status408RequestTimeout } => CallOutcome.RequestBodyTimeout,
                BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => CallOutcome.PayloadTooLarge,
                // With a Content-Length, the only body a read refuses is one that ended early: the caller left.
                BadHttpRequestException when context.Request.ContentLength is not null => CallOutcome.CallerDisconnected,
                BadHttpRequestException => CallOutcome.InvalidRequestBody,
                // The body's read ended because the caller went away.
                OperationCanceledException or IOException when context.RequestAborted.IsCancellationRequested => CallOutcome.CallerDisconnected,
                _ => call.Authenticated ? CallOutcome.FailedInWebhookCode : CallOutcome.FailedBeforeWebhookCode,
            };
            if (outcome is CallOutcome.FailedInWebhookCode or CallOutcome.FailedBeforeWebhookCode)
            {
                call.Error = exception.Message;
                Log.CallFailed(Logger(services), call.Id, call.Endpoint, exception);
            }

            try
            {
                await FinishAsync(call, services, options, outcome);
            }
            catch (Exception recording) when (!call.Recorded && !context.Response.HasStarted)
            {
                // Not even this call's record could be made durable: the caller learns that much.
                Log.CallNotRecorded(Logger(services), call.Id, call.Endpoint, recording);
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.Headers[CallIdHeader] = call.Id.ToString();
                await context.Response.WriteAsJsonAsync(new { message = StatusTable.For(CallOutcome.CallLogUnavailable).Message }, CancellationToken.None);
            }
        }
        finally
        {
            call.Slot?.Dispose();
            call.Buffer.Dispose();
        }
    }

    private static async Task RunAsync(CallState call, HttpContext context, IServiceProvider services, GatewayOptions options)
    {
        var request = context.Request;

        // The webhook is looked up before the body is read, so that a body refused or cut short
        // is recorded under its webhook; the answers keep the contract's order (413 before 404).
        // A call that arrives while the gateway's first load is under way waits for it.
        var holder = services.GetRequiredService<ConfigHolder>();
        var overrides = call.Overrides;
        if (!holder.Loaded && overrides is null)
        {
            await holder.FirstAttempt;
        }

        call.Webhook = overrides?.Webhook ?? holder.Current.Match(call.Endpoint, request.Method);

        // Steps of spec §3, in its order (§10-§13 numbering). 1. Size: the body is read up to one byte past the maximum, never whole beyond it.
        if (!await call.Buffer.ReadAsync(request, options.MaxBodyBytes, context.RequestAborted))
        {
            await FinishAsync(call, services, options, CallOutcome.PayloadTooLarge);
            return;
        }

        // While records can be made durable nowhere, no new call runs any code (spec §6).
        var recorder = services.GetRequiredService<CallRecorder>();
        if (recorder.Unavailable)
        {
            await FinishAsync(call, services, options, CallOutcome.CallLogUnavailable);
            return;
        }

        // 2. Match on the raw path, exact and case-sensitive, in the configuration in force.
        if (!holder.Loaded && overrides is null)
        {
            context.Response.Headers.RetryAfter = "1";
            await FinishAsync(call, services, options, CallOutcome.ConfigurationNotLoaded);
            return;
        }

        if (call.Webhook is not { } webhook)
        {
            await FinishAsync(call, services, options, CallOutcome.WebhookNotFound);
            return;
        }

        var authenticator = webhook.Authenticator;

        // 3. Client address (a test's or replay's as given).
        call.ClientIp = overrides?.ClientIp ?? ClientIpResolver.Resolve(call.PeerIp, authenticator.TrustedProxies,
            request.Headers["X-Forwarded-For"], request.Headers["X-Real-IP"].FirstOrDefault());
        if (overrides?.AuthenticationStatus is null && !authenticator.AllowedIps.IsEmpty && !authenticator.AllowedIps.Contains(call.ClientIp))
        {
            await FinishAsync(call, services, options, CallOutcome.AddressNotAllowed);
            return;
        }

        // 4. Lockout of an address that failed too often, then 5. the rate limit (spec §10); tests
        // and replays neither meet them nor count toward them.
        var lockouts = services.GetRequiredService<Lockouts>();
        var lockout = overrides is null ? authenticator.Lockout : null;
        if (lockout is not null && lockouts.IsBlocked(authenticator.Reference, call.ClientIp, out var blockedFor))
        {
            context.Response.Headers.RetryAfter = blockedFor.ToString(CultureInfo.InvariantCulture);
            GatewayTelemetry.CallsLimited.Add(1, new KeyValuePair<string, object?>("tower.limit", "lockout"));
            await FinishAsync(call, services, options, CallOutcome.LockedOut);
            return;
        }

        if (overrides is null && webhook.Definition.RateLimit is { } rateLimit
            && !services.GetRequiredService<RateLimits>().TryAdmit(webhook.Definition.Reference, rateLimit, call.ClientIp, out var windowEndsIn))
        {
            context.Response.Headers.RetryAfter = windowEndsIn.ToString(CultureInfo.InvariantCulture);
            GatewayTelemetry.CallsLimited.Add(1, new KeyValuePair<string, object?>("tower.limit", "rate_limit"));
            await FinishAsync(call, services, options, CallOutcome.RateLimited);
            return;
        }

        // 6. Payload, by the webhook's payload type.
        var body = call.Buffer.Memory;
        var parsed = webhook.Definition.Method == "GET"
            ? new ParsedPayload(PayloadParser.ToJsonObject(call.Query), null)
            : webhook.Definition.PayloadType == "form" ? PayloadParser.ParseForm(body.Span) : PayloadParser.ParseJson(body);
        if (!parsed.Ok)
        {
            await FinishAsync(call, services, options, CallOutcome.InvalidPayload, parsed.Error);
            return;
        }

        call.PayloadJson = parsed.Json;

        // 7. A concurrency slot, held until the webhook's code has ended: waits up to 1 s for one.
        if (webhook.Definition.MaxConcurrency is { } maxConcurrency)
        {
            call.Slot = await services.GetRequiredService<ConcurrencySlots>().TakeAsync(webhook.Definition.Reference, maxConcurrency, SlotWait);
            if (call.Slot is null)
            {
                await RefuseNoSlotAsync(call, services, options);
                return;
            }
        }

        // 8. Signature verifier, before the authenticator's code (which still runs after it). A
        // replay skips both: its record keeps the original's authentication status.
        var authenticate = overrides?.AuthenticationStatus is null;
        if (authenticate && authenticator.Verifier is { } verifier)
        {
            var signature = verifier.Check(request.Headers, body.Span);
            if (signature != SignatureCheck.Valid)
            {
                if (lockout is not null)
                {
                    lockouts.RecordRefusal(authenticator.Reference, lockout, call.ClientIp);
                }

                await FinishAsync(call, services, options, signature == SignatureCheck.Expired ? CallOutcome.SignatureExpired : CallOutcome.InvalidSignature);
                return;
            }
        }

        var bodyBytes = body.ToArray();

        // 9. Authenticator code, in Auth.
        if (authenticate && authenticator.CodeHash is { } authHash)
        {
            ScriptOutcome outcome;
            try
            {
                outcome = await services.GetRequiredService<AuthClient>().RunAsync(
                    call.Invocation(authHash, authenticator.Reference, options.AuthenticatorTimeoutMs, bodyBytes,
                        authenticator.Variables, authenticator.Secrets));
            }
            catch (ScriptServiceUnavailableException exception)
            {
                call.Error = exception.Message;
                LogUnavailable(services, call, "Auth", exception);
                await FinishAsync(call, services, options, CallOutcome.AuthenticationUnavailable);
                return;
            }

            if (outcome.Status == ScriptRunStatus.ShareInUse)
            {
                await RefuseNoSlotAsync(call, services, options);
                return;
            }

            call.AddOutcome(outcome);
            var refused = outcome.Status switch
            {
                ScriptRunStatus.TimedOut => CallOutcome.AuthenticationCodeTimedOut,
                ScriptRunStatus.Failed => CallOutcome.AuthenticationCodeError,
                _ when !outcome.Allowed => CallOutcome.AuthenticationNotAllowed,
                _ => (CallOutcome?)null,
            };
            if (refused is { } refusal)
            {
                // Only a refusal of the code's own choosing carries its message and status (400-599),
                // and only such a refusal counts toward a lockout (not a timeout or an error).
                var own = refusal == CallOutcome.AuthenticationNotAllowed;
                if (own && lockout is not null)
                {
                    lockouts.RecordRefusal(authenticator.Reference, lockout, call.ClientIp);
                }

                await FinishAsync(call, services, options, refusal, own ? outcome.Message : null,
                    own && outcome.HttpCode is >= 400 and <= 599 ? outcome.HttpCode : null);
                return;
            }
        }

        call.Authenticated = true;

        // 10. Dedup: the first 2xx answer of a key again, or 409 while the first call still runs.
        if (overrides is null && webhook.Definition.Dedup is { } dedup && DedupKey.Of(dedup, request.Headers, call.PayloadJson) is { } dedupKey)
        {
            DedupVerdict verdict;
            try
            {
                verdict = await services.GetRequiredService<DedupClient>().ClaimAsync(new DedupClaim
                {
                    Webhook = webhook.Definition.Reference,
                    Key = DedupKey.Hash(dedupKey),
                    CallId = call.Id,
                    ClaimSeconds = webhook.Definition.TimeoutMs / 1000 + DedupClaimMarginSeconds,
                });
            }
            catch (DedupUnavailableException exception)
            {
                call.Error = exception.Message;
                LogUnavailable(services, call, "dedup store", exception.Message);
                await FinishAsync(call, services, options, CallOutcome.DeduplicationUnavailable);
                return;
            }

            if (verdict.Outcome == DedupVerdict.InProgress)
            {
                context.Response.Headers.RetryAfter = "1";
                await FinishAsync(call, services, options, CallOutcome.DuplicateInProgress);
                return;
            }

            if (verdict is { Outcome: DedupVerdict.Duplicate, Answer: { } first })
            {
                call.DuplicateOf = verdict.FirstCallId;
                GatewayTelemetry.Duplicates.Add(1);
                context.Response.Headers[DuplicateOfHeader] = verdict.FirstCallId.ToString();
                await FinishAsync(call, services, options, CallOutcome.DuplicateReplayed, first.Message, first.Status, new ScriptOutcome
                {
                    Status = ScriptRunStatus.Completed,
                    Body = first.Body,
                    ContentType = first.ContentType,
                    ResponseHeaders = first.Headers,
                });
                return;
            }

            call.DedupKey = (dedup, DedupKey.Hash(dedupKey));
        }

        // 11. An async webhook's call is accepted once it is durable: its record carries the
        // request, sealed, and Logging keeps it as the call's job (spec §10, §14).
        if (overrides is null && webhook.Definition.ResponseMode == ResponseModes.Async)
        {
            call.QueuedRequest = services.GetRequiredService<AsyncRequestSeal>().Seal(new AsyncRequest
            {
                Method = request.Method,
                Endpoint = call.Endpoint,
                Headers = call.Headers,
                Query = call.Query,
                Body = bodyBytes,
                PayloadJson = call.PayloadJson ?? "{}",
                ClientIp = call.ClientIp.ToString(),
                PeerIp = call.PeerIp.ToString(),
            }, call.Id);
            await FinishAsync(call, services, options, CallOutcome.Accepted);
            GatewayTelemetry.AsyncAccepted.Add(1);
            return;
        }

        // 11. Webhook code, in Executor; a webhook without code succeeds with "OK".
        if (webhook.Definition.CodeHash is not { } codeHash)
        {
            await FinishAsync(call, services, options, CallOutcome.Succeeded);
            return;
        }

        ScriptOutcome result;
        try
        {
            result = await services.GetRequiredService<ExecutorClient>().RunAsync(
                call.Invocation(codeHash, webhook.Definition.Reference, webhook.Definition.TimeoutMs, bodyBytes, webhook.Variables, webhook.Secrets));
        }
        catch (ScriptServiceUnavailableException exception)
        {
            call.Error = exception.Message;
            LogUnavailable(services, call, "Executor", exception);
            await FinishAsync(call, services, options, CallOutcome.ExecutorUnavailable);
            return;
        }

        call.Slot?.Dispose();
        if (result.Status == ScriptRunStatus.ShareInUse)
        {
            await RefuseNoSlotAsync(call, services, options);
            return;
        }

        call.AddOutcome(result);
        var ended = StatusTable.OfWebhookCode(result);
        // The code's own message and answer (spec §13) replace the defaults when the code ran to its end.
        var completed = result.Status == ScriptRunStatus.Completed;
        await FinishAsync(call, services, options, ended, completed ? result.Message : null, completed ? result.StatusCode : null,
            completed ? result : null);
    }

    /// <summary>
    /// 429 for a call that found no slot: none of its webhook's <c>max_concurrency</c> at step 7,
    /// or, without one, no place in the webhook's share of Auth's or Executor's workers (spec §14).
    /// </summary>
    private static Task RefuseNoSlotAsync(CallState call, IServiceProvider services, GatewayOptions options)
    {
        call.Context.Response.Headers.RetryAfter = "1";
        var limit = call.Webhook?.Definition.MaxConcurrency is null ? "worker_share" : "max_concurrency";
        GatewayTelemetry.CallsLimited.Add(1, new KeyValuePair<string, object?>("tower.limit", limit));
        return FinishAsync(call, services, options, CallOutcome.NoConcurrencySlot);
    }

    private static void LogUnavailable(IServiceProvider services, CallState call, string service, ScriptServiceUnavailableException exception) =>
        LogUnavailable(services, call, service, exception.Message);

    private static void LogUnavailable(IServiceProvider services, CallState call, string service, string reason) =>
        Log.ScriptServiceUnavailable(Logger(services), call.Id, service, call.Endpoint, reason);

    private static ILogger Logger(IServiceProvider services) =>
        services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(WebhookEndpoint));

    /// <summary>
    /// Records the call as its outcome's row of the status table says, waits until the record is
    /// durable, then answers; <paramref name="message"/> and <paramref name="status"/>, when given,
    /// replace the row's (an empty message counts as none), and so do the body, content type and
    /// headers of the code's own answer (<paramref name="custom"/>, spec §13). A caller already
    /// gone gets no answer: the record keeps the outcome reached, with status 499 and the error
    /// "Caller disconnected".
    /// </summary>
    private static async Task FinishAsync(CallState call, IServiceProvider services, GatewayOptions options, CallOutcome outcome,
        string? message = null, int? status = null, ScriptOutcome? custom = null)
    {
        var row = StatusTable.For(outcome);
        var answer = string.IsNullOrEmpty(message) ? row.Message : message;
        var httpStatus = status ?? row.Status;
        // What the call reached, whether or not its caller stayed for it (dedup keeps that answer).
        var (reachedStatus, reachedAnswer, reachedCustom) = (httpStatus, answer, custom);
        var callerGone = outcome == CallOutcome.CallerDisconnected || call.Context.RequestAborted.IsCancellationRequested;
        if (callerGone)
        {
            httpStatus = StatusTable.CallerDisconnectedStatus;
            call.Error = StatusTable.CallerDisconnectedMessage;
        }

        // The log keeps the message, or the start of a body sent instead of one.
        var logged = string.IsNullOrEmpty(message) && custom?.Body is { } sentBody ? StartOf(sentBody) : answer;
        var record = call.ToRecord(httpStatus, logged, call.Overrides?.AuthenticationStatus ?? row.AuthenticationStatus, row.CodeStatus, options);
        if (call.Overrides is { } overrides)
        {
            overrides.Record = record;
        }

        var recording = Stopwatch.GetTimestamp();
        // A call that held a dedup key keeps the answer it reached (a 2xx, for the window; any other,
        // such as the 499 of a caller that left before the code, gives the key back) while its record
        // is made durable, not after: the two waits overlap, and both end before the answer, so that
        // a duplicate that comes right after it gets it again, not a 409. A caller that left does not
        // undo a success: its provider's retry gets the answer.
        var keeping = call.DedupKey is { } held
            ? CompleteDedupAsync(call, services, held.Definition, held.Key, reachedStatus, reachedAnswer, reachedCustom)
            : Task.CompletedTask;
        var recordLate = false;
        var recorder = services.GetRequiredService<CallRecorder>();
        if (outcome == CallOutcome.CallLogUnavailable)
        {
            // Answered at once: its record waits in memory until it can be made durable.
            recorder.Keep(record);
        }
        else
        {
            try
            {
                await recorder.RecordAsync(record).WaitAsync(options.PublishTimeout + DurableMargin);
            }
            catch (TimeoutException)
            {
                // The record stays queued and is stored when it can (with the outcome the code
                // reached); the caller learns that the call is not logged yet.
                var unavailable = StatusTable.For(CallOutcome.CallLogUnavailable);
                (httpStatus, answer, custom) = (unavailable.Status, unavailable.Message, null);
                recordLate = true;
            }
            catch (Exception) when (call.DedupKey is { } claimed)
            {
                // No record at all: the key goes back with the 503 the caller gets.
                await keeping;
                var unavailable = StatusTable.For(CallOutcome.CallLogUnavailable);
                await CompleteDedupAsync(call, services, claimed.Definition, claimed.Key, unavailable.Status, unavailable.Message, null);
                throw;
            }
        }

        call.Recorded = true;
        await keeping;
        if (call.DedupKey is { } released && recordLate && !callerGone && outcome != CallOutcome.Accepted)
        {
            // The key goes back: the caller gets 503 for a late record (an accepted async call
            // keeps its 202: its job is stored with the record).
            await CompleteDedupAsync(call, services, released.Definition, released.Key, httpStatus, answer, custom);
        }

        GatewayTelemetry.RecordWait.Record(Stopwatch.GetElapsedTime(recording).TotalSeconds);

        // Unmatched calls share one tag value: their paths are whatever callers send.
        var endpoint = new KeyValuePair<string, object?>("tower.webhook.endpoint", call.Webhook?.Definition.Endpoint ?? "");
        var statusCode = new KeyValuePair<string, object?>("http.response.status_code", httpStatus);
        GatewayTelemetry.Calls.Add(1, endpoint, statusCode);
        GatewayTelemetry.CallDuration.Record(Stopwatch.GetElapsedTime(call.Started).TotalSeconds, endpoint, statusCode);
        if (callerGone)
        {
            return;
        }

        var response = call.Context.Response;
        response.StatusCode = httpStatus;
        if (custom is not null)
        {
            foreach (var (name, value) in custom.ResponseHeaders)
            {
                response.Headers[name] = value;
            }
        }

        response.Headers[CallIdHeader] = call.Id.ToString();
        try
        {
            // 204, 205 and 304 carry no body.
            if (httpStatus is StatusCodes.Status204NoContent or StatusCodes.Status205ResetContent or StatusCodes.Status304NotModified)
            {
                return;
            }

            if (custom?.Body is { } body)
            {
                response.ContentType = custom.ContentType ?? CustomBodyContentType;
                await response.WriteAsync(body, call.Context.RequestAborted);
            }
            else
            {
                await response.WriteAsJsonAsync(new { message = answer }, call.Context.RequestAborted);
            }
        }
        catch (Exception) when (call.Context.RequestAborted.IsCancellationRequested)
        {
            // The caller left between the record and the answer: nothing more to do.
        }
    }

    /// <summary>
    /// Keeps the answer of a call that held a dedup key (a 2xx, for the window) or releases the
    /// key. If the store cannot be told, the key's claim runs out by itself (the code's limit plus 30 s).
    /// </summary>
    private static async Task CompleteDedupAsync(CallState call, IServiceProvider services, DedupDefinition dedup, string key,
        int status, string message, ScriptOutcome? custom)
    {
        try
        {
            await services.GetRequiredService<DedupClient>().CompleteAsync(new DedupCompletion
            {
                Webhook = call.Webhook!.Definition.Reference,
                Key = key,
                CallId = call.Id,
                WindowSeconds = dedup.WindowSeconds ?? DedupDefinition.DefaultWindowSeconds,
                Answer = new DedupAnswer
                {
                    Status = status,
                    Message = message,
                    Body = custom?.Body,
                    ContentType = custom?.Body is null ? null : custom.ContentType ?? CustomBodyContentType,
                    Headers = custom?.ResponseHeaders ?? new Dictionary<string, string>(),
                },
            });
        }
        catch (DedupUnavailableException exception)
        {
            Log.DedupNotCompleted(Logger(services), call.Id, call.Endpoint, exception.Message);
        }
    }

    /// <summary>The first characters of a body sent instead of a message, for the log's <c>result_message</c>.</summary>
    public static string StartOf(string body)
    {
        if (body.Length <= LoggedBodyLength)
        {
            return body;
        }

        // Never split a surrogate pair.
        return body[..(char.IsHighSurrogate(body[LoggedBodyLength - 1]) ? LoggedBodyLength - 1 : LoggedBodyLength)];
    }

    /// <summary>What one call has gathered on its way through the steps.</summary>
    private sealed class CallState
    {
        public CallState(HttpContext context)
        {
            Context = context;
            Started = Stopwatch.GetTimestamp();
            ReceivedAt = DateTimeOffset.UtcNow;
            Id = Guid.CreateVersion7(ReceivedAt);
            PeerIp = Tower.Contracts.Networking.IpRangeList.Normalize(context.Connection.RemoteIpAddress ?? IPAddress.IPv6None);
            ClientIp = PeerIp;
            var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "";
            var question = rawTarget.IndexOf('?');
            var rawPath = question < 0 ? rawTarget : rawTarget[..question];
            Endpoint = rawPath.StartsWith(Prefix + "/", StringComparison.Ordinal) ? rawPath[(Prefix.Length + 1)..] : "";
            Query = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, values) in context.Request.Query)
            {
                Query[name] = values.FirstOrDefault() ?? "";
            }
        }

        public HttpContext Context { get; }
        public long Started { get; }
        public DateTimeOffset ReceivedAt { get; }
        public Guid Id { get; }
        public IPAddress PeerIp { get; }
        public IPAddress ClientIp { get; set; }
        public string Endpoint { get; }
        /// <summary>The query string's fields, the first value of a repeated key.</summary>
        public Dictionary<string, string> Query { get; }
        public BodyBuffer Buffer { get; } = new();

        /// <summary>The dedup key this call holds (it runs the code for it), if any.</summary>
        public (DedupDefinition Definition, string Key)? DedupKey { get; set; }

        /// <summary>The call whose answer this duplicate got again.</summary>
        public Guid? DuplicateOf { get; set; }

        /// <summary>An accepted async call's request, sealed: its record carries it to the schedule.</summary>
        public byte[]? QueuedRequest { get; set; }

        /// <summary>What differs for a test or a replay; null for a request to the public route.</summary>
        public RunOverrides? Overrides { get; init; }

        /// <summary>The concurrency slot the call holds (step 7), if its webhook limits concurrency.</summary>
        public ConcurrencySlots.Slot? Slot { get; set; }
        public LiveWebhook? Webhook { get; set; }
        public string? PayloadJson { get; set; }
        public string? Error { get; set; }
        /// <summary>Whether the caller passed the authenticator (its code, if any, allowed the call).</summary>
        public bool Authenticated { get; set; }
        /// <summary>Whether the call's record is durable: from then on the call is never recorded again.</summary>
        public bool Recorded { get; set; }
        private readonly List<string> _scriptLog = [];

        public void AddOutcome(ScriptOutcome outcome)
        {
            _scriptLog.AddRange(outcome.Log);
            if (!string.IsNullOrEmpty(outcome.Error))
            {
                Error = outcome.Error;
            }
        }

        /// <summary>The request headers (repeated ones joined with ", "), built once per call.</summary>
        public Dictionary<string, string> Headers => _headers ??= ReadHeaders();

        private Dictionary<string, string>? _headers;

        private Dictionary<string, string> ReadHeaders()
        {
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (name, values) in Context.Request.Headers)
            {
                headers[name] = values.ToString();
            }

            return headers;
        }

        public ScriptInvocation Invocation(string codeHash, string owner, int timeoutMs, byte[] body,
            IReadOnlyDictionary<string, string> variables, IReadOnlyDictionary<string, string> secrets) => new()
        {
            CallId = Id,
            CodeHash = codeHash,
            Owner = owner,
            TimeoutMs = timeoutMs,
            Body = body,
            PayloadJson = PayloadJson ?? "{}",
            Headers = Headers,
            Query = Query,
            Variables = variables,
            Secrets = secrets,
            // A webhook with a max_concurrency of its own is bounded by it alone (spec §14).
            Share = Webhook is { Definition.MaxConcurrency: null } webhook ? webhook.Definition.Reference : "",
            RunAsUser = Webhook?.Definition.RunAsUser ?? "",
            RunAsGroup = Webhook?.Definition.RunAsGroup ?? "",
        };

        public WebhookCallRecord ToRecord(int status, string message, string authenticationStatus, string codeStatus, GatewayOptions options)
        {
            var request = LoggedRequest.Of(Headers, Query, PayloadJson, Buffer.Span, Webhook?.SecretValues, options);
            if (request.Failure is { } failure)
            {
                Error = $"{Error}{(Error is null ? "" : " ")}{failure}";
            }

            return new WebhookCallRecord
            {
                Id = Id,
                CreatedAt = ReceivedAt,
                Webhook = Webhook?.Definition.Reference ?? "",
                Authenticator = Webhook?.Authenticator.Reference ?? "",
                Endpoint = Endpoint,
                RequestMethod = Context.Request.Method,
                RequestHeaders = request.Headers,
                RequestQuery = request.Query,
                RequestPayload = request.Payload,
                PayloadIsJson = request.PayloadIsJson,
                AuthenticationStatus = authenticationStatus,
                CodeStatus = codeStatus,
                HttpStatus = status,
                ResultMessage = Clean(message),
                ErrorMessage = Clean(Error ?? ""),
                ScriptLog = Clean(string.Join('\n', _scriptLog)),
                IpAddress = ClientIp.ToString(),
                PeerIp = PeerIp.ToString(),
                RunAsUser = Webhook?.Definition.RunAsUser ?? "",
                DurationMs = Stopwatch.GetElapsedTime(Started).TotalMilliseconds,
                Source = Overrides?.Source ?? CallSource.Call,
                ReplayOf = Overrides?.ReplayOf,
                DuplicateOf = DuplicateOf,
                QueuedRequest = QueuedRequest,
            };
        }

        private static string Clean(string text) => LoggedRequest.Clean(text);
    }
}
