namespace Tower.Scripting;

/// <summary>Refused or failed outbound HTTP: a forbidden address, a scheme, a size, a redirect loop, a network error.</summary>
public sealed class ScriptHttpException(string message) : Exception(message);
