
namespace Microsoft.Extensions.Hosting;

public sealed class ServiceCredentialHandler(ServiceCredential credential) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.TryAddWithoutValidation(ServiceCredential.HeaderName, credential.Value);
        return base.SendAsync(request, cancellationToken);
    }
}
