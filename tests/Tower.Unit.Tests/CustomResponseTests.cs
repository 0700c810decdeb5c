using Tower.Contracts.Scripts;
using Tower.Scripting;

namespace Tower.Unit.Tests;

/// <summary>The answer webhook code may choose (spec §13), as the script engine hands it to the gateway.</summary>
public sealed class CustomResponseTests
{
    private static Task<ScriptOutcome> RunAsync(string code, Dictionary<string, string>? secrets = null) =>
        ScriptEngineTests.RunAsync(ScriptKind.Webhook, code, ScriptEngineTests.Call(secrets: secrets));

    [Fact]
    public async Task A_body_status_content_type_and_headers_set_by_the_code_reach_the_outcome()
    {
        var outcome = await RunAsync("""
            result.status_code = 201;
            result.body = "<ok/>";
            result.content_type = "application/xml";
            result.headers["X-Request-Echo"] = "yes";
            """);

        Assert.Equal(ScriptRunStatus.Completed, outcome.Status);
        Assert.Equal(201, outcome.StatusCode);
        Assert.Equal("<ok/>", outcome.Body);
        Assert.Equal("application/xml", outcome.ContentType);
        Assert.Equal("yes", outcome.ResponseHeaders["x-request-echo"]);
    }

    [Fact]
    public async Task Code_that_sets_nothing_leaves_the_default_answer()
    {
        var outcome = await RunAsync("result.message = \"plain\";");

        Assert.Null(outcome.StatusCode);
        Assert.Null(outcome.Body);
        Assert.Empty(outcome.ResponseHeaders);
    }

    [Fact]
    public async Task Secret_values_are_masked_in_the_body_and_the_headers()
    {
        var outcome = await RunAsync("""
            result.body = "token=" + secrets["api"];
            result.headers["X-Echo"] = secrets["api"];
            """, new() { ["api"] = "s3cr3t-value" });

        Assert.Equal("token=*****", outcome.Body);
        Assert.Equal("*****", outcome.ResponseHeaders["X-Echo"]);
    }

    [Fact]
    public async Task A_secret_in_the_content_type_is_masked_and_one_in_a_header_name_fails_the_run()
    {
        var secrets = new Dictionary<string, string> { ["api"] = "s3cr3tvalue" };

        var typed = await RunAsync("result.body = \"x\"; result.content_type = \"text/\" + secrets[\"api\"];", secrets);
        var named = await RunAsync("result.headers[\"X-\" + secrets[\"api\"]] = \"1\";", secrets);

        Assert.Equal("text/*****", typed.ContentType);
        Assert.Equal(ScriptRunStatus.Failed, named.Status);
        Assert.Equal("result.headers has a name that holds a secret's value.", named.Error);
    }

    [Theory]
    [InlineData("result.status_code = 199;", "result.status_code must be between 200 and 599, not 199.")]
    [InlineData("result.status_code = 600;", "result.status_code must be between 200 and 599, not 600.")]
    [InlineData("result.headers[\"Content-Length\"] = \"1\";", "result.headers may not set Content-Length")]
    [InlineData("result.headers[\"transfer-encoding\"] = \"chunked\";", "result.headers may not set transfer-encoding")]
    [InlineData("result.headers[\"Connection\"] = \"close\";", "result.headers may not set Connection")]
    [InlineData("result.headers[\"X-Tower-Call-Id\"] = \"forged\";", "result.headers may not set X-Tower-Call-Id")]
    [InlineData("result.headers[\"X-Split\"] = \"a\\r\\nSet-Cookie: b\";", "result.headers[\"X-Split\"] has a character not allowed in a header value.")]
    [InlineData("result.headers[\"Bad Name\"] = \"a\";", "result.headers has a name that is not a valid header name: \"Bad Name\".")]
    [InlineData("result.body = \"\"; result.content_type = \"text/plain\\nX: y\";", "result.content_type has a character not allowed in a header value.")]
    [InlineData("result.body = new string('é', 600 * 1024);", "result.body is larger than 1048576 bytes of UTF-8.")]
    public async Task An_answer_that_breaks_a_rule_fails_the_run_naming_it(string code, string error)
    {
        var outcome = await RunAsync(code + " result.message = \"ignored\";");

        Assert.Equal(ScriptRunStatus.Failed, outcome.Status);
        Assert.StartsWith(error, outcome.Error);
        Assert.Null(outcome.Message);
        Assert.Null(outcome.Body);
    }

    [Fact]
    public async Task A_body_of_exactly_one_mebibyte_is_sent()
    {
        var outcome = await RunAsync("result.body = new string('a', 1024 * 1024);");

        Assert.Equal(ScriptRunStatus.Completed, outcome.Status);
        Assert.Equal(1024 * 1024, outcome.Body!.Length);
    }

    [Fact]
    public async Task The_answer_survives_the_encoding_between_the_services()
    {
        var outcome = await RunAsync("result.status_code = 202; result.body = \"b\"; result.content_type = \"text/csv\"; result.headers[\"A\"] = \"1\";");

        var decoded = ScriptCallCodec.DecodeOutcome(ScriptCallCodec.Encode(outcome));

        Assert.Equal((202, "b", "text/csv", "1"), (decoded.StatusCode, decoded.Body, decoded.ContentType, decoded.ResponseHeaders["a"]));
    }
}
