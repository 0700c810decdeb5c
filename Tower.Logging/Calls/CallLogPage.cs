
namespace Tower.Logging.Calls;

public sealed record CallLogPage(IReadOnlyList<CallLogView> Items, string? NextCursor);
