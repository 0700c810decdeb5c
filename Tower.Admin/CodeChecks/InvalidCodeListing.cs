using Microsoft.AspNetCore.Http.HttpResults;
using Tower.Admin.Infrastructure;

namespace Tower.Admin.CodeChecks;

/// <summary>
/// The lists of webhooks and authenticators, paged by reference: every record, or with
/// <c>?invalid=true</c> only the records whose stored code the sandbox's current rules refuse
/// (webhooks.md §5), each with its <c>code_errors</c>. Until the start-up check has finished, such
/// a list waits for it, at most twenty seconds, then answers 503 with <c>Retry-After</c>.
/// </summary>
public static class InvalidCodeListing
{
    public const string Parameter = "invalid";

    private const string RetryAfterSeconds = "5";

    private static readonly TimeSpan CheckWait = TimeSpan.FromSeconds(20);

    /// <summary>Whether <c>invalid</c> asks for the records whose code is refused: absent or empty is false.</summary>
    public static bool Read(HttpRequest request, ValidationErrors errors)
    {
        string? text = request.Query[Parameter];
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        if (!bool.TryParse(text, out var invalid))
        {
            errors.Add(Parameter, $"'{text}' is not true or false.");
        }

        return invalid;
    }

    /// <param name="list">A page of every record after a reference.</param>
    /// <param name="listHolding">A page of the records after a reference whose <c>code_hash</c> is one of the given ones.</param>
    /// <param name="view">A row as the list shows it, with its code errors when the list is of refused records (else null).</param>
    public static async Task<Results<Ok<Page<TView>>, ValidationProblem, ProblemHttpResult>> ListAsync<TRow, TView>(
        HttpRequest request, CodeCheckRegistry checks,
        Func<string?, int, Task<IReadOnlyList<TRow>>> list, Func<string[], string?, int, Task<IReadOnlyList<TRow>>> listHolding,
        Func<TRow, string> reference, Func<TRow, string?> codeHash, Func<TRow, IReadOnlyList<string>?, TView> view,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var invalidOnly = Read(request, errors);
        var (after, limit) = Paging.Read(request, errors);
        if (errors.Any)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        if (!invalidOnly)
        {
            return TypedResults.Ok(Paging.ToPage(await list(after, limit + 1), limit, reference, row => view(row, null)));
        }

        if (await checks.WaitAsync(CheckWait, cancellationToken) is not { } refused)
        {
            request.HttpContext.Response.Headers.RetryAfter = RetryAfterSeconds;
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Stored code is still being checked",
                detail: "At start, Admin checks the stored code of every webhook and authenticator against the sandbox's current rules, " +
                    "and it has not finished yet. Try again shortly.");
        }

        var rows = refused.Count == 0 ? [] : await listHolding([.. refused.Keys], after, limit + 1);
        return TypedResults.Ok(Paging.ToPage(rows, limit, reference,
            row => view(row, [.. refused[codeHash(row)!].Select(error => error.ToString())])));
    }
}
