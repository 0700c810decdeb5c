-- Dedup keys of webhooks (spec §10): a call claims its key while it runs ('running', until its
-- code's limit plus 30 s), then keeps its 2xx answer for the webhook's window ('answered').
-- Expired rows are taken over by the next claim and swept by the retention service.
CREATE TABLE dedup_keys (
    webhook text NOT NULL,
    key text NOT NULL,
    call_id uuid NOT NULL,
    state text NOT NULL CHECK (state IN ('running', 'answered')),
    expires_at timestamptz NOT NULL,
    answer jsonb,
    PRIMARY KEY (webhook, key)
);
CREATE INDEX dedup_keys_expires_at ON dedup_keys (expires_at);
