using System.Collections.Concurrent;
using System.Net;
using Tower.Contracts.Configuration;

namespace Tower.Gateway.Traffic;

/// <summary>
/// Authenticators' lockouts (spec §10, §14), in this gateway replica's memory: refusals per
/// authenticator and resolved client address; the <c>failures</c>-th refusal within
/// <c>window_seconds</c> blocks the address for <c>block_seconds</c>. A success does not reset the
/// count, and calls during a block do not extend it. Idle entries are swept away.
/// </summary>
public sealed class Lockouts(TimeProvider time)
{
    /// <summary>
    /// The most addresses followed at once: refusals spread over many addresses (an IPv6 range)
    /// cannot grow memory without bound; past it, refusals from new addresses are not counted.
    /// </summary>
    public const int MaxAddresses = 200_000;

    private readonly ConcurrentDictionary<(string Authenticator, IPAddress Client), Record> _records = new();
    private long _lastSweep = time.GetTimestamp();

    /// <summary>Whether the address is blocked now, and for how many more whole seconds (at least 1).</summary>
    public bool IsBlocked(string authenticator, IPAddress client, out int retryAfterSeconds)
    {
        retryAfterSeconds = 0;
        if (!_records.TryGetValue((authenticator, client), out var record))
        {
            return false;
        }

        var now = time.GetTimestamp();
        lock (record)
        {
            if (record.BlockedUntil is not { } until || time.GetElapsedTime(now, until) <= TimeSpan.Zero)
            {
                return false;
            }

            retryAfterSeconds = Math.Max(1, (int)Math.Ceiling(time.GetElapsedTime(now, until).TotalSeconds));
            return true;
        }
    }

    /// <summary>Counts a refusal at steps 8-9 (a verifier's 401, the code's <c>allowed = false</c>).</summary>
    public void RecordRefusal(string authenticator, LockoutDefinition lockout, IPAddress client)
    {
        var now = time.GetTimestamp();
        SweepIfDue(now);
        var window = TimeSpan.FromSeconds(lockout.WindowSeconds ?? 1);
        var failures = lockout.Failures ?? 1;
        if (!_records.TryGetValue((authenticator, client), out var record))
        {
            if (_records.Count >= MaxAddresses)
            {
                return;
            }

            record = _records.GetOrAdd((authenticator, client), _ => new Record());
        }

        lock (record)
        {
            record.Keep = window + TimeSpan.FromSeconds(lockout.BlockSeconds ?? 1);
            record.LastSeen = now;
            while (record.Refusals.Count > 0 && time.GetElapsedTime(record.Refusals.Peek(), now) >= window)
            {
                record.Refusals.Dequeue();
            }

            record.Refusals.Enqueue(now);
            while (record.Refusals.Count > failures)
            {
                record.Refusals.Dequeue();
            }

            var blocked = record.BlockedUntil is { } until && time.GetElapsedTime(now, until) > TimeSpan.Zero;
            if (!blocked && record.Refusals.Count >= failures)
            {
                record.BlockedUntil = now + (long)(TimeSpan.FromSeconds(lockout.BlockSeconds ?? 1).TotalSeconds * time.TimestampFrequency);
                record.Refusals.Clear();
            }
        }
    }

    /// <summary>Once a minute, forgets addresses neither blocked nor refused lately.</summary>
    private void SweepIfDue(long now)
    {
        var last = Interlocked.Read(ref _lastSweep);
        if (time.GetElapsedTime(last, now) < TimeSpan.FromMinutes(1) || Interlocked.CompareExchange(ref _lastSweep, now, last) != last)
        {
            return;
        }

        foreach (var (key, record) in _records)
        {
            lock (record)
            {
                if (time.GetElapsedTime(record.LastSeen, now) >= record.Keep)
                {
                    _records.TryRemove(new KeyValuePair<(string, IPAddress), Record>(key, record));
                }
            }
        }
    }

    private sealed class Record
    {
        public Queue<long> Refusals { get; } = new();
        public long? BlockedUntil { get; set; }
        public long LastSeen { get; set; }
        public TimeSpan Keep { get; set; }
    }
}
