
namespace Tower.Admin.Values;

/// <summary>A variable or a secret as stored; a secret's row never carries its value.</summary>
public sealed record ValueRow
{
    public string Reference { get; init; } = "";
    public string Name { get; init; } = "";
    public string? Value { get; init; }
    public string CreatedBy { get; init; } = "";
    public DateTime CreatedAt { get; init; }
    public string UpdatedBy { get; init; } = "";
    public DateTime UpdatedAt { get; init; }

    /// <summary>Replaced by every write; the value's ETag.</summary>
    public Guid Version { get; init; }
}
