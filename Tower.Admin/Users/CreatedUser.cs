
namespace Tower.Admin.Users;

/// <summary>A user with the key created with it; the key is shown this once.</summary>
public sealed record CreatedUser(string Login, string Group, string ApiKey);
