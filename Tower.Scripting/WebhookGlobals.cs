
namespace Tower.Scripting;

// The members below are the names scripts use, so they follow the spec (payload, raw_body,
// exit_code), not .NET naming.
#pragma warning disable IDE1006

public sealed class WebhookGlobals : ScriptGlobals
{
    public ScriptUser user { get; init; } = new("", "");
    public ScriptHttp http { get; } = new();
    public WebhookResult result { get; set; } = new();
}
