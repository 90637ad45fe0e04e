-- The latest snapshot of each login: what the bank showed at the last fetch.
-- One row per login, holding the holder; it goes with its login.
CREATE TABLE snapshots (
    login_id      TEXT    PRIMARY KEY REFERENCES logins (id) ON DELETE CASCADE,
    fetched_at    INTEGER NOT NULL, -- unix microseconds
    holder_name   TEXT    NOT NULL,
    holder_email  TEXT    NOT NULL,
    holder_phone  TEXT    NOT NULL,
    civic_address TEXT    NOT NULL,
    city          TEXT    NOT NULL,
    province      TEXT    NOT NULL,
    postal_code   TEXT    NOT NULL,
    po_box        TEXT    NOT NULL,
    country       TEXT    NOT NULL
) STRICT;

-- The accounts of a snapshot, in the snapshot's order (position), each with
-- all its transactions in one blob (see snapshot.go for the format and why).
-- They go with their snapshot, and so with their login.
CREATE TABLE snapshot_accounts (
    login_id           TEXT    NOT NULL REFERENCES snapshots (login_id) ON DELETE CASCADE,
    position           INTEGER NOT NULL,
    account_id         TEXT    NOT NULL,
    title              TEXT    NOT NULL,
    category           TEXT    NOT NULL,
    type               TEXT    NOT NULL,
    currency           TEXT    NOT NULL,
    account_type       TEXT    NOT NULL,
    account_number     TEXT    NOT NULL,
    transit_number     TEXT    NOT NULL,
    institution_number TEXT    NOT NULL,
    -- Balances in cents; NULL when the bank does not tell.
    current            INTEGER,
    available          INTEGER,
    credit_limit       INTEGER,
    overdraft_limit    INTEGER,
    -- Last, so that a read without transactions never loads its overflow
    -- pages.
    transactions       BLOB    NOT NULL,
    PRIMARY KEY (login_id, position),
    UNIQUE (login_id, account_id)
) STRICT;
