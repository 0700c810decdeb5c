using Tower.Logging.Calls;

namespace Tower.Unit.Tests;

/// <summary>
/// JSON fields reach the call log as the caller sent them, except escapes the log could not print
/// back: a NUL escape is removed (as NUL is from text) and half a surrogate pair becomes U+FFFD.
/// </summary>
public sealed class RecordCleanerTests
{
    [Theory]
    [InlineData("{\"a\": \"plain\"}", "{\"a\": \"plain\"}")]
    [InlineData("{\"a\": \"x\\u0000y\"}", "{\"a\": \"xy\"}")]
    [InlineData("{\"a\": \"\\ud800 alone\"}", "{\"a\": \"\\ufffd alone\"}")]
    [InlineData("{\"a\": \"\\udc00 low alone\"}", "{\"a\": \"\\ufffd low alone\"}")]
    [InlineData("{\"a\": \"\\ud83d\\ude00 a pair\"}", "{\"a\": \"\\ud83d\\ude00 a pair\"}")]
    [InlineData("{\"a\": \"\\u00e9 and \\u20ac\"}", "{\"a\": \"\\u00e9 and \\u20ac\"}")]
    [InlineData("{\"a\": \"an escaped backslash \\\\u0000 is text\"}", "{\"a\": \"an escaped backslash \\\\u0000 is text\"}")]
    [InlineData("{\"a\": \"\\\\\\u0000\"}", "{\"a\": \"\\\\\"}")]
    public void Json_keeps_every_escape_the_log_can_print(string json, string cleaned)
    {
        Assert.Equal(cleaned, RecordCleaner.Json(json));
    }
}
