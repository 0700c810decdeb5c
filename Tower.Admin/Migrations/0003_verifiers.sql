-- An authenticator's signature verifier (spec §11), as the API shows it; null when it has none.
-- Its secrets are listed beside it, so that a secret a verifier uses cannot be deleted.
ALTER TABLE authenticators
    ADD COLUMN verifier jsonb,
    ADD COLUMN verifier_secrets text[] NOT NULL
        GENERATED ALWAYS AS (array_remove(ARRAY[verifier ->> 'secret', verifier ->> 'secondary_secret'], NULL)) STORED;
