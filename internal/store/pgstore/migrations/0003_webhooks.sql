-- Webhooks: each customer's endpoint, its deliveries, and every attempt of
-- each (the delivery log). The endpoint's id is its customer's, so that a
-- key rotation walks it like the other sealed columns.
CREATE TABLE webhooks (
    id          text    PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE,
    customer_id text    NOT NULL,
    url         text    NOT NULL,
    secret      bytea   NOT NULL, -- sealed by the vault
    created_at  bigint  NOT NULL,
    updated_at  bigint  NOT NULL
);

CREATE TABLE webhook_deliveries (
    id          text    PRIMARY KEY,
    customer_id text    NOT NULL,
    login_id    text    NOT NULL, -- '' for a test delivery
    request_id  text    NOT NULL,
    type        text    NOT NULL,
    url         text    NOT NULL,
    body        bytea,            -- NULL once pruned
    state       text    NOT NULL,
    attempts    integer NOT NULL,
    created_at  bigint  NOT NULL,
    updated_at  bigint  NOT NULL,
    -- the order of insertion, for deliveries written at the same time
    seq         bigint  GENERATED ALWAYS AS IDENTITY
);

CREATE INDEX webhook_deliveries_customer ON webhook_deliveries (customer_id, created_at);
CREATE INDEX webhook_deliveries_login ON webhook_deliveries (login_id, created_at);
CREATE INDEX webhook_deliveries_created ON webhook_deliveries (created_at);

CREATE TABLE webhook_attempts (
    delivery_id text    NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt     integer NOT NULL,
    customer_id text    NOT NULL,
    login_id    text    NOT NULL,
    at          bigint  NOT NULL,
    url         text    NOT NULL,
    status      integer NOT NULL, -- 0 when no response came
    error       text    NOT NULL,
    duration_us bigint  NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
);
