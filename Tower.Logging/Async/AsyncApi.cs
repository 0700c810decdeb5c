using Microsoft.AspNetCore.Http.HttpResults;
using Tower.Contracts.Async;

namespace Tower.Logging.Async;

/// <summary>The internal API of the async schedule: gateway replicas lease and end attempts, Admin requeues a dead call.</summary>
internal static class AsyncApi
{
    /// <summary>At most this many jobs per lease.</summary>
    private const int MaxLease = 100;

    public static RouteGroupBuilder MapAsyncApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/internal/async").RequireServiceCredential();
        group.MapPost("/lease", async Task<Results<Ok<IReadOnlyList<AsyncJob>>, BadRequest<string>>> (AsyncLease lease, AsyncJobStore store, CancellationToken ct) =>
            lease is { Max: >= 1 and <= MaxLease, LeaseSeconds: >= 1 and <= 3600 }
                ? TypedResults.Ok(await store.LeaseAsync(lease, ct))
                : TypedResults.BadRequest($"max must be 1-{MaxLease} and lease_seconds 1-3600."));
        group.MapPost("/complete", async Task<Results<NoContent, BadRequest<string>>> (AsyncCompletion completion, AsyncJobStore store, CancellationToken ct) =>
        {
            if (completion.Outcome is not (AsyncCompletion.Done or AsyncCompletion.Again or AsyncCompletion.Dead or AsyncCompletion.Released)
                || completion.WaitSeconds is < 0 or > 86_400)
            {
                return TypedResults.BadRequest("outcome must be done, again, dead or released, and wait_seconds 0-86400.");
            }

            await store.CompleteAsync(completion, ct);
            return TypedResults.NoContent();
        });
        group.MapPost("/{id:guid}/requeue", async Task<Results<Accepted, Conflict>> (Guid id, AsyncRequeue requeue, AsyncJobStore store, CancellationToken ct) =>
            await store.RequeueAsync(id, requeue.Request, ct) ? TypedResults.Accepted((string?)null) : TypedResults.Conflict());
        return group;
    }
}
