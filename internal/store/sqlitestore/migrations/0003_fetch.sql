-- The fetch that follows a live Authorize: whether the session's data is
-- being collected ('pending', or 'dispatched' for a fetch the bank said is
-- long), is ready ('done') or failed ('failed', with the FlinksCode in
-- fetch_code). Empty for sessions that fetch nothing (a cached reopen, a
-- conversation not yet authorized).
ALTER TABLE sessions ADD COLUMN fetch      TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN fetch_code TEXT NOT NULL DEFAULT '';
CREATE INDEX sessions_fetching ON sessions (login_id) WHERE fetch IN ('pending', 'dispatched');

-- The options of the data calls a client made while the fetch ran, by
-- operation, as JSON: the *Async call that polls for the result (a GET,
-- without a body) answers with the options of the call it continues.
ALTER TABLE sessions ADD COLUMN requests BLOB;
