using Microsoft.AspNetCore.Http;
using Tower.Contracts.Configuration;
using Tower.Gateway.Dedup;

namespace Tower.Unit.Tests;

/// <summary>How a call's dedup key is read (spec §14).</summary>
public sealed class DedupKeyTests
{
    private static string? Json(string pointer, string payload) =>
        DedupKey.Of(new DedupDefinition { Source = DedupDefinition.FromJson, Key = pointer }, new HeaderDictionary(), payload);

    [Fact]
    public void A_header_key_is_the_header_value_and_a_missing_or_empty_header_is_no_key()
    {
        var dedup = new DedupDefinition { Source = DedupDefinition.FromHeader, Key = "X-GitHub-Delivery" };

        Assert.Equal("72d3162e", DedupKey.Of(dedup, new HeaderDictionary { ["x-github-delivery"] = "72d3162e" }, "{}"));
        Assert.Null(DedupKey.Of(dedup, new HeaderDictionary(), "{}"));
        Assert.Null(DedupKey.Of(dedup, new HeaderDictionary { ["X-GitHub-Delivery"] = "" }, "{}"));
    }

    [Theory]
    [InlineData("/id", "{\"id\": \"evt_1\"}", "evt_1")]
    [InlineData("/id", "{\"id\": 42}", "42")]
    [InlineData("/id", "{\"id\": {\"a\": 1}}", "{\"a\": 1}")]
    [InlineData("/data/0/id", "{\"data\": [{\"id\": \"x\"}]}", "x")]
    [InlineData("/a~1b/c~0d", "{\"a/b\": {\"c~d\": \"escaped\"}}", "escaped")]
    [InlineData("/id", "{\"id\": null}", null)]
    [InlineData("/id", "{\"id\": \"\"}", null)]
    [InlineData("/id", "{\"other\": 1}", null)]
    [InlineData("/data/01", "{\"data\": [1, 2]}", null)]
    [InlineData("/data/5", "{\"data\": [1, 2]}", null)]
    [InlineData("/id", "[1, 2]", null)]
    public void A_json_pointer_key_is_the_value_there(string pointer, string payload, string? key) =>
        Assert.Equal(key, Json(pointer, payload));
}
