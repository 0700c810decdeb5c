namespace Tower.Scripting;

public enum ScriptKind
{
    Webhook,
    Authenticator,
}
