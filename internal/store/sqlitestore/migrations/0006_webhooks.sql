-- Webhooks: each customer's endpoint, its deliveries, and every attempt of
-- each (the delivery log). The endpoint's id is its customer's, so that a
-- key rotation walks it like the other sealed columns.
CREATE TABLE webhooks (
    id          TEXT    PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE,
    customer_id TEXT    NOT NULL,
    url         TEXT    NOT NULL,
    secret      BLOB    NOT NULL, -- sealed by the vault
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE webhook_deliveries (
    id          TEXT    PRIMARY KEY,
    customer_id TEXT    NOT NULL,
    login_id    TEXT    NOT NULL, -- '' for a test delivery
    request_id  TEXT    NOT NULL,
    type        TEXT    NOT NULL,
    url         TEXT    NOT NULL,
    body        BLOB,             -- NULL once pruned
    state       TEXT    NOT NULL,
    attempts    INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;

CREATE INDEX webhook_deliveries_customer ON webhook_deliveries (customer_id, created_at);
CREATE INDEX webhook_deliveries_login ON webhook_deliveries (login_id, created_at);
CREATE INDEX webhook_deliveries_created ON webhook_deliveries (created_at);

CREATE TABLE webhook_attempts (
    delivery_id TEXT    NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt     INTEGER NOT NULL,
    customer_id TEXT    NOT NULL,
    login_id    TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    url         TEXT    NOT NULL,
    status      INTEGER NOT NULL, -- 0 when no response came
    error       TEXT    NOT NULL,
    duration_us INTEGER NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
) STRICT;
