-- A random version per single resource, replaced by every write: the resource's strong ETag, and
-- what If-Match is compared with inside the UPDATE or DELETE itself. Random rather than a hash of
-- the row, so that it tells nothing about a secret's value.
ALTER TABLE webhooks ADD COLUMN version uuid NOT NULL DEFAULT gen_random_uuid();
ALTER TABLE authenticators ADD COLUMN version uuid NOT NULL DEFAULT gen_random_uuid();
ALTER TABLE variables ADD COLUMN version uuid NOT NULL DEFAULT gen_random_uuid();
ALTER TABLE secrets ADD COLUMN version uuid NOT NULL DEFAULT gen_random_uuid();
