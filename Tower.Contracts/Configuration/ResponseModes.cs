namespace Tower.Contracts.Configuration;

/// <summary>The values of a webhook's <c>response_mode</c> (spec §10).</summary>
public static class ResponseModes
{
    /// <summary>The caller waits for the code and gets its answer (the default).</summary>
    public const string Sync = "sync";

    /// <summary>The caller gets 202 once the call is durable; the code runs later, retried on failure.</summary>
    public const string Async = "async";
}
