
namespace Tower.Logging.Retention;

/// <summary><c>{"webhook_log_retention_days": 30}</c></summary>
public sealed record LogSettings(int WebhookLogRetentionDays);
