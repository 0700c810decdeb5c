using System.Collections.Concurrent;

namespace Tower.Gateway.Traffic;

/// <summary>
/// Webhooks' <c>max_concurrency</c> (spec §10), per gateway replica: a call takes a slot at step 7
/// and gives it back when its code has ended; a call that finds none waits up to the given time.
/// A changed limit starts a new set of slots (calls holding old ones finish with them).
/// </summary>
public sealed class ConcurrencySlots
{
    private readonly ConcurrentDictionary<(string Webhook, int Limit), SemaphoreSlim> _slots = new();

    /// <summary>A held slot (dispose to give it back), or null when none freed up within <paramref name="wait"/>.</summary>
    public async Task<Slot?> TakeAsync(string webhook, int limit, TimeSpan wait)
    {
        var semaphore = _slots.GetOrAdd((webhook, limit), key => new SemaphoreSlim(key.Limit, key.Limit));
        return await semaphore.WaitAsync(wait) ? new Slot(semaphore) : null;
    }

    /// <summary>One taken slot.</summary>
    public sealed class Slot(SemaphoreSlim semaphore) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                semaphore.Release();
            }
        }
    }
}
