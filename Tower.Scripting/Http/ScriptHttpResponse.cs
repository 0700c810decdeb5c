using System.Text.Json.Nodes;

namespace Tower.Scripting;

// The members below are the names scripts use, so they follow the spec's style, not .NET naming.
#pragma warning disable IDE1006

/// <summary>An answer to a script's request.</summary>
public sealed class ScriptHttpResponse
{
    internal ScriptHttpResponse(int status, string body, IReadOnlyDictionary<string, string> headers)
    {
        this.status = status;
        this.body = body;
        this.headers = headers;
    }

    public int status { get; }
    public string body { get; }
    public IReadOnlyDictionary<string, string> headers { get; }
    public bool ok => status is >= 200 and < 300;

    /// <summary>The body parsed as JSON.</summary>
    public JsonNode? json() => JsonNode.Parse(body);
}
