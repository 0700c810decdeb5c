
namespace Tower.Scripting;

// The members below are the names scripts use, so they follow the spec (payload, raw_body,
// exit_code), not .NET naming.
#pragma warning disable IDE1006

public sealed class AuthenticatorResult
{
    public bool allowed { get; set; }
    public int? http_code { get; set; }
    public string? message { get; set; }
}
