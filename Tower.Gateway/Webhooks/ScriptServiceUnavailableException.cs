
namespace Tower.Gateway.Webhooks;

/// <summary>The service behind a script hop could not be reached or did not answer in time.</summary>
public sealed class ScriptServiceUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
