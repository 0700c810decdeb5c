CREATE TABLE users (
    login text PRIMARY KEY,
    "group" text NOT NULL CHECK ("group" IN ('root', 'manager', 'user')),
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Keys are stored only as SHA-256 hashes of high-entropy random keys.
CREATE TABLE api_keys (
    id uuid PRIMARY KEY,
    login text NOT NULL REFERENCES users (login) ON DELETE CASCADE,
    key_hash bytea NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE variables (
    reference text PRIMARY KEY,
    name text NOT NULL,
    value text NOT NULL,
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_by text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Values are encrypted with a key that is not stored in this database.
CREATE TABLE secrets (
    reference text PRIMARY KEY,
    name text NOT NULL,
    value_encrypted bytea NOT NULL,
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_by text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE authenticators (
    reference text PRIMARY KEY,
    name text NOT NULL,
    allowed_ips text NOT NULL,
    trusted_proxy_ips text NOT NULL,
    code text NOT NULL,
    code_hash text,
    variables text[] NOT NULL,
    secrets text[] NOT NULL,
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_by text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE webhooks (
    reference text PRIMARY KEY,
    name text NOT NULL,
    enabled boolean NOT NULL,
    authenticator text NOT NULL REFERENCES authenticators (reference),
    endpoint text NOT NULL,
    method text NOT NULL CHECK (method IN ('POST', 'GET')),
    payload_type text NOT NULL CHECK (payload_type IN ('json', 'form')),
    run_as_user text NOT NULL REFERENCES users (login),
    code text NOT NULL,
    code_hash text,
    variables text[] NOT NULL,
    secrets text[] NOT NULL,
    timeout_ms integer NOT NULL CHECK (timeout_ms BETWEEN 100 AND 30000),
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_by text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (endpoint, method)
);

CREATE INDEX webhooks_code_hash ON webhooks (code_hash);
CREATE INDEX authenticators_code_hash ON authenticators (code_hash);
