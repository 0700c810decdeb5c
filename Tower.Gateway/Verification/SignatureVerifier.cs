using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Tower.Contracts.Configuration;

namespace Tower.Gateway.Verification;

/// <summary>
/// Checks a provider's signature on a call (spec §11) with the authenticator's secret or its
/// secondary one, each scheme as its provider publishes it. Comparison is constant-time, on the
/// decoded bytes. The signature is checked before the timestamp, so a caller without the secret
/// learns nothing but <see cref="SignatureCheck.Invalid"/>. A verifier whose secrets could not
/// be resolved refuses every call.
/// </summary>
public sealed class SignatureVerifier
{
    private readonly VerifierDefinition _definition;
    private readonly byte[][] _keys;
    private readonly HashAlgorithmName _algorithm;
    private readonly TimeProvider _time;

    public SignatureVerifier(VerifierDefinition definition, IEnumerable<string> secretValues, TimeProvider time)
    {
        _definition = definition;
        _time = time;
        _algorithm = definition.Algorithm switch
        {
            "sha1" => HashAlgorithmName.SHA1,
            "sha512" => HashAlgorithmName.SHA512,
            _ => HashAlgorithmName.SHA256,
        };
        _keys = [.. secretValues.Select(KeyOf).OfType<byte[]>()];
    }

    public TimeSpan Tolerance => TimeSpan.FromSeconds(_definition.ToleranceSeconds ?? VerifierKinds.DefaultToleranceSeconds);

    public SignatureCheck Check(IHeaderDictionary headers, ReadOnlySpan<byte> body) => _definition.Kind switch
    {
        VerifierKinds.GitHub => CheckPlain(Prefixed(headers["X-Hub-Signature-256"], "sha256="), hex: true, body),
        VerifierKinds.Shopify => CheckPlain(headers["X-Shopify-Hmac-Sha256"].ToString(), hex: false, body),
        VerifierKinds.Stripe => CheckStripe(headers["Stripe-Signature"].ToString(), body),
        VerifierKinds.Slack => CheckTimestamped(headers["X-Slack-Request-Timestamp"].ToString(),
            [Prefixed(headers["X-Slack-Signature"], "v0=")], hex: true, body, "v0:", ":"),
        VerifierKinds.StandardWebhooks => CheckStandardWebhooks(headers, body),
        VerifierKinds.Hmac when string.IsNullOrEmpty(_definition.TimestampHeader) =>
            CheckPlain(Prefixed(headers[_definition.Header ?? ""], _definition.Prefix ?? ""), _definition.Encoding != "base64", body),
        VerifierKinds.Hmac => CheckTimestamped(headers[_definition.TimestampHeader!].ToString(),
            [Prefixed(headers[_definition.Header ?? ""], _definition.Prefix ?? "")], _definition.Encoding != "base64", body, "", "."),
        _ => SignatureCheck.Invalid,
    };

    private SignatureCheck CheckPlain(string? signature, bool hex, ReadOnlySpan<byte> body) =>
        Matches([signature], hex, [], body) ? SignatureCheck.Valid : SignatureCheck.Invalid;

    /// <summary><c>t=&lt;unix&gt;,v1=&lt;hex&gt;[,v1=…]</c>, signing <c>&lt;t&gt;.&lt;body&gt;</c>.</summary>
    private SignatureCheck CheckStripe(string header, ReadOnlySpan<byte> body)
    {
        string? timestamp = null;
        var signatures = new List<string?>();
        foreach (var part in header.Split(',', StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=');
            if (equals <= 0)
            {
                continue;
            }

            var (key, value) = (part[..equals], part[(equals + 1)..]);
            if (key == "t")
            {
                timestamp = value;
            }
            else if (key == "v1")
            {
                signatures.Add(value);
            }
        }

        return CheckTimestamped(timestamp, signatures, hex: true, body, "", ".");
    }

    /// <summary><c>webhook-signature: v1,&lt;base64&gt; …</c>, signing <c>&lt;id&gt;.&lt;ts&gt;.&lt;body&gt;</c>.</summary>
    private SignatureCheck CheckStandardWebhooks(IHeaderDictionary headers, ReadOnlySpan<byte> body)
    {
        var id = headers["webhook-id"].ToString();
        if (id.Length == 0)
        {
            return SignatureCheck.Invalid;
        }

        var signatures = headers["webhook-signature"].ToString()
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Where(entry => entry.StartsWith("v1,", StringComparison.Ordinal))
            .Select(entry => (string?)entry[3..])
            .ToList();
        return CheckTimestamped(headers["webhook-timestamp"].ToString(), signatures, hex: false, body, id + ".", ".");
    }

    /// <summary>
    /// A signature over <c>&lt;before&gt;&lt;timestamp&gt;&lt;after&gt;&lt;body&gt;</c>; a timestamp
    /// in Unix seconds further than the tolerance from now, either way, is expired.
    /// </summary>
    private SignatureCheck CheckTimestamped(string? timestamp, IReadOnlyList<string?> signatures, bool hex, ReadOnlySpan<byte> body,
        string before, string after)
    {
        if (string.IsNullOrEmpty(timestamp) || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return SignatureCheck.Invalid;
        }

        if (!Matches(signatures, hex, Encoding.UTF8.GetBytes(before + timestamp + after), body))
        {
            return SignatureCheck.Invalid;
        }

        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        return Math.Abs((double)now - seconds) > Tolerance.TotalSeconds ? SignatureCheck.Expired : SignatureCheck.Valid;
    }

    /// <summary>Whether any of the signatures is the HMAC of <paramref name="signed"/> and the body under any key.</summary>
    private bool Matches(IReadOnlyList<string?> signatures, bool hex, ReadOnlySpan<byte> signed, ReadOnlySpan<byte> body)
    {
        var decoded = signatures.Select(signature => Decode(signature, hex)).OfType<byte[]>().ToList();
        if (decoded.Count == 0)
        {
            return false;
        }

        var found = false;
        Span<byte> expected = stackalloc byte[64];
        foreach (var key in _keys)
        {
            using var hmac = IncrementalHash.CreateHMAC(_algorithm, key);
            hmac.AppendData(signed);
            hmac.AppendData(body);
            var length = hmac.GetHashAndReset(expected);
            foreach (var signature in decoded)
            {
                // Every candidate is compared, whatever matched before: the time taken says nothing.
                found |= CryptographicOperations.FixedTimeEquals(signature, expected[..length]);
            }
        }

        return found;
    }

    private static byte[]? Decode(string? signature, bool hex)
    {
        if (string.IsNullOrEmpty(signature))
        {
            return null;
        }

        if (!hex)
        {
            var buffer = new byte[signature.Length];
            return Convert.TryFromBase64String(signature, buffer, out var written) ? buffer[..written] : null;
        }

        try
        {
            return Convert.FromHexString(signature);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>A header's value after its required prefix; null when it is missing or lacks the prefix.</summary>
    private static string? Prefixed(Microsoft.Extensions.Primitives.StringValues header, string prefix)
    {
        var value = header.ToString();
        return value.StartsWith(prefix, StringComparison.Ordinal) ? value[prefix.Length..] : null;
    }

    /// <summary>The HMAC key a secret gives: its UTF-8 bytes, or a Standard Webhooks secret's base64 key after <c>whsec_</c>.</summary>
    private byte[]? KeyOf(string secret)
    {
        if (_definition.Kind != VerifierKinds.StandardWebhooks)
        {
            return secret.Length == 0 ? null : Encoding.UTF8.GetBytes(secret);
        }

        if (!secret.StartsWith(VerifierKinds.StandardWebhooksSecretPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var encoded = secret[VerifierKinds.StandardWebhooksSecretPrefix.Length..];
        var key = new byte[encoded.Length];
        return Convert.TryFromBase64String(encoded, key, out var written) && written > 0 ? key[..written] : null;
    }
}
