
namespace Tower.Admin.Infrastructure;

/// <summary>Every list answers <c>{"items": [...], "next_cursor": "..." | null}</c>.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);
