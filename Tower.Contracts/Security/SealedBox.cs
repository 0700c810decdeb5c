using System.Security.Cryptography;
using System.Text;

namespace Tower.Contracts.Security;

/// <summary>
/// AES-256-GCM with a key derived (SHA-256) from a key text such as the launcher's secrets key:
/// a random nonce, the tag, then the cipher text. Secrets at rest (Admin) and the requests of
/// queued async calls (gateway, spec §14) are sealed this way; the key never sits beside them.
/// </summary>
public sealed class SealedBox(string keyText)
{
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly byte[] _key = SHA256.HashData(Encoding.UTF8.GetBytes(keyText));

    /// <summary>
    /// Seals <paramref name="plain"/>; <paramref name="boundTo"/> (such as the id of the call the bytes
    /// belong to) is not stored but must be given again to open them, so sealed bytes moved to
    /// another row do not open there.
    /// </summary>
    public byte[] Seal(ReadOnlySpan<byte> plain, ReadOnlySpan<byte> boundTo = default)
    {
        var output = new byte[NonceSize + TagSize + plain.Length];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plain, output.AsSpan(NonceSize + TagSize), output.AsSpan(NonceSize, TagSize), boundTo);
        return output;
    }

    /// <summary>The plain bytes; anything not sealed with this key and binding throws <see cref="CryptographicException"/>.</summary>
    public byte[] Open(ReadOnlySpan<byte> sealedBytes, ReadOnlySpan<byte> boundTo = default)
    {
        if (sealedBytes.Length < NonceSize + TagSize)
        {
            throw new CryptographicException("The sealed bytes are cut short.");
        }

        var plain = new byte[sealedBytes.Length - NonceSize - TagSize];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(sealedBytes[..NonceSize], sealedBytes[(NonceSize + TagSize)..], sealedBytes.Slice(NonceSize, TagSize), plain, boundTo);
        return plain;
    }
}
