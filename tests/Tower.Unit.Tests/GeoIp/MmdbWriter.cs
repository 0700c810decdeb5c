using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Tower.Unit.Tests.GeoIp;

/// <summary>
/// Writes a tiny MaxMind DB (format 2.0): an IPv6 search tree with 32-bit records (IPv4 networks
/// under ::/96), a data section and the metadata. Enough to test lookups deterministically
/// without committing a third-party database.
/// </summary>
public static class MmdbWriter
{
    public static byte[] Build(string databaseType, IEnumerable<(string Network, Dictionary<string, object> Data)> networks)
    {
        var root = new Node();
        var data = new List<byte>();
        var offsets = new Dictionary<Dictionary<string, object>, int>(ReferenceEqualityComparer.Instance);
        foreach (var (network, record) in networks)
        {
            if (!offsets.TryGetValue(record, out var offset))
            {
                offsets[record] = offset = data.Count;
                Encode(data, record);
            }

            var (bits, prefix) = Bits(network);
            var node = root;
            for (var i = 0; i < prefix - 1; i++)
            {
                node = bits[i] ? node.Right ??= new Node() : node.Left ??= new Node();
            }

            if (bits[prefix - 1])
            {
                node.RightData = offset;
            }
            else
            {
                node.LeftData = offset;
            }
        }

        var nodes = new List<Node>();
        var queue = new Queue<Node>([root]);
        while (queue.Count > 0)
        {
            var node = queue.Dequeue();
            node.Index = nodes.Count;
            nodes.Add(node);
            foreach (var child in new[] { node.Left, node.Right })
            {
                if (child is not null)
                {
                    queue.Enqueue(child);
                }
            }
        }

        var count = (uint)nodes.Count;
        uint Record(Node? child, int? dataOffset) =>
            child is not null ? (uint)child.Index : dataOffset is { } at ? count + 16 + (uint)at : count;

        var file = new List<byte>();
        foreach (var node in nodes)
        {
            WriteUInt32(file, Record(node.Left, node.LeftData));
            WriteUInt32(file, Record(node.Right, node.RightData));
        }

        file.AddRange(new byte[16]);
        file.AddRange(data);
        file.AddRange([0xAB, 0xCD, 0xEF]);
        file.AddRange(Encoding.ASCII.GetBytes("MaxMind.com"));
        Encode(file, new Dictionary<string, object>
        {
            ["binary_format_major_version"] = (ushort)2,
            ["binary_format_minor_version"] = (ushort)0,
            ["build_epoch"] = (ulong)1_700_000_000,
            ["database_type"] = databaseType,
            ["description"] = new Dictionary<string, object> { ["en"] = "Tower test database" },
            ["ip_version"] = (ushort)6,
            ["languages"] = new object[] { "en" },
            ["node_count"] = count,
            ["record_size"] = (ushort)32,
        });
        return [.. file];
    }

    private sealed class Node
    {
        public Node? Left;
        public Node? Right;
        public int? LeftData;
        public int? RightData;
        public int Index;
    }

    private static (bool[] Bits, int Prefix) Bits(string network)
    {
        var parts = network.Split('/');
        var address = IPAddress.Parse(parts[0]);
        var prefix = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        var bytes = address.GetAddressBytes();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            bytes = [.. new byte[12], .. bytes];
            prefix += 96;
        }

        var bits = new bool[128];
        for (var i = 0; i < 128; i++)
        {
            bits[i] = (bytes[i / 8] & (0x80 >> (i % 8))) != 0;
        }

        return (bits, prefix);
    }

    private static void Encode(List<byte> output, object value)
    {
        switch (value)
        {
            case string text:
                var utf8 = Encoding.UTF8.GetBytes(text);
                Control(output, 2, utf8.Length);
                output.AddRange(utf8);
                break;
            case ushort number:
                Unsigned(output, 5, number);
                break;
            case uint number:
                Unsigned(output, 6, number);
                break;
            case ulong number:
                Unsigned(output, 9, number);
                break;
            case Dictionary<string, object> map:
                Control(output, 7, map.Count);
                foreach (var (key, item) in map)
                {
                    Encode(output, key);
                    Encode(output, item);
                }

                break;
            case object[] array:
                Control(output, 11, array.Length);
                foreach (var item in array)
                {
                    Encode(output, item);
                }

                break;
            default:
                throw new NotSupportedException(value.GetType().Name);
        }
    }

    private static void Unsigned(List<byte> output, int type, ulong value)
    {
        var bytes = new List<byte>();
        for (var v = value; v > 0; v >>= 8)
        {
            bytes.Insert(0, (byte)(v & 0xFF));
        }

        Control(output, type, bytes.Count);
        output.AddRange(bytes);
    }

    /// <summary>A control byte: type in the top three bits (or extended), size in the low five (or following bytes).</summary>
    private static void Control(List<byte> output, int type, int size)
    {
        var extended = type > 7;
        var sizeBits = size < 29 ? size : size < 285 ? 29 : 30;
        output.Add((byte)(((extended ? 0 : type) << 5) | sizeBits));
        if (extended)
        {
            output.Add((byte)(type - 7));
        }

        if (sizeBits == 29)
        {
            output.Add((byte)(size - 29));
        }
        else if (sizeBits == 30)
        {
            var rest = size - 285;
            output.Add((byte)(rest >> 8));
            output.Add((byte)(rest & 0xFF));
        }
    }

    private static void WriteUInt32(List<byte> output, uint value) =>
        output.AddRange([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);
}
