namespace Tower.Scripting.Workers;

/// <summary>
/// The places of one webhook in a service's workers (spec §14). A place given back goes on at
/// once, on the giving thread, to the call that waits longest (<see cref="HandOff{T}"/>). Waits
/// end through one timer per share that ticks only while calls wait, not a timer per call.
/// </summary>
public sealed class WorkerShare : IDisposable
{
    /// <summary>How often waits are checked against their deadline: a wait ends at most this late.</summary>
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(50);

    private readonly object _lock = new();
    private readonly Queue<HandOff<bool>> _waiters = new();
    private readonly int _limit;
    private readonly TimeSpan _wait;
    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private int _held;
    private bool _ticking;

    public WorkerShare(int limit, TimeSpan wait, TimeProvider time)
    {
        _limit = limit;
        _wait = wait;
        _time = time;
        _timer = time.CreateTimer(_ => Expire(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>True with a place (give it back with <see cref="Release"/>), false when none freed up within the wait.</summary>
    public ValueTask<bool> TakeAsync(CancellationToken cancellationToken)
    {
        HandOff<bool> waiter;
        lock (_lock)
        {
            if (_held < _limit && _waiters.Count == 0)
            {
                _held++;
                return ValueTask.FromResult(true);
            }

            waiter = new HandOff<bool>(_time.GetTimestamp() + (long)(_wait.TotalSeconds * _time.TimestampFrequency));
            _waiters.Enqueue(waiter);
            if (!_ticking)
            {
                _ticking = true;
                _timer.Change(Tick, Tick);
            }
        }

        waiter.CancelWith(cancellationToken);
        return new ValueTask<bool>(waiter.Completion.Task);
    }

    /// <summary>Gives a place back: to the call that waits longest, on this thread, or to the share.</summary>
    public void Release()
    {
        HandOff<bool>? next;
        lock (_lock)
        {
            next = HandOff<bool>.EndOldest(_waiters);
            if (next is null)
            {
                _held--;
            }
        }

        next?.Give(true);
    }

    /// <summary>Ends the waits past their deadline (the oldest come first) and stops ticking when none are left.</summary>
    private void Expire()
    {
        var now = _time.GetTimestamp();
        List<HandOff<bool>>? expired = null;
        lock (_lock)
        {
            while (_waiters.TryPeek(out var waiter) && (waiter.Deadline <= now || waiter.Ended))
            {
                _waiters.Dequeue();
                if (waiter.TryEnd())
                {
                    (expired ??= []).Add(waiter);
                }
            }

            if (_waiters.Count == 0 && _ticking)
            {
                _ticking = false;
                _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }
        }

        foreach (var waiter in expired ?? [])
        {
            waiter.Give(false);
        }
    }

    public void Dispose() => _timer.Dispose();
}
