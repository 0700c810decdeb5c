using Tower.Scripting.Workers;

namespace Tower.Unit.Tests;

/// <summary>Which subordinate ids a service's workers run as (subuid(5), subgid(5)).</summary>
public sealed class SubordinateIdsTests
{
    [Fact]
    public void The_first_range_of_the_user_by_name_or_uid_gives_the_worker_ids()
    {
        string[] subuid = ["alice:100000:65536", "tower:1879048192:65536", "tower:2000000000:10"];
        string[] subgid = ["alice:100000:65536", "995:1879113728:65536"];

        var ids = SubordinateIds.Find("tower", "995", subuid, subgid);

        Assert.Equal(new SubordinateIds(1879048192, 1879113728), ids);
    }

    [Theory]
    [InlineData("alice:100000:65536", "tower:100000:65536")]
    [InlineData("tower:100000:0", "tower:100000:65536")]
    [InlineData("tower:x:65536", "tower:100000:65536")]
    [InlineData("tower:100000", "tower:100000:65536")]
    public void Without_a_usable_range_in_both_files_workers_keep_the_service_user(string subuidLine, string subgidLine)
    {
        Assert.Null(SubordinateIds.Find("tower", "995", [subuidLine], [subgidLine]));
    }
}
