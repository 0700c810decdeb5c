using System.Net;
using Microsoft.Extensions.Time.Testing;
using Tower.Contracts.Configuration;
using Tower.Gateway.Traffic;

namespace Tower.Unit.Tests;

/// <summary>Rate limits and lockouts (spec §10, §14) against a clock the tests move.</summary>
public sealed class TrafficControlTests
{
    private static readonly IPAddress Alice = IPAddress.Parse("203.0.113.7");
    private static readonly IPAddress Bob = IPAddress.Parse("2001:db8::9");

    [Fact]
    public void A_rate_limit_admits_its_count_per_window_and_says_when_the_window_ends()
    {
        var clock = new FakeTimeProvider();
        var limits = new RateLimits(clock);
        var limit = new RateLimitDefinition { Requests = 2, PerSeconds = 10, By = RateLimitDefinition.ByClientIp };

        Assert.True(limits.TryAdmit("orders", limit, Alice, out _));
        clock.Advance(TimeSpan.FromSeconds(3.2));
        Assert.True(limits.TryAdmit("orders", limit, Alice, out _));
        Assert.False(limits.TryAdmit("orders", limit, Alice, out var retryAfter));
        Assert.Equal(7, retryAfter);
        // Another address has its own count; a refused call does not count.
        Assert.True(limits.TryAdmit("orders", limit, Bob, out _));
        clock.Advance(TimeSpan.FromSeconds(6.7));
        Assert.False(limits.TryAdmit("orders", limit, Alice, out retryAfter));
        Assert.Equal(1, retryAfter);
        clock.Advance(TimeSpan.FromSeconds(0.1));
        Assert.True(limits.TryAdmit("orders", limit, Alice, out _));
    }

    [Fact]
    public void A_rate_limit_by_webhook_counts_every_caller_together()
    {
        var limits = new RateLimits(new FakeTimeProvider());
        var limit = new RateLimitDefinition { Requests = 1, PerSeconds = 60, By = RateLimitDefinition.ByWebhook };

        Assert.True(limits.TryAdmit("orders", limit, Alice, out _));
        Assert.False(limits.TryAdmit("orders", limit, Bob, out var retryAfter));
        Assert.Equal(60, retryAfter);
        Assert.True(limits.TryAdmit("refunds", limit, Bob, out _));
    }

    [Fact]
    public void Failures_within_the_window_block_the_address_for_the_block_time_and_no_longer()
    {
        var clock = new FakeTimeProvider();
        var lockouts = new Lockouts(clock);
        var lockout = new LockoutDefinition { Failures = 3, WindowSeconds = 60, BlockSeconds = 30 };

        lockouts.RecordRefusal("shop", lockout, Alice);
        lockouts.RecordRefusal("shop", lockout, Alice);
        Assert.False(lockouts.IsBlocked("shop", Alice, out _));
        clock.Advance(TimeSpan.FromSeconds(10));
        lockouts.RecordRefusal("shop", lockout, Alice);

        Assert.True(lockouts.IsBlocked("shop", Alice, out var retryAfter));
        Assert.Equal(30, retryAfter);
        Assert.False(lockouts.IsBlocked("shop", Bob, out _));
        Assert.False(lockouts.IsBlocked("other", Alice, out _));
        clock.Advance(TimeSpan.FromSeconds(29.5));
        Assert.True(lockouts.IsBlocked("shop", Alice, out retryAfter));
        Assert.Equal(1, retryAfter);
        clock.Advance(TimeSpan.FromSeconds(0.5));
        Assert.False(lockouts.IsBlocked("shop", Alice, out _));
    }

    [Fact]
    public void Failures_spread_wider_than_the_window_never_block()
    {
        var clock = new FakeTimeProvider();
        var lockouts = new Lockouts(clock);
        var lockout = new LockoutDefinition { Failures = 2, WindowSeconds = 5, BlockSeconds = 30 };

        for (var i = 0; i < 5; i++)
        {
            lockouts.RecordRefusal("shop", lockout, Alice);
            clock.Advance(TimeSpan.FromSeconds(5));
        }

        Assert.False(lockouts.IsBlocked("shop", Alice, out _));
    }

    [Fact]
    public async Task A_webhook_never_has_more_calls_in_its_code_than_its_limit()
    {
        var slots = new ConcurrencySlots();

        using var first = await slots.TakeAsync("slow", 2, TimeSpan.Zero);
        var second = await slots.TakeAsync("slow", 2, TimeSpan.Zero);
        var third = await slots.TakeAsync("slow", 2, TimeSpan.FromMilliseconds(50));

        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Null(third);
        second!.Dispose();
        second.Dispose();
        using var fourth = await slots.TakeAsync("slow", 2, TimeSpan.Zero);
        Assert.NotNull(fourth);
        Assert.Null(await slots.TakeAsync("slow", 2, TimeSpan.Zero));
    }
}
