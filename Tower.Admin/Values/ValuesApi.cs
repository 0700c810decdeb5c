using System.Security.Claims;
using Tower.Admin.Identity;
using Tower.Admin.Infrastructure;

namespace Tower.Admin.Values;

/// <summary>
/// <c>/api/variables</c> and <c>/api/secrets</c> (root and manager). Secrets are never returned;
/// a PUT without a value keeps the stored one. Deleting one that a webhook or authenticator
/// links answers 409 naming them.
/// </summary>
internal static class ValuesApi
{
    public static IEndpointRouteBuilder MapValuesApi(this IEndpointRouteBuilder app)
    {
        MapKind(app, ValueKind.Variable, "Variables");
        MapKind(app, ValueKind.Secret, "Secrets");
        return app;
    }

    private static void MapKind(IEndpointRouteBuilder app, ValueKind kind, string tag)
    {
        var group = app.MapGroup($"/api/{ValueStore.Table(kind)}").RequireAuthorization(Groups.ManagerPolicy).WithTags(tag);
        group.MapGet("/", (HttpRequest request, ValueStore store, CancellationToken ct) =>
            Paging.ListAsync(request, (after, limit) => store.ListAsync(kind, after, limit, ct), row => row.Reference, row => View(kind, row)));
        group.MapGet("/{reference}", (string reference, HttpResponse response, ValueStore store, CancellationToken ct) =>
            GetAsync(kind, reference, response, store, ct));
        group.MapPost("/", (ValueInput input, ClaimsPrincipal user, HttpResponse response, ValueStore store, RecordRules rules, ConfigChanges changes,
            CancellationToken ct) => CreateAsync(kind, input, user, response, store, rules, changes, ct));
        group.MapPut("/{reference}", (string reference, ValueInput input, ClaimsPrincipal user, HttpRequest request, HttpResponse response,
            ValueStore store, ConfigChanges changes, CancellationToken ct) => ReplaceAsync(kind, reference, input, user, request, response, store, changes, ct));
        group.MapDelete("/{reference}", (string reference, HttpRequest request, ValueStore store, ConfigChanges changes, CancellationToken ct) =>
            DeleteAsync(kind, reference, request, store, changes, ct));
    }

    private static object View(ValueKind kind, ValueRow row) => kind == ValueKind.Variable
        ? new VariableView(row.Reference, row.Name, row.Value ?? "", row.CreatedBy, row.CreatedAt, row.UpdatedBy, row.UpdatedAt)
        : new SecretView(row.Reference, row.Name, row.CreatedBy, row.CreatedAt, row.UpdatedBy, row.UpdatedAt);

    private static async Task<IResult> GetAsync(ValueKind kind, string reference, HttpResponse response, ValueStore store, CancellationToken ct)
    {
        if (await store.FindAsync(kind, reference, ct) is not { } row)
        {
            return TypedResults.NotFound();
        }

        response.Headers.ETag = EntityTags.Of(row.Version);
        return TypedResults.Ok(View(kind, row));
    }

    private static async Task<IResult> CreateAsync(ValueKind kind, ValueInput input, ClaimsPrincipal user, HttpResponse response, ValueStore store,
        RecordRules rules, ConfigChanges changes, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        ValueStore.Check(kind, input, creating: true, errors);
        var reference = input.Reference;
        if (string.IsNullOrEmpty(reference) && !string.IsNullOrWhiteSpace(input.Name))
        {
            reference = await rules.NewReferenceAsync(ValueStore.Table(kind), References.Stem(input.Name), ct);
        }

        RecordRules.CheckReference(reference, errors);
        if (!string.IsNullOrEmpty(reference) && await store.ExistsAsync(kind, reference, ct))
        {
            errors.Add("reference", $"A {ValueStore.Singular(kind)} with reference '{reference}' already exists.");
        }

        if (errors.Any)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        await store.InsertAsync(kind, reference!, input, user.Login(), ct);
        await changes.PublishAsync(ValueStore.Singular(kind), reference!);
        var created = (await store.FindAsync(kind, reference!, ct))!;
        response.Headers.ETag = EntityTags.Of(created.Version);
        return TypedResults.Created($"/api/{ValueStore.Table(kind)}/{reference}", View(kind, created));
    }

    private static async Task<IResult> ReplaceAsync(ValueKind kind, string reference, ValueInput input, ClaimsPrincipal user, HttpRequest request,
        HttpResponse response, ValueStore store, ConfigChanges changes, CancellationToken ct)
    {
        if (!EntityTags.TryReadIfMatch(request, out var ifMatch))
        {
            return EntityTags.InvalidIfMatch();
        }

        var errors = new ValidationErrors();
        if (!string.IsNullOrEmpty(input.Reference) && input.Reference != reference)
        {
            errors.Add("reference", "The reference in the body differs from the one in the path; a reference cannot be changed.");
        }

        ValueStore.Check(kind, input, creating: false, errors);
        await store.CheckVerifierUseAsync(kind, reference, input.Value, errors, ct);
        if (errors.Any)
        {
            return await store.ExistsAsync(kind, reference, ct) ? TypedResults.ValidationProblem(errors.ToDictionary()) : TypedResults.NotFound();
        }

        switch (await store.UpdateAsync(kind, reference, input, user.Login(), ifMatch, ct))
        {
            case WriteOutcome.NotFound:
                return TypedResults.NotFound();
            case WriteOutcome.Stale:
                return EntityTags.Stale(ValueStore.Singular(kind), reference);
        }

        await changes.PublishAsync(ValueStore.Singular(kind), reference);
        var updated = (await store.FindAsync(kind, reference, ct))!;
        response.Headers.ETag = EntityTags.Of(updated.Version);
        return TypedResults.Ok(View(kind, updated));
    }

    private static async Task<IResult> DeleteAsync(ValueKind kind, string reference, HttpRequest request, ValueStore store, ConfigChanges changes,
        CancellationToken ct)
    {
        if (!EntityTags.TryReadIfMatch(request, out var ifMatch))
        {
            return EntityTags.InvalidIfMatch();
        }

        var (outcome, usedBy) = await store.DeleteAsync(kind, reference, ifMatch, ct);
        switch (outcome)
        {
            case WriteOutcome.InUse:
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: $"The {ValueStore.Singular(kind)} is in use",
                    detail: $"The {ValueStore.Singular(kind)} '{reference}' is used by: {string.Join(", ", usedBy)}.");
            case WriteOutcome.NotFound:
                return TypedResults.NotFound();
            case WriteOutcome.Stale:
                return EntityTags.Stale(ValueStore.Singular(kind), reference);
        }

        await changes.PublishAsync(ValueStore.Singular(kind), reference);
        return TypedResults.NoContent();
    }
}
