using System.Diagnostics.CodeAnalysis;

namespace Tower.Scripting;

/// <summary>
/// What leaves the engine of a script's text (spec §5, §14): secret values masked first, then
/// cut to a cap counted in characters, ending with <c>…</c> inside the cap when cut.
/// </summary>
internal static class ScriptOutput
{
    public const string Mask = "*****";

    /// <summary>The cap of the result message and of the error text.</summary>
    public const int MaxMessageLength = 4000;

    /// <summary>The cap of each log line's text.</summary>
    public const int MaxLogLineLength = 1000;

    [return: NotNullIfNotNull(nameof(text))]
    public static string? Clean(string? text, IReadOnlyDictionary<string, string> secrets, int cap) =>
        text is null ? null : Cap(MaskSecrets(text, secrets), cap);

    public static string MaskSecrets(string text, IReadOnlyDictionary<string, string> secrets)
    {
        // Longest first: a secret that contains another is masked whole, not around the shorter one.
        foreach (var value in secrets.Values.OrderByDescending(value => value.Length))
        {
            if (value.Length > 0 && text.Length > 0)
            {
                text = text.Replace(value, Mask, StringComparison.Ordinal);
            }
        }

        return text;
    }

    private static string Cap(string text, int cap)
    {
        if (text.Length <= cap)
        {
            return text;
        }

        // Never split a surrogate pair: the cut text stays valid UTF-16.
        var keep = cap - 1;
        if (char.IsHighSurrogate(text[keep - 1]))
        {
            keep--;
        }

        return string.Concat(text.AsSpan(0, keep), "…");
    }
}
