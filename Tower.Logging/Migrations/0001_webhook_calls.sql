-- One row per call that reached the gateway's webhook route. Partitioned by day so that
-- retention drops whole partitions; the key includes the partition key, as PostgreSQL requires.
CREATE TABLE webhook_calls (
    id uuid NOT NULL,
    created_at timestamptz NOT NULL,
    webhook text NOT NULL,
    authenticator text NOT NULL,
    endpoint text NOT NULL,
    request_method text NOT NULL,
    request_headers jsonb NOT NULL,
    request_query jsonb NOT NULL,
    -- The parsed payload when it was JSON; otherwise the raw text in request_payload_text.
    request_payload jsonb,
    request_payload_text text,
    authentication_status text NOT NULL,
    code_status text NOT NULL,
    http_status integer NOT NULL,
    result_message text NOT NULL,
    error_message text NOT NULL,
    script_log text NOT NULL,
    ip_address text NOT NULL,
    peer_ip text NOT NULL,
    country text NOT NULL,
    run_as_user text NOT NULL,
    duration_ms double precision NOT NULL,
    PRIMARY KEY (created_at, id)
) PARTITION BY RANGE (created_at);

-- Catches rows outside the days prepared ahead of time.
CREATE TABLE webhook_calls_default PARTITION OF webhook_calls DEFAULT;

CREATE INDEX webhook_calls_id ON webhook_calls (id);
CREATE INDEX webhook_calls_webhook ON webhook_calls (webhook, created_at DESC, id DESC);
CREATE INDEX webhook_calls_authenticator ON webhook_calls (authenticator, created_at DESC, id DESC);
CREATE INDEX webhook_calls_endpoint ON webhook_calls (endpoint, created_at DESC, id DESC);
CREATE INDEX webhook_calls_http_status ON webhook_calls (http_status, created_at DESC, id DESC);

CREATE TABLE settings (
    key text PRIMARY KEY,
    value text NOT NULL
);
INSERT INTO settings (key, value) VALUES ('webhook_log_retention_days', '30');
