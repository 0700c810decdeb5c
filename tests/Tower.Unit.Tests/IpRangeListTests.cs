using System.Net;
using Tower.Contracts.Networking;

namespace Tower.Unit.Tests;

public class IpRangeListTests
{
    [Fact]
    public void Each_invalid_entry_is_reported_by_its_text()
    {
        IpRangeList.Parse(" 10.0.0.0/24, 300.1.1.1, 10.1, ::1/129, fe80::1%eth0, 192.168.1.10 , abc", out var invalid);

        Assert.Equal(["300.1.1.1", "10.1", "::1/129", "fe80::1%eth0", "abc"], invalid);
    }

    [Theory]
    [InlineData("192.168.1.10", "192.168.1.10", true)]
    [InlineData("192.168.1.10", "192.168.1.11", false)]
    [InlineData("10.0.0.0/24", "10.0.0.255", true)]
    [InlineData("10.0.0.0/24", "10.0.1.0", false)]
    [InlineData("10.0.0.0/23", "10.0.1.200", true)]
    [InlineData("0.0.0.0/0", "203.0.113.1", true)]
    [InlineData("0.0.0.0/0", "2001:db8::1", false)]
    [InlineData("::/0", "203.0.113.1", false)]
    [InlineData("2001:db8::/32", "2001:db8:ffff::1", true)]
    [InlineData("2001:db8::/32", "2001:db9::1", false)]
    [InlineData("127.0.0.0/8", "::ffff:127.0.0.5", true)]
    [InlineData("::ffff:127.0.0.1", "127.0.0.1", true)]
    public void Addresses_match_their_ranges(string list, string address, bool expected)
    {
        var ranges = IpRangeList.Parse(list, out var invalid);

        Assert.Empty(invalid);
        Assert.Equal(expected, ranges.Contains(IPAddress.Parse(address)));
    }

    [Fact]
    public void An_empty_list_is_empty()
    {
        Assert.True(IpRangeList.Parse(" , ", out var invalid).IsEmpty);
        Assert.Empty(invalid);
    }
}
