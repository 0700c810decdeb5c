namespace Tower.Scripting.Workers;

/// <summary>
/// The idle workers of a pool. A worker given back goes on at once, on the giving thread, with the
/// call that waits longest (<see cref="HandOff{T}"/>); with none waiting, the worker given back last
/// serves next: calls keep to as few workers as they need, whose memory and threads stay warm
/// (taking them in turn cost each call ~10 µs more in the worker and its reader with 4 workers).
/// </summary>
internal sealed class IdleWorkers
{
    private readonly object _lock = new();
    private readonly Stack<WorkerProcess> _idle = new();
    private readonly Queue<HandOff<WorkerProcess>> _waiters = new();
    private bool _closed;

    /// <summary>An idle worker, at once or when one is given back.</summary>
    public ValueTask<WorkerProcess> TakeAsync(CancellationToken cancellationToken)
    {
        var waiter = new HandOff<WorkerProcess>();
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            if (_idle.TryPop(out var worker))
            {
                return ValueTask.FromResult(worker);
            }

            _waiters.Enqueue(waiter);
        }

        waiter.CancelWith(cancellationToken);
        return new ValueTask<WorkerProcess>(waiter.Completion.Task);
    }

    /// <summary>Gives a worker back: to the call that waits longest, on this thread, or to the idle ones.</summary>
    public void Add(WorkerProcess worker)
    {
        HandOff<WorkerProcess>? next;
        lock (_lock)
        {
            next = _closed ? null : HandOff<WorkerProcess>.EndOldest(_waiters);
            if (next is null && !_closed)
            {
                _idle.Push(worker);
                return;
            }
        }

        if (next is null)
        {
            worker.Dispose();
            return;
        }

        next.Give(worker);
    }

    /// <summary>Stops the pool: idle workers are disposed, waiting calls fail, workers given back later are disposed.</summary>
    public void Close()
    {
        List<HandOff<WorkerProcess>> waiting;
        List<WorkerProcess> idle;
        lock (_lock)
        {
            _closed = true;
            waiting = [.. _waiters.Where(waiter => waiter.TryEnd())];
            _waiters.Clear();
            idle = [.. _idle];
            _idle.Clear();
        }

        foreach (var waiter in waiting)
        {
            waiter.Fail(new ObjectDisposedException(nameof(IdleWorkers)));
        }

        foreach (var worker in idle)
        {
            worker.Dispose();
        }
    }
}
