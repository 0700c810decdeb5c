using System.Text;
using Microsoft.Extensions.Options;
using Tower.Contracts.Security;

namespace Tower.Admin.Infrastructure;

/// <summary>
/// Encrypts secret values at rest (<see cref="SealedBox"/>, AES-256-GCM). The key comes from
/// configuration (the launcher's owner-only key file), never from the database it protects.
/// </summary>
public sealed class SecretProtector(IOptions<AdminOptions> options)
{
    private readonly SealedBox _box = new(options.Value.SecretsKey);
    private readonly SealedBox _asyncRequests = new(AsyncRequestKey.Derive(options.Value.SecretsKey));

    public byte[] Protect(string value) => _box.Seal(Encoding.UTF8.GetBytes(value));

    public string Unprotect(byte[] stored) => Encoding.UTF8.GetString(_box.Open(stored));

    /// <summary>Seals a queued async call's request as the gateway does: with the key derived for them, bound to the call (spec §14).</summary>
    public byte[] SealAsyncRequest(ReadOnlySpan<byte> plain, Guid callId) => _asyncRequests.Seal(plain, callId.ToByteArray());
}
