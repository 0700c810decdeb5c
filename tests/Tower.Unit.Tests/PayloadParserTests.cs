using System.Text;
using System.Text.Json.Nodes;
using Tower.Gateway.Webhooks;

namespace Tower.Unit.Tests;

public class PayloadParserTests
{
    [Theory]
    [InlineData("", "{}")]
    [InlineData("  \n", "{}")]
    [InlineData("{\"id\": 7}", "{\"id\": 7}")]
    [InlineData("[1,2]", "[1,2]")]
    [InlineData("42", "42")]
    [InlineData("\"text\"", "\"text\"")]
    public void Json_bodies_are_kept_as_they_are(string body, string expected)
    {
        var parsed = PayloadParser.ParseJson(Encoding.UTF8.GetBytes(body));

        Assert.True(parsed.Ok);
        Assert.Equal(expected, parsed.Json);
    }

    [Theory]
    [InlineData("{\"id\": ")]
    [InlineData("{\"id\": 7} trailing")]
    [InlineData("{'id': 7}")]
    [InlineData("id=7")]
    public void Malformed_json_is_refused(string body)
    {
        var parsed = PayloadParser.ParseJson(Encoding.UTF8.GetBytes(body));

        Assert.Equal(PayloadParser.InvalidJson, parsed.Error);
    }

    [Theory]
    [InlineData("{\"a\": 1, \"a\": 2}")]
    [InlineData("{\"order\": {\"id\": 1, \"id\": 2}}")]
    [InlineData("[{\"a\": 1, \"\\u0061\": 2}]")]
    public void A_name_repeated_within_one_object_is_refused(string body)
    {
        var parsed = PayloadParser.ParseJson(Encoding.UTF8.GetBytes(body));

        Assert.Equal(PayloadParser.InvalidJson, parsed.Error);
    }

    [Fact]
    public void The_same_name_in_different_objects_is_accepted()
    {
        var parsed = PayloadParser.ParseJson(Encoding.UTF8.GetBytes("[{\"a\": 1}, {\"a\": 2, \"b\": {\"a\": 3}}]"));

        Assert.True(parsed.Ok);
    }

    [Fact]
    public void Json_with_invalid_utf8_is_refused()
    {
        var parsed = PayloadParser.ParseJson(new byte[] { (byte)'"', 0xC3, 0x28, (byte)'"' });

        Assert.Equal(PayloadParser.InvalidJson, parsed.Error);
    }

    [Fact]
    public void Form_fields_become_strings_with_the_first_value_of_a_repeated_key()
    {
        var parsed = PayloadParser.ParseForm(Encoding.UTF8.GetBytes("a=1&b=x+y&a=2&c=%C3%A9&empty=&flag"));

        Assert.True(parsed.Ok);
        var fields = JsonNode.Parse(parsed.Json!)!.AsObject();
        Assert.Equal("1", (string?)fields["a"]);
        Assert.Equal("x y", (string?)fields["b"]);
        Assert.Equal("é", (string?)fields["c"]);
        Assert.Equal("", (string?)fields["empty"]);
        Assert.Equal("", (string?)fields["flag"]);
    }

    [Theory]
    [InlineData("a=%zz")]
    [InlineData("a=%4")]
    [InlineData("a=%C3%28")]
    public void Malformed_form_bodies_are_refused(string body)
    {
        Assert.Equal(PayloadParser.InvalidForm, PayloadParser.ParseForm(Encoding.UTF8.GetBytes(body)).Error);
    }

    [Fact]
    public void Form_with_invalid_utf8_bytes_is_refused()
    {
        Assert.Equal(PayloadParser.InvalidForm, PayloadParser.ParseForm([(byte)'a', (byte)'=', 0xFF]).Error);
    }
}
