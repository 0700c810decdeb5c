using Tower.Gateway.Calls;

namespace Tower.Unit.Tests;

public sealed class SpillStoreTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tower-spill-test-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void Batches_come_back_in_order_from_sealed_segments_oldest_first()
    {
        using var spill = new SpillStore(_directory);
        spill.Append([1, 2, 3]);
        spill.Append([4]);
        var first = spill.Seal();
        spill.Append([5, 6]);

        var all = spill.Seal();

        Assert.Single(first);
        Assert.False(spill.HasOpenSegment);
        Assert.Equal(2, all.Count);
        Assert.Equal(first[0], all[0]);
        Assert.Equal([[1, 2, 3], [4], [5, 6]], all.SelectMany(SpillStore.ReadBatches).ToList());
    }

    [Fact]
    public void A_frame_torn_by_a_crash_is_where_reading_stops()
    {
        using (var spill = new SpillStore(_directory))
        {
            spill.Append([7, 7, 7]);
        }

        var segment = Directory.GetFiles(_directory, "*" + SpillStore.Extension).Single();
        using (var stream = new FileStream(segment, FileMode.Append))
        {
            stream.Write([100, 0, 0, 0, 1, 2]);
        }

        Assert.Equal([[7, 7, 7]], SpillStore.ReadBatches(segment).ToList());
    }

    [Fact]
    public void Nothing_spilled_is_no_segment()
    {
        using var spill = new SpillStore(_directory);

        Assert.Empty(spill.Seal());
        Assert.Empty(Directory.GetFiles(_directory, "*" + SpillStore.Extension));
    }

    [Fact]
    public void A_second_store_on_the_same_directory_is_refused_while_the_first_is_open()
    {
        using (var first = new SpillStore(_directory))
        {
            first.Append([1]);

            var refused = Assert.Throws<InvalidOperationException>(() => new SpillStore(_directory));
            Assert.Contains("Gateway:SpillDirectory", refused.Message, StringComparison.Ordinal);
        }

        using var next = new SpillStore(_directory);
        Assert.Equal([[1]], next.Seal().SelectMany(SpillStore.ReadBatches).ToList());
    }
}
