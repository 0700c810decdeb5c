using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Tower.Admin.Infrastructure;

/// <summary>
/// Encrypts secret values at rest with AES-256-GCM. The key comes from configuration (the
/// launcher's owner-only key file), never from the database it protects.
/// </summary>
public sealed class SecretProtector(IOptions<AdminOptions> options)
{
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly byte[] _key = SHA256.HashData(Encoding.UTF8.GetBytes(options.Value.SecretsKey));

    public byte[] Protect(string value)
    {
        var plain = Encoding.UTF8.GetBytes(value);
        var output = new byte[NonceSize + TagSize + plain.Length];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plain, output.AsSpan(NonceSize + TagSize), output.AsSpan(NonceSize, TagSize));
        return output;
    }

    public string Unprotect(byte[] stored)
    {
        var plain = new byte[stored.Length - NonceSize - TagSize];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(stored.AsSpan(0, NonceSize), stored.AsSpan(NonceSize + TagSize), stored.AsSpan(NonceSize, TagSize), plain);
        return Encoding.UTF8.GetString(plain);
    }
}
