namespace Tower.Admin.Audit;

/// <summary>One change made through the Admin API, as <c>GET /api/audit</c> shows it.</summary>
public sealed record AuditEvent
{
    public Guid Id { get; init; }
    public DateTime At { get; init; }

    /// <summary>The login of the user whose key made the change.</summary>
    public string Actor { get; init; } = "";

    /// <summary><c>create</c>, <c>update</c>, <c>delete</c>, <c>import</c> or <c>revoke</c>.</summary>
    public string Action { get; init; } = "";

    /// <summary>What kind of thing changed: <c>webhook</c>, <c>authenticator</c>, <c>variable</c>, <c>secret</c>, <c>user</c>, <c>api_key</c>, <c>settings</c> or <c>yaml</c>.</summary>
    public string Resource { get; init; } = "";

    /// <summary>Which one: its reference, login or key id (empty for settings and imports).</summary>
    public string Reference { get; init; } = "";

    /// <summary>The address the request came from.</summary>
    public string Address { get; init; } = "";
}
