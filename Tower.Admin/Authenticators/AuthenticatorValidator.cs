using Tower.Admin.Infrastructure;
using Tower.Scripting;

namespace Tower.Admin.Authenticators;

/// <summary>Every rule an authenticator must satisfy before it is stored; each broken rule names its field.</summary>
public sealed class AuthenticatorValidator(RecordRules rules, VerifierRules verifierRules)
{
    public async Task<Authenticator> ValidateAsync(AuthenticatorInput input, string reference, string actor, ValidationErrors errors,
        CancellationToken cancellationToken)
    {
        RecordRules.CheckName(input.Name, errors);
        RecordRules.CheckReference(reference, errors);
        RecordRules.CheckIpList("allowed_ips", input.AllowedIps, errors);
        RecordRules.CheckIpList("trusted_proxy_ips", input.TrustedProxyIps, errors);
        RecordRules.CheckCode(ScriptKind.Authenticator, input.Code, errors);
        var variables = input.Variables?.ToArray() ?? [];
        var secrets = input.Secrets?.ToArray() ?? [];
        await rules.CheckLinksAsync(variables, secrets, errors, cancellationToken);
        var verifier = await verifierRules.CheckAsync(input.Verifier, errors, cancellationToken);
        var lockout = TrafficRules.CheckLockout(input.Lockout, errors);
        var code = input.Code ?? "";
        return new Authenticator
        {
            Reference = reference,
            Name = input.Name?.Trim() ?? "",
            AllowedIps = input.AllowedIps?.Trim() ?? "",
            TrustedProxyIps = input.TrustedProxyIps?.Trim() ?? "",
            Code = code,
            CodeHash = string.IsNullOrWhiteSpace(code) ? null : ScriptIdentity.Of(ScriptKind.Authenticator, code),
            Variables = variables,
            Secrets = secrets,
            Verifier = verifier,
            Lockout = lockout,
            CreatedBy = actor,
            UpdatedBy = actor,
        };
    }
}
