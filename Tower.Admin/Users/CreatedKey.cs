
namespace Tower.Admin.Users;

public sealed record CreatedKey(string Login, Guid Id, string Prefix, string ApiKey);
