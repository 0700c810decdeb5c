using System.Text.RegularExpressions;

namespace Tower.Admin.Webhooks;

/// <summary>
/// A webhook endpoint starts and ends with a letter or digit, holds only letters, digits,
/// <c>_</c>, <c>-</c> and <c>/</c>, and has no <c>//</c>.
/// </summary>
public static partial class EndpointRules
{
    public static bool IsValid(string endpoint) => Pattern().IsMatch(endpoint) && !endpoint.Contains("//", StringComparison.Ordinal);

    [GeneratedRegex("^[A-Za-z0-9](?:[A-Za-z0-9_/-]*[A-Za-z0-9])?$")]
    private static partial Regex Pattern();
}
