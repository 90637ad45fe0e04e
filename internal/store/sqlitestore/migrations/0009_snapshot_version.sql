-- A snapshot's version: a number no other snapshot of the database has had,
-- for the in-memory cache of account data to know a snapshot it holds from
-- the one stored now (a refresh may store one at the same fetch time,
-- under a frozen or virtual clock). The counter row hands them out, under
-- the one writer; rows stored before this migration are version 0, and
-- every later PutSnapshot takes a new one.
CREATE TABLE snapshot_version (n INTEGER NOT NULL) STRICT;
INSERT INTO snapshot_version (n) VALUES (0);
ALTER TABLE snapshots ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
