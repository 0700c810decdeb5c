using System.Security.Cryptography;
using System.Text;

namespace Tower.Scripting;

/// <summary>
/// A script's identity: the SHA-256 of its kind and text. The Admin service stores it beside
/// the code, the gateway passes it on each call, and the services that run scripts key their
/// compiled cache by it and check fetched code against it.
/// </summary>
public static class ScriptIdentity
{
    public static string Of(ScriptKind kind, string code)
    {
        var bytes = Encoding.UTF8.GetBytes($"{kind}\n{code}");
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }
}
