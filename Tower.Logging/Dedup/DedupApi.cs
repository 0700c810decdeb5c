using Microsoft.AspNetCore.Http.HttpResults;
using Tower.Contracts.Dedup;

namespace Tower.Logging.Dedup;

/// <summary>The internal dedup API the gateway calls, only for webhooks with <c>dedup</c> (spec §10).</summary>
internal static class DedupApi
{
    public static RouteGroupBuilder MapDedupApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/internal/dedup").RequireServiceCredential();
        group.MapPost("/claim", async (DedupClaim claim, DedupStore store, CancellationToken ct) => TypedResults.Ok(await store.ClaimAsync(claim, ct)));
        group.MapPost("/complete", async Task<NoContent> (DedupCompletion completion, DedupStore store, CancellationToken ct) =>
        {
            await store.CompleteAsync(completion, ct);
            return TypedResults.NoContent();
        });
        return group;
    }
}
