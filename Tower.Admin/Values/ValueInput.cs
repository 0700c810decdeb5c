using Tower.Admin.Infrastructure;

namespace Tower.Admin.Values;

/// <summary>
/// What a client sends for a variable or a secret; a secret's value is write-only. The read-only
/// fields a GET shows are ignored.
/// </summary>
public sealed record ValueInput(string? Reference, string? Name, string? Value) : ResourceInput;
