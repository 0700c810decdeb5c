
namespace Tower.Admin.Users;

public sealed record UserInput(string? Login, string? Group);
