using System.Text.Json.Nodes;

namespace Tower.Logging.Calls;

/// <summary>A call log as the API shows it: headers, query and payload as JSON values.</summary>
public sealed record CallLogView(
    Guid Id, DateTimeOffset CreatedAt, string Webhook, string Authenticator, string Endpoint, string RequestMethod,
    JsonNode? RequestHeaders, JsonNode? RequestQuery, JsonNode? RequestPayload,
    string AuthenticationStatus, string CodeStatus, int HttpStatus, string ResultMessage, string ErrorMessage,
    string ScriptLog, string IpAddress, string PeerIp, string Country, string RunAsUser, double DurationMs,
    string Source, Guid? DuplicateOf, Guid? ParentId, int? Attempt, Guid? ReplayOf)
{
    public static CallLogView From(CallRow row) => new(
        row.Id, new DateTimeOffset(DateTime.SpecifyKind(row.CreatedAt, DateTimeKind.Utc)), row.Webhook, row.Authenticator,
        row.Endpoint, row.RequestMethod, JsonNode.Parse(row.RequestHeaders), JsonNode.Parse(row.RequestQuery),
        row.RequestPayload is { } json ? JsonNode.Parse(json) : JsonValue.Create(row.RequestPayloadText ?? ""),
        row.AuthenticationStatus, row.CodeStatus, row.HttpStatus, row.ResultMessage, row.ErrorMessage,
        row.ScriptLog, row.IpAddress, row.PeerIp, row.Country, row.RunAsUser, row.DurationMs,
        row.Source, row.DuplicateOf, row.ParentId, row.Attempt, row.ReplayOf);
}
