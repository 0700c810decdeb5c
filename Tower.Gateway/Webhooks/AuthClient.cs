using Microsoft.Extensions.Options;
using Microsoft.Extensions.ServiceDiscovery;
using Tower.Gateway.Infrastructure;

namespace Tower.Gateway.Webhooks;

public sealed class AuthClient(ServiceEndpointResolver resolver, ServiceCredential credential, IOptions<GatewayOptions> options)
    : ScriptClient("auth", resolver, credential, options);
