using System.Collections.Concurrent;
using System.Net;
using Tower.Contracts.Configuration;

namespace Tower.Gateway.Traffic;

/// <summary>
/// Webhooks' rate limits (spec §10), in this gateway replica's memory: a window opens with the
/// first call a count admits and lasts <c>per_seconds</c>; within it at most <c>requests</c>
/// calls are admitted. A refused call does not count. Windows long over are swept away.
/// </summary>
public sealed class RateLimits(TimeProvider time)
{
    /// <summary>
    /// The most counts kept at once: callers spread over many addresses (an IPv6 range) cannot
    /// grow memory without bound. A new count past it is refused as over its limit.
    /// </summary>
    public const int MaxCounts = 200_000;

    private readonly ConcurrentDictionary<(string Webhook, IPAddress? Client), Window> _windows = new();
    private long _lastSweep = time.GetTimestamp();

    /// <summary>Admits the call, or says in how many whole seconds (at least 1) the window ends.</summary>
    public bool TryAdmit(string webhook, RateLimitDefinition limit, IPAddress client, out int retryAfterSeconds)
    {
        var now = time.GetTimestamp();
        var length = TimeSpan.FromSeconds(limit.PerSeconds ?? 1);
        SweepIfDue(now);
        var key = (webhook, limit.By == RateLimitDefinition.ByWebhook ? null : client);
        if (!_windows.TryGetValue(key, out var window) && _windows.Count >= MaxCounts)
        {
            retryAfterSeconds = 1;
            return false;
        }

        window ??= _windows.GetOrAdd(key, _ => new Window());
        lock (window)
        {
            if (window.Count == 0 || time.GetElapsedTime(window.Start, now) >= length)
            {
                (window.Start, window.Count, window.Length) = (now, 0, length);
            }

            if (window.Count < (limit.Requests ?? 1))
            {
                window.Count++;
                retryAfterSeconds = 0;
                return true;
            }

            retryAfterSeconds = Math.Max(1, (int)Math.Ceiling((length - time.GetElapsedTime(window.Start, now)).TotalSeconds));
            return false;
        }
    }

    /// <summary>Once a minute, forgets the windows that have ended.</summary>
    private void SweepIfDue(long now)
    {
        var last = Interlocked.Read(ref _lastSweep);
        if (time.GetElapsedTime(last, now) < TimeSpan.FromMinutes(1) || Interlocked.CompareExchange(ref _lastSweep, now, last) != last)
        {
            return;
        }

        foreach (var (key, window) in _windows)
        {
            lock (window)
            {
                if (time.GetElapsedTime(window.Start, now) >= window.Length)
                {
                    _windows.TryRemove(new KeyValuePair<(string, IPAddress?), Window>(key, window));
                }
            }
        }
    }

    private sealed class Window
    {
        public long Start { get; set; }
        public int Count { get; set; }
        public TimeSpan Length { get; set; }
    }
}
