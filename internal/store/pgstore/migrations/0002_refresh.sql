-- Scheduled refresh: what its eligibility rules read of a login. The time of
-- the last live login or refresh whatever its outcome (unix microseconds, 0
-- when never), whether the last authorized login asked a one-time challenge,
-- and about when the login was last reopened from cache.
ALTER TABLE logins ADD COLUMN last_attempt bigint  NOT NULL DEFAULT 0;
ALTER TABLE logins ADD COLUMN two_step     boolean NOT NULL DEFAULT false;
ALTER TABLE logins ADD COLUMN last_cached  bigint  NOT NULL DEFAULT 0;

-- The planner's pages: saved logins with scheduled refresh, by id.
CREATE INDEX logins_scheduled ON logins (id) WHERE scheduled_refresh AND saved;
