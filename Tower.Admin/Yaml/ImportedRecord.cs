
namespace Tower.Admin.Yaml;

/// <summary>One record the import created, updated or skipped; <c>copy_of</c> names the original of a copy.</summary>
public sealed record ImportedRecord(string Model, string Reference, string? CopyOf = null);
