using Tower.Contracts.Calls;
using Tower.Contracts.Scripts;

namespace Tower.Gateway.Webhooks;

/// <summary>
/// The contract's status table (webhooks.md §3) in one place: what each outcome answers and
/// records. A row's message is the default; the authenticator's and the webhook's code may give
/// their own (and the authenticator its status, within 400-599), as the contract says.
/// </summary>
internal static class StatusTable
{
    private const string Failed = CallStatus.Failed;
    private const string Skipped = CallStatus.Skipped;
    private const string Success = CallStatus.Success;

    /// <summary>The status recorded for a call whose caller left before the answer (no answer is sent).</summary>
    public const int CallerDisconnectedStatus = 499;

    public const string CallerDisconnectedMessage = "Caller disconnected";

    private static readonly StatusRow[] Rows = Build();

    public static StatusRow For(CallOutcome outcome) => Rows[(int)outcome];

    /// <summary>How the webhook's code ended, as a row of the table.</summary>
    public static CallOutcome OfWebhookCode(ScriptOutcome result) => result.Status switch
    {
        ScriptRunStatus.TimedOut => CallOutcome.WebhookCodeTimedOut,
        ScriptRunStatus.Failed => CallOutcome.WebhookCodeError,
        _ when result.ExitCode != 0 => CallOutcome.WebhookCodeFailed,
        _ => CallOutcome.Succeeded,
    };

    private static StatusRow[] Build()
    {
        var rows = new Dictionary<CallOutcome, StatusRow>
        {
            [CallOutcome.PayloadTooLarge] = new(413, "Payload too large", Failed, Skipped),
            [CallOutcome.RequestBodyTimeout] = new(408, "Request body timeout", Failed, Skipped),
            // A body the server cannot read as HTTP (broken chunked encoding): no row of its own in the contract.
            [CallOutcome.InvalidRequestBody] = new(400, "Invalid request body", Failed, Skipped),
            // The caller left while its body was still arriving; a caller that leaves later keeps
            // the outcome reached, recorded with 499 (see WebhookEndpoint.FinishAsync).
            [CallOutcome.CallerDisconnected] = new(CallerDisconnectedStatus, CallerDisconnectedMessage, Failed, Skipped),
            [CallOutcome.ConfigurationNotLoaded] = new(503, "Configuration not loaded", Failed, Skipped),
            // Records can be made durable nowhere (spec §6): refused before any code runs.
            [CallOutcome.CallLogUnavailable] = new(503, "Call log unavailable", Failed, Skipped),
            [CallOutcome.WebhookNotFound] = new(404, "Webhook not found", Failed, Skipped),
            [CallOutcome.AddressNotAllowed] = new(403, "Address not allowed", Failed, Skipped),
            [CallOutcome.LockedOut] = new(429, "Too many failed attempts", Failed, Skipped),
            [CallOutcome.RateLimited] = new(429, "Too many requests", Failed, Skipped),
            [CallOutcome.NoConcurrencySlot] = new(429, "Too many concurrent calls", Failed, Skipped),
            [CallOutcome.InvalidPayload] = new(400, PayloadParser.InvalidJson, Failed, Skipped),
            [CallOutcome.InvalidSignature] = new(401, "Invalid signature", Failed, Skipped),
            [CallOutcome.SignatureExpired] = new(401, "Signature expired", Failed, Skipped),
            [CallOutcome.AuthenticationNotAllowed] = new(403, "Authentication not allowed", Failed, Skipped),
            [CallOutcome.AuthenticationCodeError] = new(403, "Authentication code error", Failed, Skipped),
            [CallOutcome.AuthenticationCodeTimedOut] = new(403, "Authentication code timed out", Failed, Skipped),
            [CallOutcome.AuthenticationUnavailable] = new(503, "Authentication service unavailable", Failed, Skipped),
            // Dedup's answers (spec §10, §14): the caller was authenticated, the code did not run.
            [CallOutcome.DeduplicationUnavailable] = new(503, "Deduplication unavailable", Success, Skipped),
            [CallOutcome.DuplicateInProgress] = new(409, "Duplicate call in progress", Success, Skipped),
            [CallOutcome.DuplicateReplayed] = new(200, "OK", Success, Skipped),
            // An async call, durable with its request: its code runs in the attempts that follow (spec §10).
            [CallOutcome.Accepted] = new(202, "Accepted", Success, CallStatus.Queued),
            [CallOutcome.Succeeded] = new(200, "OK", Success, Success),
            [CallOutcome.WebhookCodeFailed] = new(500, "Webhook code failed", Success, Failed),
            [CallOutcome.WebhookCodeError] = new(500, "Webhook code execution error", Success, Failed),
            [CallOutcome.WebhookCodeTimedOut] = new(504, "Webhook code timed out", Success, Failed),
            [CallOutcome.ExecutorUnavailable] = new(503, "Executor unavailable", Success, Failed),
            // Whatever fails unexpectedly: the caller learns nothing of it, the log holds the error.
            [CallOutcome.FailedBeforeWebhookCode] = new(500, "Internal error", Failed, Skipped),
            [CallOutcome.FailedInWebhookCode] = new(500, "Internal error", Success, Failed),
        };
        return [.. Enum.GetValues<CallOutcome>().Select(outcome => rows[outcome])];
    }
}
