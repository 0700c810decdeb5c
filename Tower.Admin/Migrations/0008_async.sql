-- A webhook's response mode and its async attempts (spec §10): retry is null for a sync webhook.
ALTER TABLE webhooks ADD COLUMN response_mode text NOT NULL DEFAULT 'sync' CHECK (response_mode IN ('sync', 'async'));
ALTER TABLE webhooks ADD COLUMN retry jsonb;
