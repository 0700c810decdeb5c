namespace Tower.Contracts.Configuration;

/// <summary>
/// An authenticator's signature verifier (spec §11, §14), as the Admin API shows it and the
/// gateway receives it: the options sit flat, those the kind does not use are null, and the
/// defaults of those it uses are filled in. Secrets are references, never values.
/// </summary>
public sealed record VerifierDefinition
{
    /// <summary><c>github</c>, <c>stripe</c>, <c>shopify</c>, <c>slack</c>, <c>standard_webhooks</c> or <c>hmac</c>.</summary>
    public string? Kind { get; init; }

    /// <summary>The reference of the secret that signs.</summary>
    public string? Secret { get; init; }

    /// <summary>A second secret also accepted, so that a secret can be rotated without refusing calls.</summary>
    public string? SecondarySecret { get; init; }

    /// <summary>How far a signed timestamp may be from now, in seconds (kinds with a timestamp; default 300).</summary>
    public int? ToleranceSeconds { get; init; }

    /// <summary><c>hmac</c>: the header that carries the signature.</summary>
    public string? Header { get; init; }

    /// <summary><c>hmac</c>: <c>sha1</c>, <c>sha256</c> (default) or <c>sha512</c>.</summary>
    public string? Algorithm { get; init; }

    /// <summary><c>hmac</c>: <c>hex</c> (default) or <c>base64</c>.</summary>
    public string? Encoding { get; init; }

    /// <summary><c>hmac</c>: text before the signature in its header, such as <c>sha256=</c> (default empty).</summary>
    public string? Prefix { get; init; }

    /// <summary><c>hmac</c>: the header with the Unix time signed as <c>&lt;ts&gt;.&lt;body&gt;</c>; none signs the body alone.</summary>
    public string? TimestampHeader { get; init; }
}
