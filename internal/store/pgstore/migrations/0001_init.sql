-- The schema of bankfeed on PostgreSQL: the same tables as on SQLite, with
-- PostgreSQL's types. Times are unix microseconds (bigint), 0 when never,
-- as on SQLite: the precision the store contract keeps. Ids compare in the
-- "C" collation, byte by byte as on SQLite, so that the pages of a key
-- rotation (ORDER BY id, id > $1) are the same whatever the database's
-- locale.

-- Saved connections (cards). A customer has at most one login per
-- institution and username, so a second live login with the same username
-- keeps its LoginId.
CREATE TABLE logins (
    id                text COLLATE "C" PRIMARY KEY,
    customer_id       text COLLATE "C" NOT NULL,
    institution       text    NOT NULL,
    username          text    NOT NULL,
    username_key      text    NOT NULL,
    language          text    NOT NULL,
    saved             boolean NOT NULL,
    scheduled_refresh boolean NOT NULL,
    type              text    NOT NULL,
    last_refresh      bigint  NOT NULL,
    last_refresh_code text    NOT NULL,
    version           bigint  NOT NULL,
    created_at        bigint  NOT NULL,
    updated_at        bigint  NOT NULL,
    sealed            bytea,
    -- The login's own data key, wrapped by the master key; the login's
    -- sealed secrets are sealed with it, and deleting the row destroys it.
    data_key          bytea,
    UNIQUE (customer_id, institution, username_key)
);

CREATE INDEX logins_customer_id ON logins (customer_id);

-- Authorize conversations (RequestIds).
CREATE TABLE sessions (
    id               text COLLATE "C" PRIMARY KEY,
    customer_id      text COLLATE "C" NOT NULL,
    login_id         text COLLATE "C" REFERENCES logins (id) ON DELETE CASCADE,
    institution      text    NOT NULL,
    username         text    NOT NULL,
    language         text    NOT NULL,
    tag              text    NOT NULL,
    mode             text    NOT NULL,
    save             boolean NOT NULL,
    schedule_refresh boolean NOT NULL,
    state            text    NOT NULL,
    attempts         integer NOT NULL,
    busy_until       bigint  NOT NULL,
    version          bigint  NOT NULL,
    created_at       bigint  NOT NULL,
    updated_at       bigint  NOT NULL,
    sealed           bytea,
    -- The fetch that follows a live Authorize: 'pending', 'dispatched',
    -- 'done', 'failed' (with the FlinksCode in fetch_code), or empty for
    -- sessions that fetch nothing.
    -- Quoted: FETCH is a keyword of PostgreSQL.
    "fetch"          text    NOT NULL DEFAULT '',
    fetch_code       text    NOT NULL DEFAULT '',
    -- The options of the data calls answered 202 while the fetch ran, as
    -- JSON, for the *Async calls that continue them.
    requests         bytea
);

CREATE INDEX sessions_updated_at ON sessions (updated_at);
CREATE INDEX sessions_login_id ON sessions (login_id);
CREATE INDEX sessions_customer_id ON sessions (customer_id);
CREATE INDEX sessions_fetching ON sessions (login_id) WHERE "fetch" IN ('pending', 'dispatched');

-- The latest snapshot of each login: what the bank showed at the last fetch.
CREATE TABLE snapshots (
    login_id      text COLLATE "C" PRIMARY KEY REFERENCES logins (id) ON DELETE CASCADE,
    fetched_at    bigint NOT NULL,
    holder_name   text   NOT NULL,
    holder_email  text   NOT NULL,
    holder_phone  text   NOT NULL,
    civic_address text   NOT NULL,
    city          text   NOT NULL,
    province      text   NOT NULL,
    postal_code   text   NOT NULL,
    po_box        text   NOT NULL,
    country       text   NOT NULL
);

-- The accounts of a snapshot, in the snapshot's order (position), each with
-- all its transactions in one blob (package txblob).
CREATE TABLE snapshot_accounts (
    login_id           text COLLATE "C" NOT NULL REFERENCES snapshots (login_id) ON DELETE CASCADE,
    position           integer NOT NULL,
    account_id         text    NOT NULL,
    title              text    NOT NULL,
    category           text    NOT NULL,
    type               text    NOT NULL,
    currency           text    NOT NULL,
    account_type       text    NOT NULL,
    account_number     text    NOT NULL,
    transit_number     text    NOT NULL,
    institution_number text    NOT NULL,
    -- Balances in cents; NULL when the bank does not tell.
    current            bigint,
    available          bigint,
    credit_limit       bigint,
    overdraft_limit    bigint,
    transactions       bytea   NOT NULL,
    PRIMARY KEY (login_id, position),
    UNIQUE (login_id, account_id)
);

-- Customers (tenants). Their keys are kept as SHA-256 digests only.
CREATE TABLE customers (
    id               text COLLATE "C" PRIMARY KEY,
    name             text    NOT NULL,
    secret_hash      bytea   NOT NULL,
    api_key_hash     bytea   NOT NULL,
    token_required   boolean NOT NULL,
    api_key_required boolean NOT NULL,
    request_rate     integer NOT NULL, -- per second, 0 for no bound
    token_rate       integer NOT NULL, -- per minute, 0 for no bound
    sandbox          boolean NOT NULL,
    created_at       bigint  NOT NULL,
    updated_at       bigint  NOT NULL
);

-- Single-use authorize tokens, by the SHA-256 digest of their value.
CREATE TABLE authorize_tokens (
    hash        bytea   PRIMARY KEY,
    customer_id text COLLATE "C" NOT NULL,
    expires_at  bigint  NOT NULL,
    used_at     bigint  NOT NULL, -- 0 while unused
    request_id  text    NOT NULL, -- the session the token opened
    created_at  bigint  NOT NULL
);

CREATE INDEX authorize_tokens_expires_at ON authorize_tokens (expires_at);
CREATE INDEX authorize_tokens_customer_id ON authorize_tokens (customer_id);
