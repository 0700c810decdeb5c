
namespace Tower.Admin.Values;

/// <summary>A secret as shown: never its value.</summary>
public sealed record SecretView(string Reference, string Name, string CreatedBy, DateTime CreatedAt, string UpdatedBy, DateTime UpdatedAt);
