using Tower.Admin.Authenticators;
using Tower.Admin.Identity;
using Tower.Admin.Infrastructure;
using Tower.Scripting;

namespace Tower.Admin.Webhooks;

/// <summary>Every rule a webhook must satisfy before it is stored; each broken rule names its field.</summary>
public sealed class WebhookValidator(WebhookStore webhooks, AuthenticatorStore authenticators, RecordRules rules)
{
    public async Task<Webhook> ValidateAsync(WebhookInput input, string reference, string actor, ValidationErrors errors, CancellationToken cancellationToken)
    {
        RecordRules.CheckName(input.Name, errors);
        RecordRules.CheckReference(reference, errors);

        var method = input.Method ?? Webhook.DefaultMethod;
        if (method is not ("POST" or "GET"))
        {
            errors.Add("method", $"'{method}' is not a method a webhook can use: use POST or GET.");
        }

        var payloadType = input.PayloadType ?? Webhook.DefaultPayloadType;
        if (payloadType is not ("json" or "form"))
        {
            errors.Add("payload_type", $"'{payloadType}' is not a payload type: use json or form.");
        }

        var timeout = input.TimeoutMs ?? Webhook.DefaultTimeoutMs;
        if (timeout is < Webhook.MinTimeoutMs or > Webhook.MaxTimeoutMs)
        {
            errors.Add("timeout_ms", $"{timeout} is outside {Webhook.MinTimeoutMs}–{Webhook.MaxTimeoutMs} ms.");
        }

        var endpoint = input.Endpoint ?? "";
        if (!EndpointRules.IsValid(endpoint))
        {
            errors.Add("endpoint", $"'{endpoint}' is not a valid endpoint: it must start and end with a letter or digit and hold only letters, digits, '_', '-' and '/' (no '//').");
        }
        else if (await webhooks.HolderOfAsync(endpoint, method, reference, cancellationToken) is { } holder)
        {
            errors.Add("endpoint", $"{method} {endpoint} is already used by webhook '{holder}'.");
        }

        if (string.IsNullOrEmpty(input.Authenticator))
        {
            errors.Add("authenticator", "An authenticator is required.");
        }
        else if (!await authenticators.ExistsAsync(input.Authenticator, cancellationToken))
        {
            errors.Add("authenticator", $"There is no authenticator with reference '{input.Authenticator}'.");
        }

        var runAsUser = input.RunAsUser ?? RootUserBootstrap.RootLogin;
        if (!await rules.UserExistsAsync(runAsUser, cancellationToken))
        {
            errors.Add("run_as_user", $"There is no user with login '{runAsUser}'.");
        }

        RecordRules.CheckCode(ScriptKind.Webhook, input.Code, errors);
        var variables = input.Variables?.ToArray() ?? [];
        var secrets = input.Secrets?.ToArray() ?? [];
        await rules.CheckLinksAsync(variables, secrets, errors, cancellationToken);
        var rateLimit = TrafficRules.CheckRateLimit(input.RateLimit, errors);
        var maxConcurrency = TrafficRules.CheckMaxConcurrency(input.MaxConcurrency, errors);
        var dedup = TrafficRules.CheckDedup(input.Dedup, errors);
        var (responseMode, retry) = TrafficRules.CheckResponseMode(input.ResponseMode, input.Retry, errors);

        var code = input.Code ?? "";
        return new Webhook
        {
            Reference = reference,
            Name = input.Name?.Trim() ?? "",
            Enabled = input.Enabled ?? true,
            Authenticator = input.Authenticator ?? "",
            Endpoint = endpoint,
            Method = method,
            PayloadType = payloadType,
            RunAsUser = runAsUser,
            Code = code,
            CodeHash = string.IsNullOrWhiteSpace(code) ? null : ScriptIdentity.Of(ScriptKind.Webhook, code),
            Variables = variables,
            Secrets = secrets,
            TimeoutMs = timeout,
            RateLimit = rateLimit,
            MaxConcurrency = maxConcurrency,
            Dedup = dedup,
            ResponseMode = responseMode,
            Retry = retry,
            CreatedBy = actor,
            UpdatedBy = actor,
        };
    }
}
