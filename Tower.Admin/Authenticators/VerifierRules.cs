using Tower.Admin.Infrastructure;
using Tower.Contracts.Configuration;
using Tower.Contracts.Networking;

namespace Tower.Admin.Authenticators;

/// <summary>
/// The rules of an authenticator's <c>verifier</c> (spec §11, §14): each broken rule names its
/// field (<c>verifier.kind</c>…); what passes comes back with the defaults of its kind filled in
/// and the options it does not use as null.
/// </summary>
public sealed class VerifierRules(AdminDb db, SecretProtector protector)
{
    public const int MaxToleranceSeconds = 86_400;

    private const string Field = "verifier";

    public async Task<VerifierDefinition?> CheckAsync(VerifierDefinition? verifier, ValidationErrors errors, CancellationToken ct)
    {
        if (verifier is null)
        {
            return null;
        }

        var kind = verifier.Kind;
        if (kind is null || !VerifierKinds.All.Contains(kind))
        {
            errors.Add($"{Field}.kind", $"A verifier's kind must be one of {string.Join(", ", VerifierKinds.All)}.");
            return null;
        }

        var hmac = kind == VerifierKinds.Hmac;
        if (!hmac)
        {
            foreach (var (name, value) in new[]
            {
                ("header", verifier.Header), ("algorithm", verifier.Algorithm), ("encoding", verifier.Encoding),
                ("prefix", verifier.Prefix), ("timestamp_header", verifier.TimestampHeader),
            })
            {
                if (value is not null)
                {
                    errors.Add($"{Field}.{name}", $"{name} is an option of the hmac kind only; a {kind} verifier follows its provider's scheme.");
                }
            }
        }
        else
        {
            CheckHeaderName("header", verifier.Header, required: true, errors);
            CheckHeaderName("timestamp_header", verifier.TimestampHeader, required: false, errors);
            CheckChoice("algorithm", verifier.Algorithm, VerifierKinds.Algorithms, errors);
            CheckChoice("encoding", verifier.Encoding, VerifierKinds.Encodings, errors);
            if (verifier.Prefix is { } prefix && prefix.Any(char.IsControl))
            {
                errors.Add($"{Field}.prefix", "prefix cannot hold control characters.");
            }
        }

        var timestamped = VerifierKinds.IsTimestamped(verifier);
        if (verifier.ToleranceSeconds is { } tolerance)
        {
            if (!timestamped)
            {
                errors.Add($"{Field}.tolerance_seconds", hmac
                    ? "tolerance_seconds needs a timestamp_header: an hmac verifier without one signs no timestamp."
                    : $"tolerance_seconds is refused on the {kind} kind, whose scheme signs no timestamp.");
            }
            else if (tolerance is < 1 or > MaxToleranceSeconds)
            {
                errors.Add($"{Field}.tolerance_seconds", $"tolerance_seconds must be between 1 and {MaxToleranceSeconds}.");
            }
        }

        await CheckSecretsAsync(verifier, kind, errors, ct);
        return verifier with
        {
            Kind = kind,
            ToleranceSeconds = timestamped ? verifier.ToleranceSeconds ?? VerifierKinds.DefaultToleranceSeconds : null,
            Algorithm = hmac ? verifier.Algorithm ?? "sha256" : null,
            Encoding = hmac ? verifier.Encoding ?? "hex" : null,
            Prefix = hmac ? verifier.Prefix ?? "" : null,
            TimestampHeader = hmac && !string.IsNullOrEmpty(verifier.TimestampHeader) ? verifier.TimestampHeader : null,
        };
    }

    /// <summary>Both secrets must exist; a Standard Webhooks secret must be <c>whsec_</c> and a base64 key.</summary>
    private async Task CheckSecretsAsync(VerifierDefinition verifier, string kind, ValidationErrors errors, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(verifier.Secret))
        {
            errors.Add($"{Field}.secret", "A verifier needs the reference of the secret that signs.");
        }

        var references = new[] { ("secret", verifier.Secret), ("secondary_secret", verifier.SecondarySecret) }
            .Where(pair => !string.IsNullOrEmpty(pair.Item2))
            .ToList();
        if (references.Count == 0)
        {
            return;
        }

        var stored = (await db.QueryAsync<(string Reference, byte[] Value)>(
                "SELECT reference, value_encrypted FROM secrets WHERE reference = ANY(@references)",
                new { references = references.Select(pair => pair.Item2!).ToArray() }, ct))
            .ToDictionary(row => row.Reference, row => row.Value);
        foreach (var (name, reference) in references)
        {
            if (!stored.TryGetValue(reference!, out var value))
            {
                errors.Add($"{Field}.{name}", $"There is no secret with reference '{reference}'.");
            }
            else if (kind == VerifierKinds.StandardWebhooks && !IsStandardWebhooksSecret(protector.Unprotect(value)))
            {
                errors.Add($"{Field}.{name}",
                    $"The secret '{reference}' is not a Standard Webhooks secret: its value must be whsec_ followed by the base64 key.");
            }
        }
    }

    /// <summary>Whether a secret's value is a Standard Webhooks secret: <c>whsec_</c> and a base64 key.</summary>
    public static bool IsStandardWebhooksSecret(string value)
    {
        if (!value.StartsWith(VerifierKinds.StandardWebhooksSecretPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var encoded = value[VerifierKinds.StandardWebhooksSecretPrefix.Length..];
        return encoded.Length > 0 && Convert.TryFromBase64String(encoded, new byte[encoded.Length], out _);
    }

    private static void CheckHeaderName(string name, string? value, bool required, ValidationErrors errors)
    {
        if (string.IsNullOrEmpty(value))
        {
            if (required)
            {
                errors.Add($"{Field}.{name}", $"An hmac verifier needs the {name.Replace('_', ' ')} that carries the signature.");
            }

            return;
        }

        if (!HttpToken.IsValid(value))
        {
            errors.Add($"{Field}.{name}", $"'{value}' is not a valid header name.");
        }
    }

    private static void CheckChoice(string name, string? value, IReadOnlyList<string> choices, ValidationErrors errors)
    {
        if (value is not null && !choices.Contains(value))
        {
            errors.Add($"{Field}.{name}", $"{name} must be one of {string.Join(", ", choices)}.");
        }
    }
}
