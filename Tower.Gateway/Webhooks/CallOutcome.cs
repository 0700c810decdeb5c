namespace Tower.Gateway.Webhooks;

/// <summary>Where a call ended, one value per row of the contract's status table and its further outcomes (webhooks.md §3).</summary>
internal enum CallOutcome
{
    PayloadTooLarge,
    RequestBodyTimeout,
    InvalidRequestBody,
    CallerDisconnected,
    ConfigurationNotLoaded,
    CallLogUnavailable,
    WebhookNotFound,
    AddressNotAllowed,
    LockedOut,
    RateLimited,
    InvalidPayload,
    NoConcurrencySlot,
    InvalidSignature,
    SignatureExpired,
    AuthenticationNotAllowed,
    AuthenticationCodeError,
    AuthenticationCodeTimedOut,
    AuthenticationUnavailable,
    DeduplicationUnavailable,
    DuplicateInProgress,
    DuplicateReplayed,
    Succeeded,
    WebhookCodeFailed,
    WebhookCodeError,
    WebhookCodeTimedOut,
    ExecutorUnavailable,
    FailedBeforeWebhookCode,
    FailedInWebhookCode,
}
