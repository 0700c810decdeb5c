
namespace Tower.Gateway.Webhooks;

/// <summary>The payload a script sees, as JSON text, or why the body could not be read.</summary>
public readonly record struct ParsedPayload(string? Json, string? Error)
{
    public bool Ok => Error is null;
}
