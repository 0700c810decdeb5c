namespace Tower.Admin.Users;

/// <summary>
/// The body of <c>POST /api/users/{login}/keys</c>: a new key takes no settings, so the body is
/// omitted or <c>{}</c>, and any field in it is refused as unknown.
/// </summary>
public sealed record KeyInput;
