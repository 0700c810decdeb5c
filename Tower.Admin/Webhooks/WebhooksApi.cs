using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Tower.Admin.CodeChecks;
using Tower.Admin.Identity;
using Tower.Admin.Infrastructure;

namespace Tower.Admin.Webhooks;

internal static class WebhooksApi
{
    public const string Kind = "webhook";

    public static RouteGroupBuilder MapWebhooksApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/webhooks").RequireAuthorization(Groups.RootPolicy).WithTags("Webhooks");
        group.MapGet("/", ListAsync);
        group.MapGet("/{reference}", GetAsync);
        group.MapPost("/", CreateAsync);
        group.MapPut("/{reference}", ReplaceAsync);
        group.MapDelete("/{reference}", DeleteAsync);
        group.MapPost("/{reference}/copy", CopyAsync);
        return group;
    }

    private static Task<Results<Ok<Page<WebhookView>>, ValidationProblem, ProblemHttpResult>> ListAsync(
        HttpRequest request, WebhookStore store, CodeCheckRegistry checks, IOptions<AdminOptions> options, CancellationToken cancellationToken) =>
        InvalidCodeListing.ListAsync(request, checks,
            (after, limit) => store.ListAsync(after, limit, cancellationToken),
            (codeHashes, after, limit) => store.ListHoldingAsync(codeHashes, after, limit, cancellationToken),
            row => row.Reference, row => row.CodeHash,
            (row, codeErrors) => WebhookView.From(row, options.Value.PublicBaseUrl) with { CodeErrors = codeErrors }, cancellationToken);

    private static async Task<Results<Ok<WebhookView>, NotFound>> GetAsync(
        string reference, HttpResponse response, WebhookStore store, IOptions<AdminOptions> options, CancellationToken cancellationToken)
    {
        if (await store.FindAsync(reference, cancellationToken) is not { } found)
        {
            return TypedResults.NotFound();
        }

        response.Headers.ETag = EntityTags.Of(found.Version);
        return TypedResults.Ok(WebhookView.From(found, options.Value.PublicBaseUrl));
    }

    private static async Task<Results<Created<WebhookView>, ValidationProblem>> CreateAsync(
        WebhookInput input, ClaimsPrincipal user, HttpResponse response, WebhookStore store, WebhookValidator validator, RecordRules rules,
        ConfigChanges changes, IOptions<AdminOptions> options, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var reference = input.Reference;
        if (string.IsNullOrEmpty(reference) && !string.IsNullOrWhiteSpace(input.Name))
        {
            reference = await rules.NewReferenceAsync("webhooks", References.Stem(input.Name), cancellationToken);
        }
        else if (!string.IsNullOrEmpty(reference) && await store.ExistsAsync(reference, cancellationToken))
        {
            errors.Add("reference", $"A webhook with reference '{reference}' already exists.");
        }

        var webhook = await validator.ValidateAsync(input, reference ?? "", user.Login(), errors, cancellationToken);
        if (errors.Any)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        await store.InsertAsync(webhook, cancellationToken);
        await changes.PublishAsync(Kind, webhook.Reference);
        var created = (await store.FindAsync(webhook.Reference, cancellationToken))!;
        response.Headers.ETag = EntityTags.Of(created.Version);
        return TypedResults.Created($"/api/webhooks/{webhook.Reference}", WebhookView.From(created, options.Value.PublicBaseUrl));
    }

    /// <summary>
    /// A copy of the webhook under a new reference (<c>&lt;reference&gt;_copy</c>, numbered when
    /// taken), disabled, with <c>-copy</c> (numbered when taken) after its endpoint, so that
    /// (endpoint, method) stays unique; everything else is the same.
    /// </summary>
    private static async Task<Results<Created<WebhookView>, NotFound>> CopyAsync(
        string reference, ClaimsPrincipal user, HttpResponse response, WebhookStore store, RecordRules rules, ConfigChanges changes,
        IOptions<AdminOptions> options, CancellationToken cancellationToken)
    {
        if (await store.FindAsync(reference, cancellationToken) is not { } original)
        {
            return TypedResults.NotFound();
        }

        var endpoint = original.Endpoint + "-copy";
        for (var suffix = 2; await store.HolderOfAsync(endpoint, original.Method, "", cancellationToken) is not null; suffix++)
        {
            endpoint = $"{original.Endpoint}-copy-{suffix}";
        }

        var copy = original with
        {
            Reference = await rules.NewReferenceAsync("webhooks", original.Reference + "_copy", cancellationToken),
            Name = original.Name + " (copy)",
            Enabled = false,
            Endpoint = endpoint,
            CreatedBy = user.Login(),
            UpdatedBy = user.Login(),
        };
        await store.InsertAsync(copy, cancellationToken);
        await changes.PublishAsync(Kind, copy.Reference);
        var created = (await store.FindAsync(copy.Reference, cancellationToken))!;
        response.Headers.ETag = EntityTags.Of(created.Version);
        return TypedResults.Created($"/api/webhooks/{copy.Reference}", WebhookView.From(created, options.Value.PublicBaseUrl));
    }

    private static async Task<Results<Ok<WebhookView>, NotFound, ValidationProblem, ProblemHttpResult>> ReplaceAsync(
        string reference, WebhookInput input, ClaimsPrincipal user, HttpRequest request, HttpResponse response, WebhookStore store,
        WebhookValidator validator, ConfigChanges changes, IOptions<AdminOptions> options, CancellationToken cancellationToken)
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

        var webhook = await validator.ValidateAsync(input, reference, user.Login(), errors, cancellationToken);
        if (errors.Any)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        switch (await store.UpdateAsync(webhook, ifMatch, cancellationToken))
        {
            case WriteOutcome.NotFound:
                return TypedResults.NotFound();
            case WriteOutcome.Stale:
                return EntityTags.Stale(Kind, reference);
        }

        await changes.PublishAsync(Kind, reference);
        var updated = (await store.FindAsync(reference, cancellationToken))!;
        response.Headers.ETag = EntityTags.Of(updated.Version);
        return TypedResults.Ok(WebhookView.From(updated, options.Value.PublicBaseUrl));
    }

    private static async Task<Results<NoContent, NotFound, ProblemHttpResult>> DeleteAsync(
        string reference, HttpRequest request, WebhookStore store, ConfigChanges changes, CancellationToken cancellationToken)
    {
        if (!EntityTags.TryReadIfMatch(request, out var ifMatch))
        {
            return EntityTags.InvalidIfMatch();
        }

        switch (await store.DeleteAsync(reference, ifMatch, cancellationToken))
        {
            case WriteOutcome.NotFound:
                return TypedResults.NotFound();
            case WriteOutcome.Stale:
                return EntityTags.Stale(Kind, reference);
        }

        await changes.PublishAsync(Kind, reference);
        return TypedResults.NoContent();
    }
}
