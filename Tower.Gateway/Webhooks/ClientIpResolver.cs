using System.Net;
using Microsoft.Extensions.Primitives;
using Tower.Contracts.Networking;

namespace Tower.Gateway.Webhooks;

/// <summary>
/// Who the caller is. Forwarding headers count only when the TCP peer is a trusted proxy; then
/// <c>X-Forwarded-For</c> is walked from right to left past trusted proxies (the left-most
/// entries are whatever the caller wrote), with <c>X-Real-IP</c> as the fallback.
/// </summary>
public static class ClientIpResolver
{
    public static IPAddress Resolve(IPAddress peer, IpRangeList trustedProxies, StringValues forwardedFor, string? realIp)
    {
        peer = IpRangeList.Normalize(peer);
        if (trustedProxies.IsEmpty || !trustedProxies.Contains(peer))
        {
            return peer;
        }

        var entries = new List<string>();
        foreach (var line in forwardedFor)
        {
            if (line is null)
            {
                continue;
            }

            foreach (var entry in line.Split(','))
            {
                entries.Add(entry.Trim());
            }
        }

        IPAddress? leftMost = null;
        var walkedAll = true;
        for (var i = entries.Count - 1; i >= 0; i--)
        {
            if (!TryParseEntry(entries[i], out var address))
            {
                walkedAll = false;
                break;
            }

            if (!trustedProxies.Contains(address))
            {
                return address;
            }

            leftMost = address;
        }

        if (walkedAll && leftMost is not null)
        {
            return leftMost;
        }

        return realIp is not null && TryParseEntry(realIp.Trim(), out var real) ? real : peer;
    }

    /// <summary>An address with any port stripped: <c>1.2.3.4:5678</c>, <c>[2001:db8::1]:443</c>, <c>[2001:db8::1]</c>.</summary>
    public static bool TryParseEntry(string entry, out IPAddress address)
    {
        var text = entry.AsSpan();
        if (text.StartsWith("["))
        {
            var close = text.IndexOf(']');
            if (close < 0)
            {
                address = IPAddress.None;
                return false;
            }

            var rest = text[(close + 1)..];
            if (!rest.IsEmpty && !IsPort(rest))
            {
                address = IPAddress.None;
                return false;
            }

            text = text[1..close];
            if (!text.Contains(':'))
            {
                address = IPAddress.None;
                return false;
            }

            return IpRangeList.TryParseAddress(text, out address);
        }

        var colon = text.IndexOf(':');
        if (colon >= 0 && colon == text.LastIndexOf(':'))
        {
            if (!IsPort(text[colon..]))
            {
                address = IPAddress.None;
                return false;
            }

            text = text[..colon];
        }

        return IpRangeList.TryParseAddress(text, out address);
    }

    private static bool IsPort(ReadOnlySpan<char> text) =>
        text.Length is >= 2 and <= 6 && text[0] == ':' && ushort.TryParse(text[1..], System.Globalization.NumberStyles.None, null, out _);
}
