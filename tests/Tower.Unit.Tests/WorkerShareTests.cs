using Microsoft.Extensions.Time.Testing;
using Tower.Scripting.Workers;

namespace Tower.Unit.Tests;

/// <summary>One webhook's places in a service's workers (spec §14): at most its limit at once, a second's wait, fair hand-offs.</summary>
public sealed class WorkerShareTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(1);
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task A_webhook_holds_at_most_its_limit_of_places_at_once()
    {
        using var share = new WorkerShare(2, Wait, _time);

        Assert.True(await TakenAtOnce(share));
        Assert.True(await TakenAtOnce(share));
        Assert.False(share.TakeAsync(CancellationToken.None).IsCompleted);
    }

    [Fact]
    public async Task A_place_given_back_goes_to_the_call_that_waits_longest_on_the_giving_thread()
    {
        using var share = new WorkerShare(1, Wait, _time);
        Assert.True(await share.TakeAsync(CancellationToken.None));
        var first = ThreadThatGotAPlace(share);
        var second = ThreadThatGotAPlace(share);

        // Released where a worker's answer is read: a thread with no synchronization context.
        var (firstHadItsPlace, releasingThread) = await Task.Run(() =>
        {
            share.Release();
            return (first.IsCompleted, Environment.CurrentManagedThreadId);
        });

        Assert.True(firstHadItsPlace, "the oldest waiter has its place as soon as Release returns");
        Assert.Equal(releasingThread, await first);
        Assert.False(second.IsCompleted);
    }

    [Fact]
    public async Task A_call_that_finds_no_place_within_a_second_is_refused_and_takes_none()
    {
        using var share = new WorkerShare(1, Wait, _time);
        Assert.True(await share.TakeAsync(CancellationToken.None));
        var waiting = share.TakeAsync(CancellationToken.None).AsTask();

        _time.Advance(TimeSpan.FromMilliseconds(950));
        Assert.False(waiting.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(100));

        Assert.True(waiting.IsCompleted, "the wait ends within a tick of its second");
        Assert.False(await waiting);
        share.Release();
        Assert.True(await TakenAtOnce(share));
    }

    [Fact]
    public async Task A_call_whose_caller_left_stops_waiting_and_takes_no_place()
    {
        using var share = new WorkerShare(1, Wait, _time);
        Assert.True(await share.TakeAsync(CancellationToken.None));
        using var left = new CancellationTokenSource();
        var waiting = share.TakeAsync(left.Token).AsTask();

        await left.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        share.Release();
        Assert.True(await TakenAtOnce(share));
        Assert.False(share.TakeAsync(CancellationToken.None).IsCompleted);
    }

    private static ValueTask<bool> TakenAtOnce(WorkerShare share)
    {
        var taking = share.TakeAsync(CancellationToken.None);
        Assert.True(taking.IsCompleted, "a free place is taken without waiting");
        return taking;
    }

    private static async Task<int> ThreadThatGotAPlace(WorkerShare share)
    {
        Assert.True(await share.TakeAsync(CancellationToken.None).ConfigureAwait(false));
        return Environment.CurrentManagedThreadId;
    }
}
