namespace Tower.Contracts.Configuration;

/// <summary>
/// A webhook's deduplication (spec §10, §14): the key is a header's value or the value at a JSON
/// pointer of the payload; a key already answered 2xx within the window gets that answer again.
/// Nullable so that validation can name what is missing; stored complete.
/// </summary>
public sealed record DedupDefinition
{
    public const string FromHeader = "header";
    public const string FromJson = "json";
    public const int DefaultWindowSeconds = 86_400;
    public const int MaxWindowSeconds = 604_800;

    /// <summary><c>header</c> or <c>json</c>.</summary>
    public string? Source { get; init; }

    /// <summary>The header's name, or a JSON pointer such as <c>/id</c>.</summary>
    public string? Key { get; init; }

    public int? WindowSeconds { get; init; }
}
