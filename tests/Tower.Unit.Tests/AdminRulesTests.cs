using Tower.Admin.Infrastructure;
using Tower.Admin.Webhooks;

namespace Tower.Unit.Tests;

public class AdminRulesTests
{
    [Theory]
    [InlineData("orders", true)]
    [InlineData("shop/orders", true)]
    [InlineData("a", true)]
    [InlineData("A-1_b/c9", true)]
    [InlineData("", false)]
    [InlineData("/orders", false)]
    [InlineData("orders/", false)]
    [InlineData("shop//orders", false)]
    [InlineData("_orders", false)]
    [InlineData("orders-", false)]
    [InlineData("or ders", false)]
    [InlineData("ordérs", false)]
    [InlineData("orders%20", false)]
    public void Endpoint_pattern(string endpoint, bool valid)
    {
        Assert.Equal(valid, EndpointRules.IsValid(endpoint));
    }

    [Theory]
    [InlineData("GitHub push", "github_push")]
    [InlineData("Shop", "shop")]
    [InlineData("  Stripe -- Payments!  ", "stripe_payments")]
    [InlineData("***", "record")]
    public void References_are_generated_from_names(string name, string expected)
    {
        Assert.Equal(expected, References.Stem(name));
    }

    [Fact]
    public void A_generated_reference_takes_a_numeric_suffix_on_collision()
    {
        Assert.Equal("shop_3", References.Unique("shop", new HashSet<string> { "shop", "shop_2", "shopping" }));
        Assert.Equal("shop", References.Unique("shop", new HashSet<string> { "shopping" }));
    }
}
