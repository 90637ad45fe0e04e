-- The sandbox control surface: fault-injection rules, with the counters
-- every process shares, and the request journal, bounded by deleting its
-- oldest entries (by seq, the journal's order).
CREATE TABLE faults (
    seq         bigint  GENERATED ALWAYS AS IDENTITY, -- the order rules apply in
    id          text    PRIMARY KEY,
    endpoint    text    NOT NULL,
    institution text    NOT NULL,
    login_id    text    NOT NULL,
    customer_id text    NOT NULL,
    status      integer NOT NULL,
    flinks_code text    NOT NULL,
    latency_us  bigint  NOT NULL,
    probability double precision NOT NULL,
    seed        bigint  NOT NULL,
    times       bigint  NOT NULL, -- 0: no limit
    matched     bigint  NOT NULL,
    fired       bigint  NOT NULL,
    created_at  bigint  NOT NULL
);

CREATE TABLE journal (
    seq           bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind          text    NOT NULL,
    customer_id   text    NOT NULL,
    login_id      text    NOT NULL,
    request_id    text    NOT NULL,
    method        text    NOT NULL,
    path          text    NOT NULL,
    status        integer NOT NULL,
    flinks_code   text    NOT NULL,
    duration_us   bigint  NOT NULL,
    event         text    NOT NULL,
    detail        text    NOT NULL,
    at            bigint  NOT NULL,
    clock         bigint  NOT NULL,
    request_body  bytea,
    response_body bytea
);

CREATE INDEX journal_customer ON journal (customer_id, seq);
CREATE INDEX journal_login ON journal (login_id, seq);
CREATE INDEX journal_request ON journal (request_id, seq);
