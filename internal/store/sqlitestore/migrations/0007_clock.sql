-- The sandbox's virtual clock: its offset from the wall clock, one row
-- once the clock was first moved, shared by every process of the database.
CREATE TABLE sandbox_clock (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    offset_us  INTEGER NOT NULL,
    updated_at INTEGER NOT NULL -- unix microseconds, of the wall clock
) STRICT;
