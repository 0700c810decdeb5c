using System.Text;
using System.Text.Json.Nodes;
using Tower.Gateway.Infrastructure;
using Tower.Gateway.Webhooks;

namespace Tower.Gateway.Calls;

/// <summary>
/// A request as its call record keeps it: headers and query as JSON objects, the payload as JSON
/// or text, with the configured headers and every linked secret's value masked. A request that
/// cannot be redacted is kept without them (a secret must never reach the log), and
/// <see cref="Failure"/> says why, for the record's error message.
/// </summary>
internal readonly record struct LoggedRequest(string Headers, string Query, string Payload, bool PayloadIsJson, string? Failure)
{
    public static LoggedRequest Of(IReadOnlyDictionary<string, string> headers, IReadOnlyDictionary<string, string> query,
        string? payloadJson, ReadOnlySpan<byte> body, IReadOnlySet<string>? secrets, GatewayOptions options)
    {
        string Redact(string value) => secrets is not null && secrets.Contains(value) ? PayloadRedaction.Mask : value;

        try
        {
            var headersJson = new JsonObject();
            foreach (var (name, value) in headers)
            {
                headersJson[name] = options.IsRedactedHeader(name) ? PayloadRedaction.Mask : Redact(value);
            }

            var queryJson = new JsonObject();
            foreach (var (name, value) in query)
            {
                queryJson.TryAdd(name, Redact(value));
            }

            return payloadJson is not null
                ? new(Clean(headersJson.ToJsonString()), Clean(queryJson.ToJsonString()), Clean(PayloadRedaction.Redact(payloadJson, secrets)), true, null)
                : new(Clean(headersJson.ToJsonString()), Clean(queryJson.ToJsonString()), Clean(Encoding.UTF8.GetString(body)), false, null);
        }
        catch (Exception exception)
        {
            return new("{}", "{}", "", false,
                $"(The request could not be redacted, so its headers, query and payload are not stored: {exception.Message})");
        }
    }

    /// <summary>Text without NUL, so that one odd record never blocks the others.</summary>
    public static string Clean(string text) =>
        text.Contains('\0') ? text.Replace("\0", "", StringComparison.Ordinal) : text;
}
