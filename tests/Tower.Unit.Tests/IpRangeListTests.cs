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

    [Theory]
    [InlineData("192.168.001.010")]
    [InlineData("010.0.0.1")]
    [InlineData("10.0.0.01")]
    [InlineData("00.0.0.0")]
    [InlineData("010.0.0.0/8")]
    [InlineData("192.168.1.000/24")]
    public void An_ipv4_entry_with_a_leading_zero_is_refused_by_its_text(string entry)
    {
        var ranges = IpRangeList.Parse($"203.0.113.0/24, {entry}", out var invalid);

        Assert.Equal([entry], invalid);
        Assert.True(IpRangeList.HasLeadingZero(entry));
        Assert.False(ranges.Contains(IPAddress.Parse("8.0.0.1")));
        Assert.False(ranges.Contains(IPAddress.Parse("192.168.1.8")));
    }

    [Theory]
    [InlineData("0.0.0.0/0")]
    [InlineData("10.0.0.0/8")]
    [InlineData("192.168.100.10")]
    [InlineData("2001:0db8::1")]
    [InlineData("::ffff:10.0.0.1")]
    public void Zeros_that_are_not_leading_are_accepted(string entry)
    {
        IpRangeList.Parse(entry, out var invalid);

        Assert.Empty(invalid);
        Assert.False(IpRangeList.HasLeadingZero(entry));
    }

    [Fact]
    public void A_list_whose_every_entry_is_refused_is_not_empty_and_matches_nobody()
    {
        var ranges = IpRangeList.Parse("010.0.0.1", out _);

        Assert.False(ranges.IsEmpty);
        Assert.False(ranges.Contains(IPAddress.Parse("8.0.0.1")));
        Assert.False(ranges.Contains(IPAddress.Parse("10.0.0.1")));
    }
}
