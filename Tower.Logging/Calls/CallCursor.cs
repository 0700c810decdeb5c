using System.Text.Json;

namespace Tower.Logging.Calls;

/// <summary>A position in the newest-first order: the last row of the previous page.</summary>
public sealed record CallCursor(DateTimeOffset CreatedAt, Guid Id)
{
    public string Encode() =>
        Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(new[] { CreatedAt.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture), Id.ToString() }))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static CallCursor? TryDecode(string text)
    {
        try
        {
            var padded = text.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - padded.Length % 4) % 4);
            var parts = JsonSerializer.Deserialize<string[]>(Convert.FromBase64String(padded));
            return parts is [var ticks, var id]
                ? new CallCursor(new DateTimeOffset(long.Parse(ticks, System.Globalization.CultureInfo.InvariantCulture), TimeSpan.Zero), Guid.Parse(id))
                : null;
        }
        catch (Exception exception) when (exception is FormatException or JsonException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }
}
