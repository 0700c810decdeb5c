using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Tower.Admin.Authenticators;
using Tower.Admin.Infrastructure;
using Tower.Admin.Webhooks;
using Tower.Contracts;

namespace Tower.Unit.Tests;

public class JsonBodyErrorsTests
{
    private static readonly JsonSerializerOptions Options = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };
        TowerJson.Apply(options);
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        return options;
    }

    /// <summary>The errors the body's exception is described by, after checking the body is refused.</summary>
    private static IDictionary<string, string[]> ErrorsOf<T>(string body)
    {
        var exception = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<T>(body, Options));
        return JsonBodyErrors.Describe(exception, Options.GetTypeInfo(typeof(T))).ToDictionary();
    }

    [Fact]
    public void Malformed_json_is_named_by_line_position_and_path()
    {
        var errors = ErrorsOf<WebhookInput>("{\"name\": \"a\",\n \"endpoint\": ");

        Assert.Equal(["body"], errors.Keys);
        Assert.Equal("The body is not valid JSON (line 2, position 14, path $.endpoint).", Assert.Single(errors["body"]));
    }

    [Fact]
    public void A_value_of_the_wrong_type_is_named_by_its_field_with_the_type_expected()
    {
        Assert.Equal("endpoint must be a string.", Assert.Single(ErrorsOf<WebhookInput>("{\"endpoint\": 5}")["endpoint"]));
        Assert.Equal("enabled must be true or false.", Assert.Single(ErrorsOf<WebhookInput>("{\"enabled\": \"yes\"}")["enabled"]));
        Assert.StartsWith("timeout_ms must be a whole number", Assert.Single(ErrorsOf<WebhookInput>("{\"timeout_ms\": 1.5}")["timeout_ms"]));
        Assert.Equal("variables must be a list of strings.", Assert.Single(ErrorsOf<WebhookInput>("{\"variables\": \"a\"}")["variables"]));
        Assert.Equal("variables[1] must be a string.", Assert.Single(ErrorsOf<WebhookInput>("{\"variables\": [\"a\", 5]}")["variables"]));
    }

    [Fact]
    public void An_unknown_field_is_named_with_the_fields_there_are()
    {
        var errors = ErrorsOf<AuthenticatorInput>("{\"name\": \"Open\", \"allowed_ip\": \"10.0.0.0/8\"}");

        var message = Assert.Single(Assert.Single(errors, pair => pair.Key == "allowed_ip").Value);
        Assert.StartsWith("Unknown field", message);
        Assert.Contains("allowed_ips", message);
    }

    [Fact]
    public void Field_names_match_in_any_case_as_the_binding_does()
    {
        Assert.True(ErrorsOf<WebhookInput>("{\"Endpoint\": 5}").ContainsKey("endpoint"));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("5")]
    [InlineData("\"text\"")]
    public void A_body_that_is_not_an_object_is_named_as_the_body(string body)
    {
        Assert.Equal("The body must be a JSON object.", Assert.Single(ErrorsOf<WebhookInput>(body)["body"]));
    }

    [Fact]
    public void Read_only_fields_of_any_value_are_accepted()
    {
        var input = JsonSerializer.Deserialize<WebhookInput>(
            "{\"name\": \"a\", \"full_url\": 5, \"created_by\": \"x\", \"created_at\": \"not a date\", \"updated_by\": null, \"updated_at\": {}}", Options);

        Assert.Equal("a", input!.Name);
    }
}
