using System.Text.Json.Serialization;
using Tower.Contracts.Runs;

namespace Tower.Admin.Runs;

/// <summary>One call of a bulk replay: its replay's result (its record is <c>replay.call_id</c>), or why it was skipped or failed.</summary>
public sealed record BulkReplayItem(Guid OriginalId)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RunResult? Replay { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Skipped { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Failed { get; init; }
}
