-- Customers (tenants). Their keys are kept as SHA-256 digests only: a key is
-- shown once, when it is made.
CREATE TABLE customers (
    id               TEXT    PRIMARY KEY,
    name             TEXT    NOT NULL,
    secret_hash      BLOB    NOT NULL,
    api_key_hash     BLOB    NOT NULL,
    token_required   INTEGER NOT NULL,
    api_key_required INTEGER NOT NULL,
    request_rate     INTEGER NOT NULL, -- per second, 0 for no bound
    token_rate       INTEGER NOT NULL, -- per minute, 0 for no bound
    sandbox          INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
) STRICT;

-- Single-use authorize tokens, by the SHA-256 digest of their value.
CREATE TABLE authorize_tokens (
    hash        BLOB    PRIMARY KEY,
    customer_id TEXT    NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER NOT NULL, -- 0 while unused
    request_id  TEXT    NOT NULL, -- the session the token opened
    created_at  INTEGER NOT NULL
) STRICT;

CREATE INDEX authorize_tokens_expires_at ON authorize_tokens (expires_at);
CREATE INDEX authorize_tokens_customer_id ON authorize_tokens (customer_id);
CREATE INDEX logins_customer_id ON logins (customer_id);
CREATE INDEX sessions_customer_id ON sessions (customer_id);

-- Each login's own data key, wrapped by the master key; the login's sealed
-- secrets are sealed with it, and deleting the row destroys it.
ALTER TABLE logins ADD COLUMN data_key BLOB;
