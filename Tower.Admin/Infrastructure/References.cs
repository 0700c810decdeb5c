using System.Text;
using System.Text.RegularExpressions;

namespace Tower.Admin.Infrastructure;

/// <summary>The rules for a record's <c>reference</c>: <c>[a-z0-9_]+</c>, generated from the name when blank.</summary>
public static partial class References
{
    public static bool IsValid(string reference) => Pattern().IsMatch(reference);

    /// <summary>Lower-case, each run of non-alphanumerics folded to <c>_</c>.</summary>
    public static string Stem(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name.ToLowerInvariant())
        {
            if (c is >= 'a' and <= 'z' or >= '0' and <= '9')
            {
                builder.Append(c);
            }
            else if (builder.Length > 0 && builder[^1] != '_')
            {
                builder.Append('_');
            }
        }

        var stem = builder.ToString().TrimEnd('_');
        return stem.Length == 0 ? "record" : stem;
    }

    /// <summary>The stem itself, or with the first numeric suffix that no existing reference has.</summary>
    public static string Unique(string stem, IReadOnlySet<string> existing)
    {
        var candidate = stem;
        for (var suffix = 2; existing.Contains(candidate); suffix++)
        {
            candidate = $"{stem}_{suffix}";
        }

        return candidate;
    }

    [GeneratedRegex("^[a-z0-9_]+$")]
    private static partial Regex Pattern();
}
