using Microsoft.Extensions.Options;
using Tower.Contracts.Async;
using Tower.Contracts.Security;
using Tower.Gateway.Infrastructure;

namespace Tower.Gateway.Async;

/// <summary>Seals the request of an accepted async call with the key derived from the secrets key, and opens it for an attempt (spec §14).</summary>
public sealed class AsyncRequestSeal(IOptions<GatewayOptions> options)
{
    private readonly SealedBox _box = new(options.Value.AsyncRequestKey);

    /// <summary>The request sealed for the call <paramref name="callId"/>: it opens for that call's job only.</summary>
    public byte[] Seal(AsyncRequest request, Guid callId) => _box.Seal(request.ToBytes(), callId.ToByteArray());

    /// <summary>The request; a job sealed with another key or for another call, or broken, throws.</summary>
    public AsyncRequest Open(byte[] sealedRequest, Guid callId) => AsyncRequest.FromBytes(_box.Open(sealedRequest, callId.ToByteArray()));
}
