using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Tower.Admin.CodeChecks;
using Tower.Admin.Identity;
using Tower.Admin.Infrastructure;

namespace Tower.Admin.Authenticators;

internal static class AuthenticatorsApi
{
    public const string Kind = "authenticator";

    public static RouteGroupBuilder MapAuthenticatorsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/authenticators").RequireAuthorization(Groups.RootPolicy).WithTags("Authenticators");
        group.MapGet("/", ListAsync);
        group.MapGet("/{reference}", GetAsync);
        group.MapPost("/", CreateAsync);
        group.MapPut("/{reference}", ReplaceAsync);
        group.MapDelete("/{reference}", DeleteAsync);
        group.MapPost("/{reference}/copy", CopyAsync);
        return group;
    }

    private static Task<Results<Ok<Page<Authenticator>>, ValidationProblem, ProblemHttpResult>> ListAsync(
        HttpRequest request, AuthenticatorStore store, CodeCheckRegistry checks, CancellationToken cancellationToken) =>
        InvalidCodeListing.ListAsync(request, checks,
            (after, limit) => store.ListAsync(after, limit, cancellationToken),
            (codeHashes, after, limit) => store.ListHoldingAsync(codeHashes, after, limit, cancellationToken),
            row => row.Reference, row => row.CodeHash, (row, codeErrors) => row with { CodeErrors = codeErrors }, cancellationToken);

    private static async Task<Results<Ok<Authenticator>, NotFound>> GetAsync(
        string reference, HttpResponse response, AuthenticatorStore store, CancellationToken cancellationToken)
    {
        if (await store.FindAsync(reference, cancellationToken) is not { } found)
        {
            return TypedResults.NotFound();
        }

        response.Headers.ETag = EntityTags.Of(found.Version);
        return TypedResults.Ok(found);
    }

    private static async Task<Results<Created<Authenticator>, ValidationProblem>> CreateAsync(
        AuthenticatorInput input, ClaimsPrincipal user, HttpResponse response, AuthenticatorStore store, AuthenticatorValidator validator,
        RecordRules rules, ConfigChanges changes, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var reference = input.Reference;
        if (string.IsNullOrEmpty(reference) && !string.IsNullOrWhiteSpace(input.Name))
        {
            reference = await rules.NewReferenceAsync("authenticators", References.Stem(input.Name), cancellationToken);
        }
        else if (!string.IsNullOrEmpty(reference) && await store.ExistsAsync(reference, cancellationToken))
        {
            errors.Add("reference", $"An authenticator with reference '{reference}' already exists.");
        }

        var authenticator = await validator.ValidateAsync(input, reference ?? "", user.Login(), errors, cancellationToken);
        if (errors.Any)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        await store.InsertAsync(authenticator, cancellationToken);
        await changes.PublishAsync(Kind, authenticator.Reference);
        var created = (await store.FindAsync(authenticator.Reference, cancellationToken))!;
        response.Headers.ETag = EntityTags.Of(created.Version);
        return TypedResults.Created($"/api/authenticators/{authenticator.Reference}", created);
    }

    /// <summary>A copy of the authenticator under a new reference (<c>&lt;reference&gt;_copy</c>, numbered when taken).</summary>
    private static async Task<Results<Created<Authenticator>, NotFound>> CopyAsync(
        string reference, ClaimsPrincipal user, HttpResponse response, AuthenticatorStore store, RecordRules rules, ConfigChanges changes,
        CancellationToken cancellationToken)
    {
        if (await store.FindAsync(reference, cancellationToken) is not { } original)
        {
            return TypedResults.NotFound();
        }

        var copy = original with
        {
            Reference = await rules.NewReferenceAsync("authenticators", original.Reference + "_copy", cancellationToken),
            Name = original.Name + " (copy)",
            CreatedBy = user.Login(),
            UpdatedBy = user.Login(),
        };
        await store.InsertAsync(copy, cancellationToken);
        await changes.PublishAsync(Kind, copy.Reference);
        var created = (await store.FindAsync(copy.Reference, cancellationToken))!;
        response.Headers.ETag = EntityTags.Of(created.Version);
        return TypedResults.Created($"/api/authenticators/{copy.Reference}", created);
    }

    private static async Task<Results<Ok<Authenticator>, NotFound, ValidationProblem, ProblemHttpResult>> ReplaceAsync(
        string reference, AuthenticatorInput input, ClaimsPrincipal user, HttpRequest request, HttpResponse response, AuthenticatorStore store,
        AuthenticatorValidator validator, ConfigChanges changes, CancellationToken cancellationToken)
    {
        if (!EntityTags.TryReadIfMatch(request, out var ifMatch))
        {
            return EntityTags.InvalidIfMatch();
        }

        if (!await store.ExistsAsync(reference, cancellationToken))
        {
            return TypedResults.NotFound();
        }

        var errors = new ValidationErrors();
        if (!string.IsNullOrEmpty(input.Reference) && input.Reference != reference)
        {
            errors.Add("reference", "The reference in the body differs from the one in the path; a reference cannot be changed.");
        }

        var authenticator = await validator.ValidateAsync(input, reference, user.Login(), errors, cancellationToken);
        if (errors.Any)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        switch (await store.UpdateAsync(authenticator, ifMatch, cancellationToken))
        {
            case WriteOutcome.NotFound:
                return TypedResults.NotFound();
            case WriteOutcome.Stale:
                return EntityTags.Stale(Kind, reference);
        }

        await changes.PublishAsync(Kind, reference);
        var updated = (await store.FindAsync(reference, cancellationToken))!;
        response.Headers.ETag = EntityTags.Of(updated.Version);
        return TypedResults.Ok(updated);
    }

    private static async Task<Results<NoContent, NotFound, ProblemHttpResult>> DeleteAsync(
        string reference, HttpRequest request, AuthenticatorStore store, ConfigChanges changes, CancellationToken cancellationToken)
    {
        if (!EntityTags.TryReadIfMatch(request, out var ifMatch))
        {
            return EntityTags.InvalidIfMatch();
        }

        var (outcome, usedBy) = await store.DeleteAsync(reference, ifMatch, cancellationToken);
        switch (outcome)
        {
            case WriteOutcome.InUse:
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Authenticator in use",
                    detail: $"Authenticator '{reference}' is used by webhooks: {string.Join(", ", usedBy)}.");
            case WriteOutcome.NotFound:
                return TypedResults.NotFound();
            case WriteOutcome.Stale:
                return EntityTags.Stale(Kind, reference);
        }

        await changes.PublishAsync(Kind, reference);
        return TypedResults.NoContent();
    }
}
