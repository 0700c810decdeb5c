namespace Tower.Scripting;

// The members below are the names scripts use, so they follow the spec's style, not .NET naming.
#pragma warning disable IDE1006

/// <summary>
/// The <c>http</c> global of webhook code. The worker process that runs the script has no
/// network: each request goes to the service that owns the worker (<see cref="Transport"/>),
/// which checks every address after name resolution and on every redirect, caps the answer and
/// bounds it by the script's deadline (<see cref="OutboundHttp"/>).
/// </summary>
public sealed class ScriptHttp
{
    /// <summary>Where this process sends its scripts' requests (the worker sets its pipe to the service).</summary>
    internal static IScriptHttpTransport? Transport { get; set; }

    public Task<ScriptHttpResponse> get(string url, IReadOnlyDictionary<string, string>? headers = null) =>
        send("GET", url, null, null, headers);

    public Task<ScriptHttpResponse> post(string url, string body, string content_type = "application/json",
        IReadOnlyDictionary<string, string>? headers = null) =>
        send("POST", url, body, content_type, headers);

    public async Task<ScriptHttpResponse> send(string method, string url, string? body = null, string? content_type = null,
        IReadOnlyDictionary<string, string>? headers = null)
    {
        var transport = Transport ?? throw new ScriptHttpException("Outbound HTTP is not available here.");

        // A request the script does not await is work left running when the call ends.
        ScriptGuard.Enter();
        try
        {
            var remaining = ScriptGuard.Remaining();
            using var deadline = new CancellationTokenSource(remaining);
            return await transport.SendAsync(new ScriptHttpRequest(method, url, body, content_type, headers ?? ScriptGlobals.EmptyMap, remaining), deadline.Token);
        }
        finally
        {
            ScriptGuard.Exit();
        }
    }
}
