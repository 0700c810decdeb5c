namespace Tower.Contracts.Networking;

/// <summary>HTTP's token (RFC 9110 §5.6.2): what a header name may be.</summary>
public static class HttpToken
{
    private const string Symbols = "!#$%&'*+-.^_`|~";

    public static bool IsValid(string? text) =>
        !string.IsNullOrEmpty(text) && text.All(c => c < 127 && (char.IsAsciiLetterOrDigit(c) || Symbols.Contains(c)));
}
