using System.Collections.Concurrent;

namespace Tower.Scripting.Workers;

/// <summary>
/// The share of a service's workers one webhook may hold at once when it has no
/// <c>max_concurrency</c> of its own (spec §14): half of them, at least one, so that one webhook
/// whose calls all run to their limit can never take every worker. A call over its share waits up
/// to <see cref="Wait"/> for a place, then is not run.
/// </summary>
public sealed class WorkerShares(int workers)
{
    /// <summary>How long a call over its webhook's share waits for a place.</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(1);

    // One entry per webhook reference the gateway has sent: as many as the webhooks that ran here.
    private readonly ConcurrentDictionary<string, WorkerShare> _places = new(StringComparer.Ordinal);

    /// <summary>How many calls of one webhook may hold a worker at once.</summary>
    public int Limit { get; } = Math.Max(1, workers / 2);

    /// <summary>
    /// A place in <paramref name="share"/> (release it when the call's run has ended), null when the
    /// call uses no share; false when no place freed up within <see cref="Wait"/>.
    /// </summary>
    public async ValueTask<(bool Taken, WorkerShare? Place)> TakeAsync(string share, CancellationToken cancellationToken)
    {
        if (share.Length == 0)
        {
            return (true, null);
        }

        var place = _places.GetOrAdd(share, static (_, limit) => new WorkerShare(limit, Wait, TimeProvider.System), Limit);
        return await place.TakeAsync(cancellationToken) ? (true, place) : (false, null);
    }
}
