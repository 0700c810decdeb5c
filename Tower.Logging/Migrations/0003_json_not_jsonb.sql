-- Headers, query and payload are stored and shown whole; nothing queries inside them. As json
-- (text checked for syntax) rather than jsonb (parsed into a binary tree on every insert and
-- printed back on every read), storing a record costs PostgreSQL less, and the log shows the
-- caller's own key order. Existing rows are converted once.
ALTER TABLE webhook_calls
    ALTER COLUMN request_headers TYPE json USING request_headers::json,
    ALTER COLUMN request_query TYPE json USING request_query::json,
    ALTER COLUMN request_payload TYPE json USING request_payload::json;
