using Microsoft.Extensions.Options;
using Microsoft.Extensions.ServiceDiscovery;
using Tower.Gateway.Infrastructure;

namespace Tower.Gateway.Webhooks;

public sealed class ExecutorClient(ServiceEndpointResolver resolver, ServiceCredential credential, IOptions<GatewayOptions> options)
    : ScriptClient("executor", resolver, credential, options);
