-- The sandbox control surface: fault-injection rules, with the counters
-- every process shares, and the request journal, bounded by deleting its
-- oldest entries (by seq, the journal's order).
CREATE TABLE faults (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT, -- the order rules apply in
    id          TEXT    NOT NULL UNIQUE,
    endpoint    TEXT    NOT NULL,
    institution TEXT    NOT NULL,
    login_id    TEXT    NOT NULL,
    customer_id TEXT    NOT NULL,
    status      INTEGER NOT NULL,
    flinks_code TEXT    NOT NULL,
    latency_us  INTEGER NOT NULL,
    probability REAL    NOT NULL,
    seed        INTEGER NOT NULL,
    times       INTEGER NOT NULL, -- 0: no limit
    matched     INTEGER NOT NULL,
    fired       INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE journal (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT    NOT NULL,
    customer_id   TEXT    NOT NULL,
    login_id      TEXT    NOT NULL,
    request_id    TEXT    NOT NULL,
    method        TEXT    NOT NULL,
    path          TEXT    NOT NULL,
    status        INTEGER NOT NULL,
    flinks_code   TEXT    NOT NULL,
    duration_us   INTEGER NOT NULL,
    event         TEXT    NOT NULL,
    detail        TEXT    NOT NULL,
    at            INTEGER NOT NULL,
    clock         INTEGER NOT NULL,
    request_body  BLOB,
    response_body BLOB
) STRICT;

CREATE INDEX journal_customer ON journal (customer_id, seq);
CREATE INDEX journal_login ON journal (login_id, seq);
CREATE INDEX journal_request ON journal (request_id, seq);
