using System.Data;
using Tower.Admin.Authenticators;
using Tower.Admin.Infrastructure;
using Tower.Admin.Values;
using Tower.Admin.Webhooks;

namespace Tower.Admin.Yaml;

/// <summary>
/// Imports a YAML document all-or-nothing: every record is checked with the rules of the API,
/// in dependency order (variables, secrets, authenticators, webhooks), and written inside one
/// transaction, so each record is checked against the records before it. Records whose fields
/// could not be read are checked too, so one answer lists every problem. Any error rolls the
/// whole document back and lists every problem; a dry run rolls back too and reports what
/// would have happened. A copy (<see cref="IfExists.Create"/>) gets a new reference, and the
/// document's later records that link the original link the copy.
/// </summary>
public sealed class YamlImporter(
    AdminDb db, ValueStore values, AuthenticatorStore authenticators, AuthenticatorValidator authenticatorValidator,
    WebhookStore webhooks, WebhookValidator webhookValidator, RecordRules rules, ConfigChanges changes)
{
    private static readonly string[] Order = [YamlDocument.Variable, YamlDocument.Secret, YamlDocument.Authenticator, YamlDocument.Webhook];

    public async Task<ImportReport?> ImportAsync(string text, IfExists ifExists, bool dryRun, string actor, ValidationErrors errors, CancellationToken ct)
    {
        var records = YamlDocument.Read(text, errors);
        if (records.Count == 0 && errors.Any)
        {
            return null;
        }

        var run = new Run(ifExists, actor, errors);
        await using (var transaction = await db.BeginAsync(IsolationLevel.Serializable, ct))
        {
            foreach (var record in records.OrderBy(r => Array.IndexOf(Order, r.Model)).ThenBy(r => r.Index))
            {
                await ImportAsync(run, record, ct);
            }

            if (errors.Any)
            {
                return null;
            }

            if (!dryRun)
            {
                await transaction.CommitAsync(ct);
            }
        }

        if (!dryRun)
        {
            foreach (var record in run.Created.Concat(run.Updated))
            {
                await changes.PublishAsync(record.Model, record.Reference);
            }
        }

        return new ImportReport(dryRun, run.Created, run.Updated, run.Skipped) { ToDo = run.Notes };
    }

    private async Task ImportAsync(Run run, ImportRecord record, CancellationToken ct)
    {
        var table = Table(record.Model);
        var exists = record.Reference is not null && await ExistsAsync(record.Model, record.Reference, ct);
        if (exists && run.IfExists == IfExists.Skip
            || exists && record.ValueIfMissing is not null
            || exists && run.IfExists == IfExists.Create && record.Input is ValueInput { Value: null } && record.Model == YamlDocument.Secret)
        {
            run.Skipped.Add(new ImportedRecord(record.Model, record.Reference!));
            return;
        }

        var reference = record.Reference;
        string? copyOf = null;
        if (reference is null)
        {
            reference = await rules.NewReferenceAsync(table, References.Stem(NameOf(record.Input) ?? record.Model), ct);
        }
        else if (exists && run.IfExists == IfExists.Create)
        {
            (copyOf, reference) = (reference, await rules.NewReferenceAsync(table, reference, ct));
            run.Renamed[(record.Model, copyOf)] = reference;
        }

        var errors = new ValidationErrors();
        var creating = !exists || copyOf is not null;
        var saved = record.Input switch
        {
            ValueInput input => await SaveValueAsync(record, input with { Value = input.Value ?? record.ValueIfMissing }, reference, creating, run.Actor, errors, ct),
            AuthenticatorInput input => await SaveAuthenticatorAsync(run, input, reference, creating, errors, ct),
            WebhookInput input => await SaveWebhookAsync(run, input, reference, creating, errors, ct),
            _ => throw new InvalidOperationException($"No import for {record.Input.GetType().Name}."),
        };
        foreach (var (field, messages) in errors.ToDictionary())
        {
            foreach (var message in messages)
            {
                run.Errors.Add(record.Key(field), $"{record.Label}: {message}");
            }
        }

        if (saved)
        {
            (creating ? run.Created : run.Updated).Add(new ImportedRecord(record.Model, reference, copyOf));
            if (record.Note is { } note)
            {
                run.Notes.Add(new ImportNote(record.Model, reference, note));
            }
        }
    }

    private async Task<bool> SaveValueAsync(ImportRecord record, ValueInput input, string reference, bool creating, string actor,
        ValidationErrors errors, CancellationToken ct)
    {
        var kind = record.Model == YamlDocument.Secret ? ValueKind.Secret : ValueKind.Variable;
        if (kind == ValueKind.Secret && creating && input.Value is null)
        {
            errors.Add("value", "this secret does not exist here and the record has no value (exports never carry one): create the secret first, or add its value.");
            return false;
        }

        ValueStore.Check(kind, input, creating, errors);
        await values.CheckVerifierUseAsync(kind, reference, input.Value, errors, ct);
        RecordRules.CheckReference(reference, errors);
        return await WriteAsync(errors, creating,
            () => values.InsertAsync(kind, reference, input, actor, ct), () => values.UpdateAsync(kind, reference, input, actor, IfMatch.None, ct));
    }

    private async Task<bool> SaveAuthenticatorAsync(Run run, AuthenticatorInput input, string reference, bool creating, ValidationErrors errors,
        CancellationToken ct)
    {
        var linked = input with
        {
            Variables = run.Map(YamlDocument.Variable, input.Variables),
            Secrets = run.Map(YamlDocument.Secret, input.Secrets),
            Verifier = input.Verifier is { } verifier
                ? verifier with
                {
                    Secret = verifier.Secret is null ? null : run.Map(YamlDocument.Secret, verifier.Secret),
                    SecondarySecret = verifier.SecondarySecret is null ? null : run.Map(YamlDocument.Secret, verifier.SecondarySecret),
                }
                : null,
        };
        var authenticator = await authenticatorValidator.ValidateAsync(linked, reference, run.Actor, errors, ct);
        return await WriteAsync(errors, creating, () => authenticators.InsertAsync(authenticator, ct), () => authenticators.UpdateAsync(authenticator, IfMatch.None, ct));
    }

    private async Task<bool> SaveWebhookAsync(Run run, WebhookInput input, string reference, bool creating, ValidationErrors errors, CancellationToken ct)
    {
        var linked = input with
        {
            Authenticator = input.Authenticator is null ? null : run.Map(YamlDocument.Authenticator, input.Authenticator),
            Variables = run.Map(YamlDocument.Variable, input.Variables),
            Secrets = run.Map(YamlDocument.Secret, input.Secrets),
        };
        var webhook = await webhookValidator.ValidateAsync(linked, reference, run.Actor, errors, ct);
        return await WriteAsync(errors, creating, () => webhooks.InsertAsync(webhook, ct), () => webhooks.UpdateAsync(webhook, IfMatch.None, ct));
    }

    /// <summary>Writes a valid record (inserting or replacing it); says whether it was written.</summary>
    private static async Task<bool> WriteAsync(ValidationErrors errors, bool creating, Func<Task> insert, Func<Task> update)
    {
        if (errors.Any)
        {
            return false;
        }

        await (creating ? insert() : update());
        return true;
    }

    private Task<bool> ExistsAsync(string model, string reference, CancellationToken ct) => model switch
    {
        YamlDocument.Variable => values.ExistsAsync(ValueKind.Variable, reference, ct),
        YamlDocument.Secret => values.ExistsAsync(ValueKind.Secret, reference, ct),
        YamlDocument.Authenticator => authenticators.ExistsAsync(reference, ct),
        _ => webhooks.ExistsAsync(reference, ct),
    };

    private static string Table(string model) => model switch
    {
        YamlDocument.Variable => "variables",
        YamlDocument.Secret => "secrets",
        YamlDocument.Authenticator => "authenticators",
        _ => "webhooks",
    };

    private static string? NameOf(object input) => input switch
    {
        ValueInput value => value.Name,
        AuthenticatorInput authenticator => authenticator.Name,
        WebhookInput webhook => webhook.Name,
        _ => null,
    };

    /// <summary>The state of one import: its choices, what it did, and the copies made so far.</summary>
    private sealed class Run(IfExists ifExists, string actor, ValidationErrors errors)
    {
        public IfExists IfExists { get; } = ifExists;
        public string Actor { get; } = actor;
        public ValidationErrors Errors { get; } = errors;
        public List<ImportedRecord> Created { get; } = [];
        public List<ImportedRecord> Updated { get; } = [];
        public List<ImportedRecord> Skipped { get; } = [];
        public List<ImportNote> Notes { get; } = [];
        public Dictionary<(string Model, string Reference), string> Renamed { get; } = [];

        public string Map(string model, string reference) => Renamed.GetValueOrDefault((model, reference), reference);

        public IReadOnlyList<string>? Map(string model, IReadOnlyList<string>? references) =>
            references?.Select(reference => Map(model, reference)).ToList();
    }
}
