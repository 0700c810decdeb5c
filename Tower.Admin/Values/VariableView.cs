
namespace Tower.Admin.Values;

/// <summary>A variable as shown: <c>{reference, name, value}</c>.</summary>
public sealed record VariableView(string Reference, string Name, string Value, string CreatedBy, DateTime CreatedAt, string UpdatedBy, DateTime UpdatedAt);
