using Microsoft.Extensions.Options;
using Tower.Contracts.Async;
using Tower.Contracts.Security;
using Tower.Gateway.Infrastructure;

namespace Tower.Gateway.Async;

/// <summary>Seals the request of an accepted async call with the secrets key, and opens it for an attempt (spec §14).</summary>
public sealed class AsyncRequestSeal(IOptions<GatewayOptions> options)
{
    private readonly SealedBox _box = new(options.Value.SecretsKey);

    public byte[] Seal(AsyncRequest request) => _box.Seal(request.ToBytes());

    /// <summary>The request; a job sealed with another key, or broken, throws.</summary>
    public AsyncRequest Open(byte[] sealedRequest) => AsyncRequest.FromBytes(_box.Open(sealedRequest));
}
