-- Where a call came from (spec §6, §10-§12): a caller, a test, a replay or an async attempt, and
-- the call a record relates to. Existing rows were all calls to the public route.
ALTER TABLE webhook_calls
    ADD COLUMN source text NOT NULL DEFAULT 'call',
    ADD COLUMN duplicate_of uuid,
    ADD COLUMN parent_id uuid,
    ADD COLUMN attempt integer,
    ADD COLUMN replay_of uuid;
