-- A snapshot's version: a number no other snapshot of the database has had,
-- for the in-memory cache of account data to know a snapshot it holds from
-- the one stored now (a refresh may store one at the same fetch time,
-- under a frozen or virtual clock), whichever process stored it.
CREATE SEQUENCE snapshot_version;
ALTER TABLE snapshots ADD COLUMN version bigint NOT NULL DEFAULT nextval('snapshot_version');
