using System.Security.Claims;

namespace Tower.Admin.Infrastructure;

public static class CurrentUser
{
    /// <summary>The login of the caller, for audit fields.</summary>
    public static string Login(this ClaimsPrincipal user) => user.Identity?.Name ?? "system";
}
