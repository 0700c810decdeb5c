namespace Tower.Scripting.Workers;

/// <summary>
/// A call waiting for a worker or a place in its webhook's share. It ends once: given what it
/// waits for, past its deadline, or cancelled. Continuations run on the thread that ends it: a
/// worker or place given back goes on at once with the call, not through the thread pool (on these
/// machines each such hand-off cost two context switches per call).
/// </summary>
internal sealed class HandOff<T>(long deadline = long.MaxValue)
{
    private int _ended;
    private CancellationTokenRegistration _registration;

    /// <summary>When the wait ends unanswered, in <see cref="TimeProvider"/> timestamps.</summary>
    public long Deadline { get; } = deadline;

    public TaskCompletionSource<T> Completion { get; } = new();

    public bool Ended => Volatile.Read(ref _ended) != 0;

    /// <summary>Claims the right to end the wait; only the caller that gets true may complete it.</summary>
    public bool TryEnd() => Interlocked.Exchange(ref _ended, 1) == 0;

    /// <summary>Ends the wait with a cancellation when <paramref name="token"/> fires first.</summary>
    public void CancelWith(CancellationToken token)
    {
        if (token.CanBeCanceled)
        {
            _registration = token.Register(static state =>
            {
                var (handOff, token) = ((HandOff<T>, CancellationToken))state!;
                if (handOff.TryEnd())
                {
                    handOff.Completion.TrySetCanceled(token);
                }
            }, (this, token));
        }
    }

    /// <summary>Takes from <paramref name="waiters"/> (under their owner's lock) the oldest wait not yet ended, and ends it.</summary>
    public static HandOff<T>? EndOldest(Queue<HandOff<T>> waiters)
    {
        while (waiters.TryDequeue(out var waiter))
        {
            if (waiter.TryEnd())
            {
                return waiter;
            }
        }

        return null;
    }

    /// <summary>Completes a wait this caller has ended (<see cref="TryEnd"/>), on this thread.</summary>
    public void Give(T value)
    {
        _registration.Dispose();
        Completion.TrySetResult(value);
    }

    /// <summary>Fails a wait this caller has ended (<see cref="TryEnd"/>).</summary>
    public void Fail(Exception exception)
    {
        _registration.Dispose();
        Completion.TrySetException(exception);
    }
}
