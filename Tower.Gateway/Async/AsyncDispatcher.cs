using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Tower.Contracts.Async;
using Tower.Contracts.Calls;
using Tower.Contracts.Configuration;
using Tower.Contracts.Scripts;
using Tower.Gateway.Calls;
using Tower.Gateway.Configuration;
using Tower.Gateway.Infrastructure;
using Tower.Gateway.Traffic;
using Tower.Gateway.Webhooks;

namespace Tower.Gateway.Async;

/// <summary>
/// Runs the attempts of accepted async calls (spec §10, §14). Every replica leases due attempts
/// from the schedule in Logging's database (competing consumers), runs each through the Executor
/// as a sync call would, records it (a record of its own, with <c>parent_id</c> and
/// <c>attempt</c>) and, once that record is durable, tells the schedule how it ended: done, due
/// again after the backoff, or dead. A replica that dies mid-attempt leaves its lease to run out:
/// the attempt runs again as the next one (at least once); each completion names its lease, so
/// one that comes after its lease ran out changes nothing. An attempt that finds no concurrency
/// slot did not run: it is due again a second later, with the same number. So is one whose
/// webhook this replica does not serve (disabled, deleted, or newer than its configuration), a
/// minute later: the call waits, it is not given up.
/// </summary>
public sealed partial class AsyncDispatcher(
    ConfigHolder config,
    AsyncClient schedule,
    AsyncRequestSeal seal,
    ConcurrencySlots slots,
    ExecutorClient executor,
    CallRecorder recorder,
    IOptions<GatewayOptions> options,
    ILogger<AsyncDispatcher> logger) : BackgroundService
{
    /// <summary>Attempts this replica runs at once.</summary>
    public const int MaxRunning = 16;

    /// <summary>
    /// How long a leased attempt stays this replica's: more than an attempt takes (the code's
    /// limit of at most 30 s and the hop's margin, a slot's wait, the record's confirmation or
    /// spill, the completion), so that only a replica that died loses its lease.
    /// </summary>
    private const int LeaseSeconds = 120;

    /// <summary>How long an attempt of a webhook this replica does not serve waits before it is leased again.</summary>
    private const int NotServedWaitSeconds = 60;

    private static readonly TimeSpan Idle = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan SlotWait = TimeSpan.FromSeconds(1);
    private const int NoSlotWaitSeconds = 1;

    private readonly SemaphoreSlim _running = new(MaxRunning, MaxRunning);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            if (!config.Loaded)
            {
                await Pause(Idle, stoppingToken);
                continue;
            }

            await _running.WaitAsync(stoppingToken);
            var held = 1;
            while (held < MaxRunning && _running.Wait(0))
            {
                held++;
            }

            IReadOnlyList<AsyncJob> jobs = [];
            try
            {
                jobs = await schedule.LeaseAsync(new AsyncLease { Max = held, LeaseSeconds = LeaseSeconds }, stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // Whatever failed (Logging down, an answer it could not read), the loop goes on:
                // the gateway keeps serving calls, and the jobs wait in the schedule.
                LogLeaseFailed(logger, exception.Message);
            }
            finally
            {
                if (held > jobs.Count)
                {
                    _running.Release(held - jobs.Count);
                }
            }

            foreach (var job in jobs)
            {
                _ = RunAsync(job);
            }

            if (jobs.Count == 0)
            {
                await Pause(Idle, stoppingToken);
            }
            else if (jobs.Count < held)
            {
                // Fewer due than there was room for: the rest are not due yet.
                await Pause(Idle, stoppingToken);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // Attempts under way end (and are recorded) before the gateway does, as far as the host waits.
        for (var slot = 0; slot < MaxRunning; slot++)
        {
            try
            {
                await _running.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static Task Pause(TimeSpan delay, CancellationToken stoppingToken) =>
        Task.Delay(delay, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);

    private async Task RunAsync(AsyncJob job)
    {
        try
        {
            await AttemptAsync(job);
        }
        catch (Exception exception)
        {
            // Its lease runs out and the attempt runs again: nothing is lost.
            LogAttemptFailed(logger, job.CallId, job.Attempt, exception);
        }
        finally
        {
            _running.Release();
        }
    }

    private async Task AttemptAsync(AsyncJob job)
    {
        var started = Stopwatch.GetTimestamp();
        var createdAt = DateTimeOffset.UtcNow;
        var attempt = new Attempt(job, createdAt);
        AsyncRequest request;
        try
        {
            request = seal.Open(job.Request, job.CallId);
        }
        catch (Exception exception) when (exception is CryptographicException or JsonException)
        {
            // Sealed with another secrets key (it changed while the call waited), or damaged: it can never run.
            attempt.Error = $"The queued request cannot be opened ({exception.Message}); the call cannot run.";
            await EndAsync(attempt, null, null, CallOutcome.FailedInWebhookCode, started, dead: true);
            return;
        }

        if (config.Current.Find(job.Webhook) is not { } webhook)
        {
            LogNotServed(logger, job.CallId, job.Webhook, NotServedWaitSeconds);
            await ReleaseAsync(job, NotServedWaitSeconds);
            return;
        }

        attempt.Request = request;

        using var slot = webhook.Definition.MaxConcurrency is { } maxConcurrency
            ? await slots.TakeAsync(webhook.Definition.Reference, maxConcurrency, SlotWait)
            : null;
        if (webhook.Definition.MaxConcurrency is not null && slot is null)
        {
            await ReleaseAsync(job, NoSlotWaitSeconds);
            return;
        }

        ScriptOutcome? result = null;
        CallOutcome outcome;
        if (webhook.Definition.CodeHash is not { } codeHash)
        {
            outcome = CallOutcome.Succeeded;
        }
        else
        {
            try
            {
                result = await executor.RunAsync(Invocation(job, request, webhook, codeHash));
                if (result.Status == ScriptRunStatus.ShareInUse)
                {
                    await ReleaseAsync(job, NoSlotWaitSeconds);
                    return;
                }

                outcome = StatusTable.OfWebhookCode(result);
            }
            catch (ScriptServiceUnavailableException exception)
            {
                attempt.Error = exception.Message;
                outcome = CallOutcome.ExecutorUnavailable;
            }
        }

        var retry = webhook.Definition.Retry ?? new RetryDefinition();
        var inSet = job.Attempt - job.SetStart + 1;
        var failed = outcome != CallOutcome.Succeeded;
        var dead = failed && inSet >= (retry.MaxAttempts ?? RetryDefinition.DefaultMaxAttempts);
        if (result is not null && !string.IsNullOrEmpty(result.Error))
        {
            attempt.Error = result.Error;
        }

        if (dead)
        {
            // What made the last attempt fail follows for an exception or a timeout (spec §14).
            var cause = outcome switch
            {
                CallOutcome.WebhookCodeTimedOut => StatusTable.For(outcome).Message,
                CallOutcome.WebhookCodeError => attempt.Error,
                _ => null,
            };
            attempt.Error = $"Gave up after {inSet} attempts{(string.IsNullOrEmpty(cause) ? "" : ": " + cause)}";
        }

        var wait = failed && !dead ? RetryDefinition.WaitAfter(inSet, retry.BackoffSeconds ?? RetryDefinition.DefaultBackoffSeconds) : TimeSpan.Zero;
        await EndAsync(attempt, webhook, result, outcome, started, dead, wait);
    }

    /// <summary>Records the attempt, waits until the record is durable, then tells the schedule how it ended.</summary>
    private async Task EndAsync(Attempt attempt, LiveWebhook? webhook, ScriptOutcome? result, CallOutcome outcome, long started, bool dead,
        TimeSpan wait = default)
    {
        var row = StatusTable.For(outcome);
        var completed = result?.Status == ScriptRunStatus.Completed;
        // The code's own message and status are recorded (not sent: the caller had its 202, spec §13).
        var message = completed && !string.IsNullOrEmpty(result!.Message) ? result.Message
            : completed && result!.Body is { } body ? WebhookEndpoint.StartOf(body)
            : row.Message;
        var request = attempt.Request;
        var logged = request is null
            ? new LoggedRequest("{}", "{}", "", false, null)
            : LoggedRequest.Of(request.Headers, request.Query, request.PayloadJson, request.Body, webhook?.SecretValues, options.Value);
        var error = attempt.Error ?? "";
        if (logged.Failure is { } failure)
        {
            error = $"{error}{(error.Length == 0 ? "" : " ")}{failure}";
        }

        await recorder.RecordAsync(new WebhookCallRecord
        {
            Id = Guid.CreateVersion7(attempt.CreatedAt),
            CreatedAt = attempt.CreatedAt,
            Webhook = attempt.Job.Webhook,
            Authenticator = webhook?.Authenticator.Reference ?? "",
            Endpoint = request?.Endpoint ?? "",
            RequestMethod = request?.Method ?? "",
            RequestHeaders = logged.Headers,
            RequestQuery = logged.Query,
            RequestPayload = logged.Payload,
            PayloadIsJson = logged.PayloadIsJson,
            AuthenticationStatus = row.AuthenticationStatus,
            CodeStatus = row.CodeStatus,
            HttpStatus = completed ? result!.StatusCode ?? row.Status : row.Status,
            ResultMessage = LoggedRequest.Clean(message),
            ErrorMessage = LoggedRequest.Clean(error),
            ScriptLog = LoggedRequest.Clean(string.Join('\n', result?.Log ?? [])),
            IpAddress = request?.ClientIp ?? "",
            PeerIp = request?.PeerIp ?? "",
            RunAsUser = webhook?.Definition.RunAsUser ?? "",
            DurationMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds,
            Source = attempt.Job.Source,
            ParentId = attempt.Job.CallId,
            Attempt = attempt.Job.Attempt,
        });

        var ending = outcome == CallOutcome.Succeeded ? AsyncCompletion.Done : dead ? AsyncCompletion.Dead : AsyncCompletion.Again;
        GatewayTelemetry.AsyncAttempts.Add(1, new KeyValuePair<string, object?>("tower.async.outcome",
            ending switch { AsyncCompletion.Done => "success", AsyncCompletion.Dead => "dead", _ => "failed" }));
        if (dead)
        {
            LogDead(logger, attempt.Job.CallId, attempt.Job.Webhook, attempt.Job.Attempt);
        }

        await CompleteAsync(attempt.Job, new AsyncCompletion
        {
            CallId = attempt.Job.CallId,
            LeaseId = attempt.Job.LeaseId,
            Attempt = attempt.Job.Attempt,
            Outcome = ending,
            WaitSeconds = (int)Math.Ceiling(wait.TotalSeconds),
        });
    }

    /// <summary>The attempt did not run: due again after <paramref name="waitSeconds"/>, with the same number.</summary>
    private Task ReleaseAsync(AsyncJob job, int waitSeconds) => CompleteAsync(job, new AsyncCompletion
    {
        CallId = job.CallId,
        LeaseId = job.LeaseId,
        Attempt = job.Attempt,
        Outcome = AsyncCompletion.Released,
        WaitSeconds = waitSeconds,
    });

    /// <summary>
    /// Tells the schedule, again and again while the lease lasts; if it never hears, the lease runs
    /// out and the attempt runs again (at least once).
    /// </summary>
    private async Task CompleteAsync(AsyncJob job, AsyncCompletion completion)
    {
        var leaseEnds = job.LeasedAt + TimeSpan.FromSeconds(LeaseSeconds);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var timeout = new CancellationTokenSource(AsyncClient.Timeout);
                await schedule.CompleteAsync(completion, timeout.Token);
                return;
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException && DateTimeOffset.UtcNow < leaseEnds)
            {
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 5)));
            }
        }
    }

    private static ScriptInvocation Invocation(AsyncJob job, AsyncRequest request, LiveWebhook webhook, string codeHash) => new()
    {
        // The attempt's code sees the accepted call's id, as a sync call's code sees its own.
        CallId = job.CallId,
        CodeHash = codeHash,
        Owner = webhook.Definition.Reference,
        Share = webhook.Definition.MaxConcurrency is null ? webhook.Definition.Reference : "",
        TimeoutMs = webhook.Definition.TimeoutMs,
        Body = request.Body,
        PayloadJson = request.PayloadJson,
        Headers = new Dictionary<string, string>(request.Headers, StringComparer.OrdinalIgnoreCase),
        Query = request.Query,
        Variables = webhook.Variables,
        Secrets = webhook.Secrets,
        RunAsUser = webhook.Definition.RunAsUser,
        RunAsGroup = webhook.Definition.RunAsGroup,
    };

    /// <summary>What one attempt has gathered on its way.</summary>
    private sealed class Attempt(AsyncJob job, DateTimeOffset createdAt)
    {
        public AsyncJob Job { get; } = job;
        public DateTimeOffset CreatedAt { get; } = createdAt;
        public AsyncRequest? Request { get; set; }
        public string? Error { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Leasing async attempts from the schedule (Logging) failed; trying again in 2 s: {Reason}")]
    private static partial void LogLeaseFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Attempt {Attempt} of async call {CallId} failed in the gateway; it runs again when its lease runs out")]
    private static partial void LogAttemptFailed(ILogger logger, Guid callId, int attempt, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Async call {CallId} waits: this replica does not serve webhook {Webhook} (disabled, deleted, or newer than its configuration); leased again in {Seconds} s")]
    private static partial void LogNotServed(ILogger logger, Guid callId, string webhook, int seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Async call {CallId} to webhook {Webhook} is dead after attempt {Attempt}; POST /api/webhook-logs/<its id>/retry queues it again")]
    private static partial void LogDead(ILogger logger, Guid callId, string webhook, int attempt);
}
