using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Tower.Admin.Infrastructure;

/// <summary>
/// Names what is wrong with a JSON request body that could not be read, from the serializer's
/// exception and the body type's JSON contract: malformed JSON (by line, position and path), a
/// body that is not an object, an unknown field, or a field whose value has the wrong type.
/// Errors are keyed by the field's snake_case name (nested fields joined with <c>.</c>), or by
/// <c>body</c> when the document as a whole is at fault.
/// </summary>
public static class JsonBodyErrors
{
    public const string BodyField = "body";

    public static ValidationErrors Describe(JsonException exception, JsonTypeInfo body)
    {
        var errors = new ValidationErrors();
        var path = exception.Path ?? "$";
        if (exception.InnerException is JsonException)
        {
            errors.Add(BodyField, string.Create(CultureInfo.InvariantCulture,
                $"The body is not valid JSON (line {exception.LineNumber + 1}, position {exception.BytePositionInLine + 1}, path {path})."));
            return errors;
        }

        var segments = Segments(path);
        if (segments.Count == 0)
        {
            errors.Add(BodyField, "The body must be a JSON object.");
            return errors;
        }

        var contract = body;
        var field = new List<string>();
        var shown = "";
        foreach (var (name, index) in segments)
        {
            if (name is null)
            {
                shown += $"[{index}]";
                contract = ElementOf(contract);
            }
            else if (contract.Kind == JsonTypeInfoKind.Object)
            {
                var property = contract.Properties.FirstOrDefault(candidate => string.Equals(candidate.Name, name, StringComparison.OrdinalIgnoreCase));
                if (property is null)
                {
                    field.Add(name);
                    errors.Add(string.Join('.', field), $"Unknown field; the fields{(shown.Length == 0 ? "" : $" of {shown}")} are: {string.Join(", ", contract.Properties.Select(known => known.Name))}.");
                    return errors;
                }

                field.Add(property.Name);
                shown += shown.Length == 0 ? property.Name : $".{property.Name}";
                contract = contract.Options.GetTypeInfo(property.PropertyType);
            }
            else if (contract.Kind == JsonTypeInfoKind.Dictionary)
            {
                shown += $"['{name}']";
                contract = ElementOf(contract);
            }
        }

        errors.Add(field.Count == 0 ? BodyField : string.Join('.', field), $"{(shown.Length == 0 ? "The body" : shown)} must be {Expected(contract)}.");
        return errors;
    }

    private static JsonTypeInfo ElementOf(JsonTypeInfo contract) =>
        contract.ElementType is { } element ? contract.Options.GetTypeInfo(element) : contract;

    /// <summary>What a value of the contract looks like in JSON, for a person.</summary>
    private static string Expected(JsonTypeInfo contract)
    {
        var type = Nullable.GetUnderlyingType(contract.Type) ?? contract.Type;
        return contract.Kind switch
        {
            JsonTypeInfoKind.Enumerable => ElementOf(contract).Type == typeof(string) ? "a list of strings" : "a list",
            JsonTypeInfoKind.Object or JsonTypeInfoKind.Dictionary => "an object",
            _ when type == typeof(string) => "a string",
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(int) => string.Create(CultureInfo.InvariantCulture, $"a whole number from {int.MinValue} to {int.MaxValue}"),
            _ when type == typeof(long) => string.Create(CultureInfo.InvariantCulture, $"a whole number from {long.MinValue} to {long.MaxValue}"),
            _ when type == typeof(double) || type == typeof(decimal) => "a number",
            _ when type == typeof(DateTime) || type == typeof(DateTimeOffset) => "a date and time in RFC 3339 form",
            _ => $"a value of type {type.Name}",
        };
    }

    /// <summary>The steps of a serializer path such as <c>$.variables[1]</c> or <c>$['odd name'].x</c>: a name, or an index.</summary>
    private static List<(string? Name, int Index)> Segments(string path)
    {
        var segments = new List<(string?, int)>();
        var rest = path.AsSpan(path.StartsWith('$') ? 1 : 0);
        while (!rest.IsEmpty)
        {
            int end;
            if (rest.StartsWith("['"))
            {
                end = rest.IndexOf("']");
                if (end < 0)
                {
                    break;
                }

                segments.Add((rest[2..end].ToString(), 0));
                rest = rest[(end + 2)..];
            }
            else if (rest[0] == '[')
            {
                end = rest.IndexOf(']');
                if (end < 0 || !int.TryParse(rest[1..end], NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                {
                    break;
                }

                segments.Add((null, index));
                rest = rest[(end + 1)..];
            }
            else if (rest[0] == '.')
            {
                rest = rest[1..];
                end = rest.IndexOfAny('.', '[');
                end = end < 0 ? rest.Length : end;
                segments.Add((rest[..end].ToString(), 0));
                rest = rest[end..];
            }
            else
            {
                break;
            }
        }

        return segments;
    }
}
