-- The schedule of accepted async calls (spec §10, §14), written with the accepted call's record:
-- 'queued' jobs are due at due_at and leased by one gateway replica at a time until
-- leased_until (a completion counts only with its lease_id); a call whose code succeeded is deleted; a dead one keeps its row without its
-- request, for POST /api/webhook-logs/{id}/retry, until its record leaves the log.
CREATE TABLE async_jobs (
    call_id uuid PRIMARY KEY,
    webhook text NOT NULL,
    state text NOT NULL CHECK (state IN ('queued', 'dead')),
    next_attempt int NOT NULL,
    set_start int NOT NULL,
    source text NOT NULL,
    due_at timestamptz NOT NULL,
    leased_until timestamptz,
    lease_id uuid,
    request bytea,
    created_at timestamptz NOT NULL
);
CREATE INDEX async_jobs_due ON async_jobs (due_at) WHERE state = 'queued';
