-- A webhook's deduplication (spec §10), as the API shows it; null when off.
ALTER TABLE webhooks ADD COLUMN dedup jsonb;
