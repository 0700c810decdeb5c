using System.Net;
using Microsoft.Extensions.Primitives;
using Tower.Contracts.Networking;
using Tower.Gateway.Webhooks;

namespace Tower.Unit.Tests;

public class ClientIpResolverTests
{
    public static TheoryData<string, string, string[], string?, string> Cases => new()
    {
        // peer, trusted proxies, X-Forwarded-For lines, X-Real-IP, expected client
        { "203.0.113.9", "", ["198.51.100.1"], null, "203.0.113.9" },
        { "203.0.113.9", "10.0.0.0/8", ["198.51.100.1"], "198.51.100.2", "203.0.113.9" },
        { "10.0.0.1", "10.0.0.0/8", ["198.51.100.1"], null, "198.51.100.1" },
        { "10.0.0.1", "10.0.0.0/8", ["6.6.6.6, 198.51.100.1"], null, "198.51.100.1" },
        { "10.0.0.1", "10.0.0.0/8", ["6.6.6.6, 198.51.100.1, 10.0.0.7"], null, "198.51.100.1" },
        { "10.0.0.1", "10.0.0.0/8", ["6.6.6.6", "198.51.100.1", "10.0.0.7"], null, "198.51.100.1" },
        { "10.0.0.1", "10.0.0.0/8", ["10.0.0.9, 10.0.0.7"], null, "10.0.0.9" },
        { "10.0.0.1", "10.0.0.0/8", ["198.51.100.1:5678"], null, "198.51.100.1" },
        { "10.0.0.1", "10.0.0.0/8", ["[2001:db8::1]:443"], null, "2001:db8::1" },
        { "10.0.0.1", "10.0.0.0/8", ["2001:db8::5"], null, "2001:db8::5" },
        { "10.0.0.1", "10.0.0.0/8", ["::ffff:198.51.100.4"], null, "198.51.100.4" },
        { "10.0.0.1", "10.0.0.0/8", ["198.51.100.1, garbage, 10.0.0.7"], "192.0.2.5", "192.0.2.5" },
        { "10.0.0.1", "10.0.0.0/8", ["garbage"], "not-an-ip", "10.0.0.1" },
        { "10.0.0.1", "10.0.0.0/8", [], "192.0.2.5", "192.0.2.5" },
        { "10.0.0.1", "10.0.0.0/8", [], null, "10.0.0.1" },
        { "::ffff:10.0.0.1", "10.0.0.0/8", ["198.51.100.1"], null, "198.51.100.1" },
        { "2001:db8:1::1", "2001:db8:1::/48", ["198.51.100.1"], null, "198.51.100.1" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Client_is_resolved_per_the_contract(string peer, string trusted, string[] forwardedFor, string? realIp, string expected)
    {
        var proxies = IpRangeList.Parse(trusted, out var invalid);
        Assert.Empty(invalid);

        var client = ClientIpResolver.Resolve(IPAddress.Parse(peer), proxies, new StringValues(forwardedFor), realIp);

        Assert.Equal(IPAddress.Parse(expected), client);
    }

    [Fact]
    public void Xff_from_untrusted_peer_is_ignored_even_when_it_names_a_trusted_proxy()
    {
        var proxies = IpRangeList.Parse("10.0.0.0/8", out _);

        var client = ClientIpResolver.Resolve(IPAddress.Parse("198.51.100.77"), proxies, new StringValues("10.0.0.1"), "10.0.0.2");

        Assert.Equal(IPAddress.Parse("198.51.100.77"), client);
    }
}
