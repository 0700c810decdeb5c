-- Traffic control (spec §10): a webhook's rate limit and concurrency limit, an authenticator's
-- lockout; null when off. The objects are stored as the API shows them.
ALTER TABLE webhooks
    ADD COLUMN rate_limit jsonb,
    ADD COLUMN max_concurrency integer CHECK (max_concurrency >= 1);
ALTER TABLE authenticators ADD COLUMN lockout jsonb;
