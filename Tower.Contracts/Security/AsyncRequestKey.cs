using System.Security.Cryptography;
using System.Text;

namespace Tower.Contracts.Security;

/// <summary>
/// The key that seals the requests of queued async calls (spec §14), derived from the launcher's
/// secrets key (HKDF-SHA256) so that the gateway, which seals them, never holds the secrets key
/// itself: Admin, which holds it, derives the same key to queue a dead call again.
/// </summary>
public static class AsyncRequestKey
{
    private static readonly byte[] Purpose = Encoding.UTF8.GetBytes("tower async requests v1");

    public static string Derive(string secretsKey) =>
        Convert.ToHexStringLower(HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secretsKey), 32, salt: [], info: Purpose));
}
