namespace Tower.Admin.Infrastructure;

/// <summary>What a conditional write (replace or delete) of one resource did.</summary>
public enum WriteOutcome
{
    Written,

    /// <summary>There is no resource with that reference.</summary>
    NotFound,

    /// <summary>The resource exists but no longer has a version that <c>If-Match</c> names; nothing was written.</summary>
    Stale,

    /// <summary>Other records use the resource, so it was not deleted.</summary>
    InUse,
}
