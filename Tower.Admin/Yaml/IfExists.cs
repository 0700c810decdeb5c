
namespace Tower.Admin.Yaml;

/// <summary>What to do with a record whose reference already exists.</summary>
public enum IfExists
{
    /// <summary>Replace it, as a <c>PUT</c> does (the default).</summary>
    Update,

    /// <summary>Leave it as it is.</summary>
    Skip,

    /// <summary>Create a copy under a new reference (refused where it would duplicate an endpoint and method).</summary>
    Create,
}
