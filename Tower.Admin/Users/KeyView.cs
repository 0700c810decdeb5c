
namespace Tower.Admin.Users;

/// <summary>An API key as listed: never the key itself.</summary>
public sealed record KeyView(Guid Id, string Prefix, DateTime CreatedAt, DateTime? LastUsedAt);
