namespace Tower.Admin.Runs;

/// <summary>
/// <c>POST /api/webhooks/{reference}/test</c> (spec §12): the request to run, and draft code to
/// run instead of the saved code. <see cref="Body"/> and <see cref="BodyBase64"/> exclude each other.
/// </summary>
public sealed record TestInput
{
    public IReadOnlyDictionary<string, string>? Headers { get; init; }
    public IReadOnlyDictionary<string, string>? Query { get; init; }
    public string? Body { get; init; }
    public string? BodyBase64 { get; init; }

    /// <summary>The client address as given (default 127.0.0.1); no proxy rules apply.</summary>
    public string? ClientIp { get; init; }

    /// <summary>Draft webhook code to run instead of the saved code.</summary>
    public string? Code { get; init; }

    /// <summary>Draft authenticator code to run instead of the saved code.</summary>
    public string? AuthenticatorCode { get; init; }
}
