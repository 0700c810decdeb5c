-- Draft code of tests and replays (spec §12), by script identity: Auth and Executor fetch a
-- script's text by its identity, drafts included. Kept a day, then removed.
CREATE TABLE script_drafts (
    code_hash text PRIMARY KEY,
    kind text NOT NULL,
    code text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
