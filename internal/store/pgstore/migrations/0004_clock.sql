-- The sandbox's virtual clock: its offset from the wall clock, one row
-- once the clock was first moved, shared by every process of the database.
CREATE TABLE sandbox_clock (
    id         integer PRIMARY KEY CHECK (id = 1),
    offset_us  bigint  NOT NULL,
    updated_at bigint  NOT NULL -- unix microseconds, of the wall clock
);
