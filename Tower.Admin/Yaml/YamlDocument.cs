using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tower.Admin.Authenticators;
using Tower.Admin.Infrastructure;
using Tower.Admin.Values;
using Tower.Admin.Webhooks;
using Tower.Contracts;
using Tower.Contracts.Configuration;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Tower.Admin.Yaml;

/// <summary>
/// Reads the YAML of webhooks.md §8 into records: checks the version, each record's model and
/// fields and their types, and lists every problem with the record and line it belongs to.
/// </summary>
public static class YamlDocument
{
    public const string Webhook = "webhook";
    public const string Authenticator = "webhook_authenticator";
    public const string Variable = "variable";
    public const string Secret = "secret";

    /// <summary>Fields the API shows but computes or keeps itself; accepted in a document and ignored.</summary>
    private static readonly HashSet<string> ReadOnlyFields = ["full_url", "code_errors", "created_by", "created_at", "updated_by", "updated_at"];

    private static readonly Dictionary<string, string[]> FieldsOf = new()
    {
        [Variable] = ["reference", "name", "value"],
        [Secret] = ["reference", "name", "value"],
        [Authenticator] = ["reference", "name", "allowed_ips", "trusted_proxy_ips", "variables", "secrets", "code", "verifier", "lockout"],
        [Webhook] = ["reference", "name", "enabled", "authenticator", "endpoint", "method", "payload_type", "run_as_user",
            "timeout_ms", "variables", "secrets", "code", "rate_limit", "max_concurrency", "dedup", "response_mode", "retry"],
    };

    public static IReadOnlyList<ImportRecord> Read(string text, ValidationErrors errors)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            errors.Add("yaml", $"The document is not valid YAML (line {e.Start.Line}, column {e.Start.Column}): {e.InnerException?.Message ?? e.Message}");
            return [];
        }

        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            errors.Add("yaml", "The document must be one YAML mapping with tower_yaml_version and records.");
            return [];
        }

        if (CetmixDocument.IsCetmix(root))
        {
            return CetmixDocument.Read(root, errors);
        }

        var version = Child(root, "tower_yaml_version");
        if (version is not YamlScalarNode { Value: var versionText } || versionText != YamlExporter.Version.ToString(CultureInfo.InvariantCulture))
        {
            errors.Add("tower_yaml_version", $"tower_yaml_version must be {YamlExporter.Version}.");
        }

        foreach (var key in root.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value).Where(k => k is not ("tower_yaml_version" or "records")))
        {
            errors.Add(key ?? "", $"'{key}' is not a top-level key: use tower_yaml_version and records.");
        }

        if (Child(root, "records") is not YamlSequenceNode list)
        {
            errors.Add("records", "records must be a list of records.");
            return [];
        }

        var records = new List<ImportRecord>();
        for (var index = 0; index < list.Children.Count; index++)
        {
            if (ReadRecord(index, list.Children[index], errors) is { } record)
            {
                records.Add(record);
            }
        }

        foreach (var duplicate in records.Where(r => r.Reference is not null).GroupBy(r => (r.Model, r.Reference)).Where(g => g.Count() > 1))
        {
            foreach (var record in duplicate.Skip(1))
            {
                errors.Add(record.Key("reference"), $"{record.Label}: the document already has a {record.Model} with this reference.");
            }
        }

        return records;
    }

    private static ImportRecord? ReadRecord(int index, YamlNode node, ValidationErrors errors)
    {
        var line = (int)node.Start.Line;
        if (node is not YamlMappingNode mapping)
        {
            errors.Add($"records[{index}]", $"The record at line {line} is not a mapping of fields.");
            return null;
        }

        var model = Child(mapping, "model") is YamlScalarNode { Value: { } value } ? value : null;
        if (model is null || !FieldsOf.TryGetValue(model, out var fields))
        {
            errors.Add(ImportRecord.KeyOf(index, "model"), $"The record at line {line} has model '{model}': use {string.Join(", ", FieldsOf.Keys)}.");
            return null;
        }

        var reader = new FieldReader(mapping, index, ImportRecord.LabelOf(model, (Child(mapping, "reference") as YamlScalarNode)?.Value, line), errors);
        foreach (var field in mapping.Children.Keys.Select(k => (k as YamlScalarNode)?.Value ?? ""))
        {
            if (field != "model" && !fields.Contains(field) && !ReadOnlyFields.Contains(field))
            {
                reader.Error(field, $"'{field}' is not a field of a {model}: use {string.Join(", ", fields)}.");
            }
        }

        var reference = reader.Text("reference");
        object input = model switch
        {
            Variable or Secret => new ValueInput(reference, reader.Text("name"), reader.Text("value")),
            Authenticator => new AuthenticatorInput(reference, reader.Text("name"), reader.Text("allowed_ips"), reader.Text("trusted_proxy_ips"),
                reader.Text("code"), reader.List("variables"), reader.List("secrets"))
            {
                Verifier = reader.Options<VerifierDefinition>("verifier"),
                Lockout = reader.Options<LockoutDefinition>("lockout"),
            },
            _ => new WebhookInput(reference, reader.Text("name"), reader.Boolean("enabled"), reader.Text("authenticator"), reader.Text("endpoint"),
                reader.Text("method"), reader.Text("payload_type"), reader.Text("run_as_user"), reader.Text("code"), reader.List("variables"),
                reader.List("secrets"), reader.Integer("timeout_ms"))
            {
                RateLimit = reader.Options<RateLimitDefinition>("rate_limit"),
                MaxConcurrency = reader.Integer("max_concurrency"),
                Dedup = reader.Options<DedupDefinition>("dedup"),
                ResponseMode = reader.Text("response_mode"),
                Retry = reader.Options<RetryDefinition>("retry"),
            },
        };
        return new ImportRecord(index, model, string.IsNullOrEmpty(reference) ? null : reference, line, input);
    }

    /// <summary>How the API reads a request body: its names, and an unknown field is an error.</summary>
    private static readonly JsonSerializerOptions StrictJson = new(TowerJson.Options)
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    private static YamlNode? Child(YamlMappingNode mapping, string key) =>
        mapping.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    /// <summary>Reads typed fields of one record, reporting each one of the wrong type.</summary>
    private sealed class FieldReader(YamlMappingNode mapping, int index, string label, ValidationErrors errors)
    {
        public void Error(string field, string message) =>
            errors.Add(ImportRecord.KeyOf(index, field), $"{label}: {message}");

        public string? Text(string field) => Child(mapping, field) switch
        {
            null => null,
            YamlScalarNode scalar when IsNull(scalar) => null,
            YamlScalarNode scalar => scalar.Value,
            _ => Wrong<string>(field, "text"),
        };

        public bool? Boolean(string field) => Text(field) switch
        {
            null => null,
            var text when bool.TryParse(text, out var value) => value,
            var text => Wrong<bool?>(field, $"true or false, not '{text}'"),
        };

        public int? Integer(string field) => Text(field) switch
        {
            null => null,
            var text when int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) => value,
            var text => Wrong<int?>(field, $"a whole number, not '{text}'"),
        };

        public IReadOnlyList<string>? List(string field)
        {
            switch (Child(mapping, field))
            {
                case null:
                    return null;
                case YamlScalarNode scalar when IsNull(scalar):
                    return null;
                case YamlSequenceNode sequence when sequence.Children.All(item => item is YamlScalarNode { Value: not null }):
                    return sequence.Children.Select(item => ((YamlScalarNode)item).Value!).ToList();
                default:
                    return Wrong<IReadOnlyList<string>>(field, "a list of references, such as [a, b]");
            }
        }

        /// <summary>
        /// An options object (such as <c>verifier</c>): a mapping of scalars, read as the API reads
        /// the same object in JSON, so an unknown or mistyped field is named as there.
        /// </summary>
        public T? Options<T>(string field) where T : class
        {
            switch (Child(mapping, field))
            {
                case null:
                    return null;
                case YamlScalarNode scalar when IsNull(scalar):
                    return null;
                case YamlMappingNode options when options.Children.All(pair => pair.Key is YamlScalarNode && pair.Value is YamlScalarNode):
                    var json = new JsonObject();
                    foreach (var (key, value) in options.Children)
                    {
                        json[((YamlScalarNode)key).Value ?? ""] = JsonOf((YamlScalarNode)value);
                    }

                    try
                    {
                        return json.Deserialize<T>(StrictJson);
                    }
                    catch (JsonException exception)
                    {
                        foreach (var (name, messages) in JsonBodyErrors.Describe(exception, StrictJson.GetTypeInfo(typeof(T))).ToDictionary())
                        {
                            Error($"{field}.{name}", string.Join(" ", messages));
                        }

                        return null;
                    }

                default:
                    return Wrong<T>(field, "a mapping of options, such as {kind: github, secret: gh_secret}");
            }
        }

        /// <summary>A plain scalar that reads as a number or a boolean is one; anything else is text.</summary>
        private static JsonNode? JsonOf(YamlScalarNode scalar)
        {
            if (IsNull(scalar))
            {
                return null;
            }

            var text = scalar.Value ?? "";
            if (scalar.Style == ScalarStyle.Plain)
            {
                if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
                {
                    return number;
                }

                if (bool.TryParse(text, out var flag))
                {
                    return flag;
                }
            }

            return text;
        }

        private T? Wrong<T>(string field, string expected)
        {
            Error(field, $"{field} must be {expected}.");
            return default;
        }

        private static bool IsNull(YamlScalarNode scalar) =>
            scalar.Style == ScalarStyle.Plain && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";
    }
}
