-- API keys are listed by an id and a short prefix (never the key) with when they were last used.
-- Keys made before this migration have no known prefix.
ALTER TABLE api_keys
    ADD COLUMN prefix text NOT NULL DEFAULT '',
    ADD COLUMN last_used_at timestamptz;

-- Every change made through the Admin API: who, when, which action, on what, from where.
-- Never a value: a secret's value cannot reach it.
CREATE TABLE audit_events (
    id uuid PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    actor text NOT NULL,
    action text NOT NULL,
    resource text NOT NULL,
    reference text NOT NULL,
    address text NOT NULL
);
