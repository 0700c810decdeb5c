using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Tower.Admin.Infrastructure;

/// <summary>
/// Strong entity tags of single resources. A tag is the resource's version: a random UUID that
/// every write replaces (<c>Migrations/0002_versions.sql</c>). It tells nothing about the content,
/// so a secret's value cannot be derived from it, and a resource deleted and created again never
/// matches a tag of the one before.
/// </summary>
public static class EntityTags
{
    public static string Of(Guid version) => $"\"{version:N}\"";

    /// <summary>
    /// Reads <c>If-Match</c>: absent or <c>*</c> is <see cref="IfMatch.None"/>; otherwise the
    /// versions its strong tags name (weak tags and tags this API never gave match nothing).
    /// False when the header is not a list of entity tags.
    /// </summary>
    public static bool TryReadIfMatch(HttpRequest request, out IfMatch ifMatch)
    {
        ifMatch = IfMatch.None;
        var header = request.Headers.IfMatch;
        if (header.Count == 0)
        {
            return true;
        }

        if (!EntityTagHeaderValue.TryParseStrictList(header.ToArray()!, out var tags))
        {
            return false;
        }

        if (tags.Any(tag => tag.Equals(EntityTagHeaderValue.Any)))
        {
            return true;
        }

        var versions = new List<Guid>();
        foreach (var tag in tags)
        {
            if (!tag.IsWeak && Guid.TryParseExact(tag.Tag.AsSpan().Trim('"'), "N", out var version))
            {
                versions.Add(version);
            }
        }

        ifMatch = new IfMatch(versions);
        return true;
    }

    /// <summary>The 412 of a write whose <c>If-Match</c> names no current version; nothing was changed.</summary>
    public static ProblemHttpResult Stale(string kind, string reference) =>
        TypedResults.Problem(statusCode: StatusCodes.Status412PreconditionFailed, title: $"The {kind} has changed",
            detail: $"The {kind} '{reference}' changed since the ETag in If-Match was given; nothing was changed. " +
                "GET it again, apply the change to what it shows, and send it with the new ETag.");

    public static ProblemHttpResult InvalidIfMatch() =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid If-Match",
            detail: "If-Match must be * or entity tags as the ETag header gives them, quotes included, such as \"0f8e…\".");
}
