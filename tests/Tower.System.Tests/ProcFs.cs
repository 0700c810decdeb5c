using System.Globalization;
using System.Net;
using System.Text;

namespace Tower.System.Tests;

/// <summary>What Linux's /proc tells about another process (the tests run as root, so they can read it).</summary>
public static class ProcFs
{
    private const string Listening = "0A";

    /// <summary>The environment a process started with.</summary>
    public static IReadOnlyDictionary<string, string> Environment(int pid)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in Encoding.UTF8.GetString(File.ReadAllBytes($"/proc/{pid}/environ")).Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = entry.IndexOf('=');
            variables[equals < 0 ? entry : entry[..equals]] = equals < 0 ? "" : entry[(equals + 1)..];
        }

        return variables;
    }

    /// <summary>The TCP addresses a process listens on: its socket descriptors, found in the kernel's TCP tables.</summary>
    public static IReadOnlyList<IPEndPoint> ListeningEndpoints(int pid)
    {
        var inodes = SocketInodes(pid);
        var endpoints = new List<IPEndPoint>();
        foreach (var table in new[] { $"/proc/{pid}/net/tcp", $"/proc/{pid}/net/tcp6" })
        {
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields[3] == Listening && inodes.Contains(fields[9]))
                {
                    endpoints.Add(ParseEndpoint(fields[1]));
                }
            }
        }

        return endpoints;
    }

    /// <summary>The paths of the Unix sockets a process holds, such as .NET's diagnostics socket.</summary>
    public static IReadOnlyList<string> UnixSocketPaths(int pid)
    {
        var inodes = SocketInodes(pid);
        var paths = new List<string>();
        foreach (var line in File.ReadLines($"/proc/{pid}/net/unix").Skip(1))
        {
            // Num RefCount Protocol Flags Type St Inode Path
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 7 && inodes.Contains(fields[6]))
            {
                paths.Add(fields[7]);
            }
        }

        return paths;
    }

    /// <summary>Whether an address is on loopback (an IPv4-mapped IPv6 address counts as its IPv4 one).</summary>
    public static bool IsLoopback(IPAddress address) =>
        IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    private static HashSet<string> SocketInodes(int pid)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var descriptor in Directory.GetFiles($"/proc/{pid}/fd"))
        {
            if (new FileInfo(descriptor).LinkTarget is { } target && target.StartsWith("socket:[", StringComparison.Ordinal))
            {
                inodes.Add(target["socket:[".Length..^1]);
            }
        }

        return inodes;
    }

    /// <summary>
    /// <c>0100007F:1F90</c> or <c>00000000000000000000000001000000:1F90</c>: the address as 32-bit
    /// words in the kernel's (little-endian) byte order, the port in hexadecimal.
    /// </summary>
    private static IPEndPoint ParseEndpoint(string text)
    {
        var colon = text.IndexOf(':');
        var hex = text[..colon];
        var bytes = new byte[hex.Length / 2];
        for (var word = 0; word < bytes.Length / 4; word++)
        {
            for (var i = 0; i < 4; i++)
            {
                bytes[word * 4 + i] = byte.Parse(hex.AsSpan(word * 8 + (3 - i) * 2, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            }
        }

        return new IPEndPoint(new IPAddress(bytes), int.Parse(text.AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
    }
}
