using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Tower.Admin.Infrastructure;

/// <summary>Keyset paging over records ordered by reference; the cursor is opaque to clients.</summary>
public static class Paging
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    public static (string? After, int Limit) Read(HttpRequest request, ValidationErrors errors)
    {
        var limit = DefaultLimit;
        string? limitText = request.Query["limit"];
        if (!string.IsNullOrEmpty(limitText)
            && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
        {
            errors.Add("limit", $"'{limitText}' is not a whole number from 1 to {MaxLimit}.");
        }

        string? after = null;
        string? cursor = request.Query["cursor"];
        if (!string.IsNullOrEmpty(cursor))
        {
            try
            {
                after = Encoding.UTF8.GetString(Convert.FromBase64String(cursor));
            }
            catch (FormatException)
            {
                errors.Add("cursor", "The cursor is not one this API returned.");
            }
        }

        return (after, limit);
    }

    /// <summary>
    /// A list endpoint: reads <c>limit</c> and <c>cursor</c> (a validation problem when they are
    /// bad), fetches one row more than the page, and answers the page with its next cursor.
    /// </summary>
    public static async Task<Results<Ok<Page<TView>>, ValidationProblem>> ListAsync<TRow, TView>(
        HttpRequest request, Func<string?, int, Task<IReadOnlyList<TRow>>> fetch, Func<TRow, string> key, Func<TRow, TView> view)
    {
        var errors = new ValidationErrors();
        var (after, limit) = Read(request, errors);
        if (errors.Any)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        var rows = await fetch(after, limit + 1);
        return TypedResults.Ok(ToPage(rows, limit, key, view));
    }

    /// <summary>The page of at most <paramref name="limit"/> rows from <paramref name="rows"/> (fetched with one extra).</summary>
    public static Page<TView> ToPage<TRow, TView>(IReadOnlyList<TRow> rows, int limit, Func<TRow, string> key, Func<TRow, TView> view)
    {
        var items = rows.Take(limit).ToList();
        var next = rows.Count > limit ? Convert.ToBase64String(Encoding.UTF8.GetBytes(key(items[^1]))) : null;
        return new Page<TView>(items.Select(view).ToList(), next);
    }
}
