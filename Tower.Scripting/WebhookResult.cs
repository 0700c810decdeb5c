
namespace Tower.Scripting;

// The members below are the names scripts use, so they follow the spec (payload, raw_body,
// exit_code), not .NET naming.
#pragma warning disable IDE1006

public sealed class WebhookResult
{
    public int exit_code { get; set; }
    public string? message { get; set; }

    /// <summary>The HTTP status to answer with (200-599), whatever <see cref="exit_code"/> says (spec §13).</summary>
    public int? status_code { get; set; }

    /// <summary>Sent as is instead of <c>{"message": …}</c> (at most 1 MiB of UTF-8).</summary>
    public string? body { get; set; }

    /// <summary>The body's content type; <c>text/plain; charset=utf-8</c> when a body is set without one.</summary>
    public string? content_type { get; set; }

    /// <summary>Response headers the code sets (not Content-Length, Transfer-Encoding, Connection or X-Tower-*).</summary>
    public Dictionary<string, string> headers { get; } = new(StringComparer.OrdinalIgnoreCase);
}
