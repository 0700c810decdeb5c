using Tower.Contracts.Configuration;
using Tower.Gateway.Configuration;

namespace Tower.Unit.Tests;

public sealed class EndpointMatchingTests
{
    private static WebhookDefinition Webhook(string reference, string endpoint, string method, string authenticator = "open") => new()
    {
        Reference = reference,
        Name = reference,
        Authenticator = authenticator,
        Endpoint = endpoint,
        Method = method,
        PayloadType = "json",
        RunAsUser = "admin",
        RunAsGroup = "root",
        TimeoutMs = 10000,
        Variables = [],
        Secrets = [],
    };

    private static readonly GatewayConfig Config = GatewayConfig.From(new ConfigSnapshot
    {
        TakenAt = DateTimeOffset.UtcNow,
        Webhooks =
        [
            Webhook("orders_post", "shop/orders", "POST"),
            Webhook("orders_get", "shop/orders", "GET"),
            Webhook("single", "ping", "POST"),
            Webhook("orphan", "orphan", "POST", authenticator: "missing"),
        ],
        Authenticators = [new AuthenticatorDefinition { Reference = "open", Name = "Open", AllowedIps = "", TrustedProxyIps = "", Variables = [], Secrets = [] }],
        Variables = new Dictionary<string, string>(),
        Secrets = new Dictionary<string, string>(),
    });

    [Theory]
    [InlineData("shop/orders", "POST", "orders_post")]
    [InlineData("shop/orders", "GET", "orders_get")]
    [InlineData("ping", "POST", "single")]
    [InlineData("ping", "GET", null)]
    [InlineData("shop/orders", "PUT", null)]
    [InlineData("shop/orders", "HEAD", null)]
    [InlineData("shop/orders", "post", null)]
    [InlineData("Shop/Orders", "POST", null)]
    [InlineData("shop/orders/", "POST", null)]
    [InlineData("shop//orders", "POST", null)]
    [InlineData("shop%2Forders", "POST", null)]
    [InlineData("", "POST", null)]
    [InlineData("orphan", "POST", null)]
    public void A_call_matches_only_its_exact_endpoint_and_method(string endpoint, string method, string? expected)
    {
        Assert.Equal(expected, Config.Match(endpoint, method)?.Definition.Reference);
    }
}
