namespace Tower.Gateway.Webhooks;

/// <summary>One row of the status table: the answer's status and default message, and what the call log records.</summary>
internal readonly record struct StatusRow(int Status, string Message, string AuthenticationStatus, string CodeStatus);
