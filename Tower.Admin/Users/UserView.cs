
namespace Tower.Admin.Users;

public sealed record UserView(string Login, string Group, string CreatedBy, DateTime CreatedAt);
