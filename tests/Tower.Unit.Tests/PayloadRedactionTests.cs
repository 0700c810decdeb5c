using System.Collections.Frozen;
using System.Text.Json.Nodes;
using Tower.Gateway.Webhooks;

namespace Tower.Unit.Tests;

/// <summary>What the call log keeps of a JSON payload when a linked secret appears in it.</summary>
public sealed class PayloadRedactionTests
{
    private static readonly FrozenSet<string> Secrets = new[] { "s3cret-token", "other" }.ToFrozenSet();

    [Theory]
    [InlineData("{\"token\": \"s3cret-token\", \"id\": 7}")]
    [InlineData("{\"token\": \"s3cret\\u002dtoken\", \"id\": 7}")]
    [InlineData("{\"token\":\"\\u0073\\u0033cret-token\",\"id\":7}")]
    public void A_top_level_value_equal_to_a_secret_is_masked_however_it_is_escaped(string json)
    {
        var stored = JsonNode.Parse(PayloadRedaction.Redact(json, Secrets))!;

        Assert.Equal(PayloadRedaction.Mask, (string?)stored["token"]);
        Assert.Equal(7, (int?)stored["id"]);
    }

    [Theory]
    [InlineData("{\"id\": 7, \"name\": \"Ada\"}")]
    [InlineData("{\"note\": \"not s3cret-token-ish\"}")]
    [InlineData("{\"nested\": {\"token\": \"s3cret-token\"}}")]
    public void A_payload_without_a_top_level_secret_value_is_kept_as_it_came(string json)
    {
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(json), JsonNode.Parse(PayloadRedaction.Redact(json, Secrets))));
    }

    [Fact]
    public void Without_linked_secrets_the_text_is_kept_unchanged()
    {
        const string json = "{ \"token\" : \"s3cret-token\" }";

        Assert.Same(json, PayloadRedaction.Redact(json, FrozenSet<string>.Empty));
        Assert.Same(json, PayloadRedaction.Redact(json, null));
    }
}
