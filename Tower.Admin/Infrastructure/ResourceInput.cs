using System.Text.Json;

namespace Tower.Admin.Infrastructure;

/// <summary>
/// What every create or replace body of a stored resource may carry besides the resource's own
/// fields: the read-only fields its <c>GET</c> shows (who changed it and when). They are accepted
/// whatever their value and ignored, so that GET-modify-PUT works; any other unknown field is refused.
/// </summary>
public abstract record ResourceInput
{
    public JsonElement? CreatedBy { get; init; }

    public JsonElement? CreatedAt { get; init; }

    public JsonElement? UpdatedBy { get; init; }

    public JsonElement? UpdatedAt { get; init; }
}
