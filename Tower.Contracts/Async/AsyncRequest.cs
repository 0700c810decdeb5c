using System.Text.Json;

namespace Tower.Contracts.Async;

/// <summary>
/// What an accepted async call keeps of its request for its attempts (spec §10, §14): sealed with
/// the secrets key while it waits (<see cref="Security.SealedBox"/>), deleted once the call is
/// done or dead. The attempts run the webhook's code on it as the call itself would have.
/// </summary>
public sealed record AsyncRequest
{
    public required string Method { get; init; }
    public required string Endpoint { get; init; }
    public required IReadOnlyDictionary<string, string> Headers { get; init; }
    public required IReadOnlyDictionary<string, string> Query { get; init; }
    public required byte[] Body { get; init; }

    /// <summary>The parsed payload as JSON text (for form posts, an object of strings).</summary>
    public required string PayloadJson { get; init; }
    public required string ClientIp { get; init; }
    public required string PeerIp { get; init; }

    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this, TowerJson.Options);

    /// <summary>The request; anything else throws <see cref="JsonException"/>.</summary>
    public static AsyncRequest FromBytes(ReadOnlySpan<byte> bytes) =>
        JsonSerializer.Deserialize<AsyncRequest>(bytes, TowerJson.Options) ?? throw new JsonException("An async request is null.");
}
