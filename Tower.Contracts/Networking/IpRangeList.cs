using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Tower.Contracts.Networking;

/// <summary>
/// A comma-separated list of IPv4/IPv6 addresses and CIDR ranges, as in an authenticator's
/// <c>allowed_ips</c> and <c>trusted_proxy_ips</c>. The Admin service validates it at save time
/// and the gateway matches callers against the parsed form.
/// </summary>
public sealed class IpRangeList
{
    private readonly IpRange[] _ranges;
    private readonly bool _hasRefusedEntries;

    private IpRangeList(IpRange[] ranges, bool hasRefusedEntries)
    {
        _ranges = ranges;
        _hasRefusedEntries = hasRefusedEntries;
    }

    public static IpRangeList Empty { get; } = new([], false);

    /// <summary>
    /// Loopback, private, link-local, shared (CGNAT), multicast, documentation and other
    /// special-purpose ranges of IPv4 and IPv6: no country, and never a target for scripts.
    /// </summary>
    public static IpRangeList SpecialPurpose { get; } = Parse(
        "0.0.0.0/8, 10.0.0.0/8, 100.64.0.0/10, 127.0.0.0/8, 169.254.0.0/16, 172.16.0.0/12, 192.0.0.0/24, 192.0.2.0/24, " +
        "192.88.99.0/24, 192.168.0.0/16, 198.18.0.0/15, 198.51.100.0/24, 203.0.113.0/24, 224.0.0.0/4, 240.0.0.0/4, " +
        "::/128, ::1/128, 64:ff9b::/96, 100::/64, 2001:db8::/32, fc00::/7, fe80::/10, ff00::/8",
        out _);

    /// <summary>
    /// Whether the list has no entries at all (an empty allowlist lets everyone in). A list whose
    /// every entry is refused is not empty but matches nobody, so that a stored list the rules no
    /// longer accept (a leading-zero IPv4 entry saved before they refused it) fails closed.
    /// </summary>
    public bool IsEmpty => _ranges.Length == 0 && !_hasRefusedEntries;

    /// <summary>
    /// Parses the list; every entry that is not an address or CIDR range is reported by its text.
    /// An IPv4 entry with a leading zero in a number (<c>192.168.001.010</c>) is refused: some
    /// systems read it as octal, others as decimal, so it cannot be taken at its word.
    /// </summary>
    public static IpRangeList Parse(string? text, out IReadOnlyList<string> invalidEntries)
    {
        var ranges = new List<IpRange>();
        var invalid = new List<string>();
        foreach (var raw in (text ?? "").Split(','))
        {
            var entry = raw.Trim();
            if (entry.Length == 0)
            {
                continue;
            }

            if (!HasLeadingZero(entry) && IpRange.TryParse(entry, out var range))
            {
                ranges.Add(range);
            }
            else
            {
                invalid.Add(entry);
            }
        }

        invalidEntries = invalid;
        return new IpRangeList([.. ranges], invalid.Count > 0);
    }

    /// <summary>Whether the entry's IPv4 address (before any <c>/prefix</c>) has a number written with a leading zero, such as <c>010</c>.</summary>
    public static bool HasLeadingZero(ReadOnlySpan<char> entry)
    {
        var slash = entry.IndexOf('/');
        var address = slash < 0 ? entry : entry[..slash];
        if (address.Contains(':'))
        {
            return false;
        }

        foreach (var range in address.Split('.'))
        {
            var number = address[range];
            if (number.Length > 1 && number[0] == '0')
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the address (IPv4-mapped addresses as IPv4) falls in one of the ranges.</summary>
    public bool Contains(IPAddress address)
    {
        address = Normalize(address);
        foreach (var range in _ranges)
        {
            if (range.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>IPv4-mapped IPv6 addresses become the IPv4 address they carry.</summary>
    public static IPAddress Normalize(IPAddress address) =>
        address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>
    /// Parses one address strictly: dotted-quad IPv4 (no shorthand such as <c>10.1</c>) or
    /// IPv6 without a zone; IPv4-mapped addresses become IPv4.
    /// </summary>
    public static bool TryParseAddress(ReadOnlySpan<char> text, out IPAddress address)
    {
        address = IPAddress.None;
        if (text.IsEmpty || text.Contains('%'))
        {
            return false;
        }

        if (text.Contains(':'))
        {
            if (!IPAddress.TryParse(text, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return false;
            }

            address = Normalize(v6);
            return true;
        }

        var parts = 0;
        foreach (var range in text.Split('.'))
        {
            var part = text[range];
            if (part.Length is 0 or > 3 || !int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value > 255)
            {
                return false;
            }

            parts++;
        }

        if (parts != 4 || !IPAddress.TryParse(text, out var v4))
        {
            return false;
        }

        address = v4;
        return true;
    }

    private readonly struct IpRange
    {
        private readonly byte[] _network;
        private readonly int _prefix;

        private IpRange(byte[] network, int prefix)
        {
            _network = network;
            _prefix = prefix;
        }

        public static bool TryParse(string entry, out IpRange range)
        {
            range = default;
            var slash = entry.IndexOf('/');
            var addressText = slash < 0 ? entry.AsSpan() : entry.AsSpan(0, slash);
            if (!TryParseAddress(addressText, out var address))
            {
                return false;
            }

            var bits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
            var prefix = bits;
            if (slash >= 0)
            {
                var prefixText = entry.AsSpan(slash + 1);
                if (prefixText.Length is 0 or > 3
                    || !int.TryParse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture, out prefix)
                    || prefix > bits)
                {
                    return false;
                }
            }

            range = new IpRange(address.GetAddressBytes(), prefix);
            return true;
        }

        public bool Contains(IPAddress address)
        {
            Span<byte> bytes = stackalloc byte[16];
            if (!address.TryWriteBytes(bytes, out var written) || written != _network.Length)
            {
                return false;
            }

            var whole = _prefix / 8;
            if (!bytes[..whole].SequenceEqual(_network.AsSpan(0, whole)))
            {
                return false;
            }

            var rest = _prefix % 8;
            if (rest == 0)
            {
                return true;
            }

            var mask = (byte)(0xFF << (8 - rest));
            return (bytes[whole] & mask) == (_network[whole] & mask);
        }
    }
}
