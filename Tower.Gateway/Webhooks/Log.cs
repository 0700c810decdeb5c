
namespace Tower.Gateway.Webhooks;

internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Call {CallId} to {Endpoint}: the {Service} service is unavailable, answered 503: {Reason}")]
    public static partial void ScriptServiceUnavailable(ILogger logger, Guid callId, string service, string endpoint, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call {CallId} to {Endpoint}: the dedup store could not be told how the call ended; its key is free again when its claim runs out: {Reason}")]
    public static partial void DedupNotCompleted(ILogger logger, Guid callId, string endpoint, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Call {CallId} to {Endpoint} could not be recorded and was answered 503")]
    public static partial void CallNotRecorded(ILogger logger, Guid callId, string endpoint, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Call {CallId} to {Endpoint} failed unexpectedly and was answered 500")]
    public static partial void CallFailed(ILogger logger, Guid callId, string endpoint, Exception exception);
}
