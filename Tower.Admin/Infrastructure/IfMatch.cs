using Dapper;

namespace Tower.Admin.Infrastructure;

/// <summary>
/// The <c>If-Match</c> precondition of a replace or delete, checked in the statement that writes,
/// so that two writers holding the same tag cannot both succeed: with no versions (no header, or
/// <c>*</c>) any existing resource meets it; otherwise only a resource whose current version is
/// one of <see cref="Versions"/>.
/// </summary>
public sealed record IfMatch(IReadOnlyList<Guid>? Versions)
{
    /// <summary>No precondition, as for an import.</summary>
    public static IfMatch None { get; } = new((IReadOnlyList<Guid>?)null);

    /// <summary>The condition on a row's <c>version</c>; its parameters come from <see cref="AddTo"/>.</summary>
    public const string Condition = "(@if_match_any OR version = ANY(@if_match_versions))";

    public DynamicParameters AddTo(DynamicParameters parameters)
    {
        parameters.Add("if_match_any", Versions is null);
        parameters.Add("if_match_versions", (Versions ?? []).ToArray());
        return parameters;
    }
}
