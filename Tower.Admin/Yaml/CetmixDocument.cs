using System.Security.Cryptography;
using Tower.Admin.Authenticators;
using Tower.Admin.Infrastructure;
using Tower.Admin.Values;
using Tower.Admin.Webhooks;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Tower.Admin.Yaml;

/// <summary>
/// Reads Cetmix Tower's own YAML export (<c>cetmix_tower_yaml_version: 1</c>) of webhooks and
/// webhook authenticators into import records: a document of <c>records</c>, or one record at
/// the top (a record's YAML tab). Relations (<c>authenticator_id</c>, <c>variable_ids</c>,
/// <c>secret_ids</c>) are references or nested records; Odoo writes <c>false</c> for an empty
/// field. The Python code cannot run here, so every webhook arrives disabled with a C# stub that
/// fails each call, every authenticator with code gets a stub that refuses each call, the
/// Python kept as a comment above each stub; variables and secrets that do not exist yet are
/// created without their values (a secret gets a random one nobody knows). Each such record
/// carries a note for the import report: what an admin must still do.
/// </summary>
public static class CetmixDocument
{
    public const string VersionKey = "cetmix_tower_yaml_version";
    private const string ModelKey = "cetmix_tower_model";
    private const int Version = 1;
    private const string WebhookModel = "webhook";
    private const string AuthenticatorModel = "webhook_authenticator";

    private static readonly string[] WebhookFields =
        ["reference", "name", "active", "authenticator_id", "endpoint", "method", "code", "content_type", "variable_ids", "secret_ids"];

    private static readonly string[] AuthenticatorFields =
        ["reference", "name", "code", "allowed_ip_addresses", "trusted_proxy_ips", "variable_ids", "secret_ids"];

    private static readonly string[] ValueFields = ["reference", "name"];

    public static bool IsCetmix(YamlMappingNode root) => root.Children.ContainsKey(new YamlScalarNode(VersionKey));

    public static IReadOnlyList<ImportRecord> Read(YamlMappingNode root, ValidationErrors errors)
    {
        var version = Scalar(root, VersionKey);
        if (version != Version.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            errors.Add(VersionKey, $"{VersionKey} {version} cannot be read here: this import reads Cetmix Tower's version {Version}.");
            return [];
        }

        var reader = new Reader(errors);
        if (Child(root, "records") is { } records)
        {
            foreach (var key in Keys(root).Where(key => key is not (VersionKey or "records" or "manifest")))
            {
                errors.Add(key, $"'{key}' is not a top-level key of a Cetmix Tower export: use {VersionKey}, manifest and records.");
            }

            if (records is not YamlSequenceNode list)
            {
                errors.Add("records", "records must be a list of records.");
                return [];
            }

            foreach (var node in list.Children)
            {
                reader.ReadTopRecord(node);
            }
        }
        else
        {
            reader.ReadTopRecord(root);
        }

        return reader.Records;
    }

    /// <summary>Builds the import records, nested ones before the records that link them; each reference once.</summary>
    private sealed class Reader(ValidationErrors errors)
    {
        private readonly HashSet<(string Model, string Reference)> _seen = [];

        public List<ImportRecord> Records { get; } = [];

        private int Index => Records.Count;

        public void ReadTopRecord(YamlNode node)
        {
            var line = (int)node.Start.Line;
            if (node is not YamlMappingNode record)
            {
                errors.Add($"records[{Index}]", $"The record at line {line} is not a mapping of fields.");
                return;
            }

            switch (Scalar(record, ModelKey))
            {
                case WebhookModel:
                    ReadWebhook(record);
                    break;
                case AuthenticatorModel:
                    ReadAuthenticator(record);
                    break;
                case var model:
                    errors.Add($"records[{Index}].{ModelKey}",
                        $"The record at line {line} has {ModelKey} '{model}': only {WebhookModel} and {AuthenticatorModel} records can be imported into this Tower.");
                    break;
            }
        }

        private void ReadWebhook(YamlMappingNode record)
        {
            var (label, reference) = Start(record, YamlDocument.Webhook, WebhookFields);
            if (reference is not null && !_seen.Add((YamlDocument.Webhook, reference)))
            {
                errors.Add($"records[{Index}].reference", $"{label}: the document already has a webhook with this reference.");
                return;
            }

            var authenticator = Relation(record, "authenticator_id", ReadAuthenticator, label);
            var variables = Relations(record, "variable_ids", node => ReadValue(node, YamlDocument.Variable), label);
            var secrets = Relations(record, "secret_ids", node => ReadValue(node, YamlDocument.Secret), label);
            var method = Text(record, "method")?.ToUpperInvariant();
            var python = Text(record, "code");
            var input = new WebhookInput(reference, Text(record, "name"), false, authenticator, Text(record, "endpoint"), method,
                Text(record, "content_type"), null, Stub(python, "result.exit_code = 1;\nresult.message = \"Not ported from Cetmix Tower yet\";"),
                variables, secrets, null);
            var note = "imported disabled" + (string.IsNullOrWhiteSpace(python)
                ? ": enable it when its authenticator is ready"
                : ": port the Python code kept as a comment to C#, then enable it");
            Add(YamlDocument.Webhook, reference, record, input, note);
        }

        private string? ReadAuthenticator(YamlMappingNode record)
        {
            var (label, reference) = Start(record, YamlDocument.Authenticator, AuthenticatorFields);
            if (reference is not null && !_seen.Add((YamlDocument.Authenticator, reference)))
            {
                return reference;
            }

            var variables = Relations(record, "variable_ids", node => ReadValue(node, YamlDocument.Variable), label);
            var secrets = Relations(record, "secret_ids", node => ReadValue(node, YamlDocument.Secret), label);
            var python = Text(record, "code");
            var input = new AuthenticatorInput(reference, Text(record, "name"), Text(record, "allowed_ip_addresses"), Text(record, "trusted_proxy_ips"),
                string.IsNullOrWhiteSpace(python) ? null : Stub(python, "result.allowed = false;"), variables, secrets);
            Add(YamlDocument.Authenticator, reference, record, input,
                string.IsNullOrWhiteSpace(python) ? null : "refuses every call: port the Python code kept as a comment to C#");
            return reference;
        }

        /// <summary>A variable or a secret: created without its value when it does not exist yet, left as it is when it does.</summary>
        private string? ReadValue(YamlMappingNode record, string model)
        {
            var (_, reference) = Start(record, model, ValueFields);
            if (reference is null || !_seen.Add((model, reference)))
            {
                return reference;
            }

            var secret = model == YamlDocument.Secret;
            var missing = secret ? RandomNumberGenerator.GetHexString(48, lowercase: true) : "";
            Add(model, reference, record, new ValueInput(reference, Text(record, "name") ?? reference, null),
                secret ? "created with a random value (exports carry none): set the real one" : "created with an empty value (exports carry none): set it",
                missing);
            return reference;
        }

        private (string Label, string? Reference) Start(YamlMappingNode record, string model, string[] fields)
        {
            var reference = Text(record, "reference");
            var label = ImportRecord.LabelOf(model, reference, (int)record.Start.Line);
            foreach (var key in Keys(record).Where(key => key is not (ModelKey or VersionKey) && !fields.Contains(key)))
            {
                errors.Add($"records[{Index}].{key}", $"{label}: '{key}' is not a field of a Cetmix Tower {model}: use {string.Join(", ", fields)}.");
            }

            if (reference is null && model is YamlDocument.Variable or YamlDocument.Secret)
            {
                errors.Add($"records[{Index}].reference", $"{label}: a nested {model} needs its reference.");
            }

            return (label, reference);
        }

        private void Add(string model, string? reference, YamlMappingNode record, object input, string? note, string? valueIfMissing = null) =>
            Records.Add(new ImportRecord(Index, model, reference, (int)record.Start.Line, input) { Note = note, ValueIfMissing = valueIfMissing });

        /// <summary>A many2one: a reference, or a nested record (read, and linked by its reference).</summary>
        private string? Relation(YamlMappingNode record, string field, Func<YamlMappingNode, string?> nested, string label) =>
            Child(record, field) switch
            {
                null => null,
                YamlScalarNode scalar when IsEmpty(scalar) => null,
                YamlScalarNode scalar => scalar.Value,
                YamlMappingNode mapping => nested(mapping),
                _ => Wrong(field, label),
            };

        /// <summary>A many2many: a list of references and nested records.</summary>
        private List<string>? Relations(YamlMappingNode record, string field, Func<YamlMappingNode, string?> nested, string label)
        {
            switch (Child(record, field))
            {
                case null:
                    return null;
                case YamlScalarNode scalar when IsEmpty(scalar):
                    return [];
                case YamlSequenceNode list:
                    var references = new List<string>();
                    foreach (var item in list.Children)
                    {
                        var reference = item switch
                        {
                            YamlScalarNode { Value: { Length: > 0 } value } => value,
                            YamlMappingNode mapping => nested(mapping),
                            _ => Wrong(field, label),
                        };
                        if (reference is not null)
                        {
                            references.Add(reference);
                        }
                    }

                    return references;
                default:
                    Wrong(field, label);
                    return null;
            }
        }

        private string? Wrong(string field, string label)
        {
            errors.Add($"records[{Index}].{field}", $"{label}: {field} must be a reference or a nested record (a list of them for *_ids).");
            return null;
        }
    }

    /// <summary>A C# stub below the Python it replaces, each Python line kept as a comment.</summary>
    private static string Stub(string? python, string stub) =>
        string.IsNullOrWhiteSpace(python)
            ? stub
            : "// Ported from Cetmix Tower: the Python below cannot run here. Rewrite it in C#, then remove this stub.\n"
              + string.Concat(python.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n').Select(line => "// " + line + "\n"))
              + stub;

    /// <summary>A text field; Odoo's <c>false</c> for an empty field reads as none.</summary>
    private static string? Text(YamlMappingNode record, string field) =>
        Child(record, field) is YamlScalarNode scalar && !IsEmpty(scalar) ? scalar.Value : null;

    private static string? Scalar(YamlMappingNode record, string field) => (Child(record, field) as YamlScalarNode)?.Value;

    private static bool IsEmpty(YamlScalarNode scalar) =>
        scalar.Style == ScalarStyle.Plain && scalar.Value is null or "" or "~" or "null" or "false" or "False";

    private static YamlNode? Child(YamlMappingNode mapping, string key) =>
        mapping.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    private static IEnumerable<string> Keys(YamlMappingNode mapping) => mapping.Children.Keys.Select(key => (key as YamlScalarNode)?.Value ?? "");
}
