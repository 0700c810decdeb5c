using System.Security.Cryptography;
using System.Text;

namespace Tower.Admin.Identity;

public static class ApiKeys
{
    /// <summary>A new random key: 256 bits, URL-safe.</summary>
    public static string Generate() => "tower_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    /// <summary>Keys are random and long, so one SHA-256 is a safe one-way form to store and look up.</summary>
    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>
    /// How a key is told apart in a list: its first characters (<c>tower_</c> and 4 hex digits of a
    /// generated key), at most a quarter of it, so that the rest stays unguessable.
    /// </summary>
    public static string PrefixOf(string key) => key[..Math.Min(10, key.Length / 4)];
}
