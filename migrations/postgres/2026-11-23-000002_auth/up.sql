-- Authentication and access control (spec/personium-api.md §3, §5).

-- ACLs (JSON, role ids not names, so renaming a role keeps them) on cells and boxes.
ALTER TABLE cells ADD COLUMN acl TEXT;
ALTER TABLE boxes ADD COLUMN acl TEXT;
-- Cell properties set by PROPPATCH (JSON object "localname@namespace" -> XML text).
ALTER TABLE cells ADD COLUMN props TEXT;

-- When the last failed authentication happened (the 1-second retry rule) and lockout.
ALTER TABLE accounts ADD COLUMN last_failed BIGINT;
ALTER TABLE accounts ADD COLUMN locked_until BIGINT;

-- Each cell's signing keys for trans-cell tokens and id_tokens. The private key is wrapped
-- (AES-256-GCM) under a key derived from the unit secret, which is never stored here.
CREATE TABLE cell_keys (
    kid TEXT PRIMARY KEY,
    cell_id TEXT NOT NULL REFERENCES cells(id) ON DELETE CASCADE,
    alg TEXT NOT NULL,
    nonce TEXT NOT NULL,
    wrapped_key TEXT NOT NULL,
    public_jwk TEXT NOT NULL,
    created BIGINT NOT NULL
);
CREATE INDEX cell_keys_cell ON cell_keys (cell_id);

-- One-time grants: refresh tokens (rotated on use) and authorization codes. A row exists
-- while the grant may be used; using it deletes the row.
CREATE TABLE token_grants (
    jti TEXT PRIMARY KEY,
    cell_id TEXT NOT NULL REFERENCES cells(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    expires BIGINT NOT NULL
);
CREATE INDEX token_grants_expiry ON token_grants (expires);
