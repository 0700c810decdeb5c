-- A call id is a UUIDv7 whose first 48 bits are the millisecond the gateway received the call,
-- which is also its created_at: a lookup by id goes through the primary key (created_at, id) of
-- one partition, so the separate index on id (one more b-tree to maintain per row) goes.
DROP INDEX IF EXISTS webhook_calls_id;
