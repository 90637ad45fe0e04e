-- Saved connections (cards). A customer has at most one login per
-- institution and username, so a second live login with the same username
-- keeps its LoginId.
CREATE TABLE logins (
    id                TEXT    PRIMARY KEY,
    customer_id       TEXT    NOT NULL,
    institution       TEXT    NOT NULL,
    username          TEXT    NOT NULL,
    username_key      TEXT    NOT NULL,
    language          TEXT    NOT NULL,
    saved             INTEGER NOT NULL,
    scheduled_refresh INTEGER NOT NULL,
    type              TEXT    NOT NULL,
    last_refresh      INTEGER NOT NULL, -- unix microseconds, 0 when never
    last_refresh_code TEXT    NOT NULL,
    version           INTEGER NOT NULL,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    sealed            BLOB,
    UNIQUE (customer_id, institution, username_key)
) STRICT;

-- Authorize conversations (RequestIds).
CREATE TABLE sessions (
    id               TEXT    PRIMARY KEY,
    customer_id      TEXT    NOT NULL,
    login_id         TEXT    REFERENCES logins (id) ON DELETE CASCADE,
    institution      TEXT    NOT NULL,
    username         TEXT    NOT NULL,
    language         TEXT    NOT NULL,
    tag              TEXT    NOT NULL,
    mode             TEXT    NOT NULL,
    save             INTEGER NOT NULL,
    schedule_refresh INTEGER NOT NULL,
    state            TEXT    NOT NULL,
    attempts         INTEGER NOT NULL,
    busy_until       INTEGER NOT NULL,
    version          INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    sealed           BLOB
) STRICT;

CREATE INDEX sessions_updated_at ON sessions (updated_at);
CREATE INDEX sessions_login_id ON sessions (login_id);
