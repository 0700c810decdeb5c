namespace Tower.Scripting;

/// <summary>One request of a script's <c>http</c> global, bounded by what is left of the script's time.</summary>
internal sealed record ScriptHttpRequest(
    string Method, string Url, string? Body, string? ContentType, IReadOnlyDictionary<string, string> Headers, TimeSpan Timeout);
