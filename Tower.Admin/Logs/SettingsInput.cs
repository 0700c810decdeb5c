using System.Text.Json.Serialization;

namespace Tower.Admin.Logs;

/// <summary>
/// The body of <c>PUT /api/settings</c>, read strictly here before it is relayed to the Logging
/// service, which checks the values and stores them. An omitted field is relayed omitted, so it
/// takes its default there.
/// </summary>
public sealed record SettingsInput(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? WebhookLogRetentionDays);
