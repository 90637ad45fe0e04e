package sqlitestore

import (
	"context"
	"database/sql"
	"time"
)

// checkpointEvery is how often the checkpointer copies the WAL's committed
// pages into the database file. Between two checkpoints the WAL grows by
// what the writer commits in that time; SQLite's own default, a checkpoint
// every 1,000 pages, is reached in about a second under the cached workload.
const checkpointEvery = 100 * time.Millisecond

// checkpointer runs SQLite's checkpoints on a connection of its own.
// SQLite's autocheckpoint runs one inside the commit that takes the WAL
// past 1,000 pages, so that one request in many waited for the copy and
// its fsyncs, with the write lock held. The writer's autocheckpoint is off
// (wal_autocheckpoint(0) in Open) and this goroutine runs a PASSIVE
// checkpoint instead, which takes no lock a writer or reader waits for:
// commits go on meanwhile, and a page a reader still needs is left for the
// next one. Decision 0013 has the choice, docs/performance.md its figures.
type checkpointer struct {
	db   *sql.DB
	stop context.CancelFunc
	done chan struct{}
}

// startCheckpointer opens its connection to the file of dsn and starts
// checkpointing.
func startCheckpointer(dsn string) (*checkpointer, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	oneConnection(db)
	ctx, stop := context.WithCancel(context.Background())
	c := &checkpointer{db: db, stop: stop, done: make(chan struct{})}
	go c.run(ctx)
	return c, nil
}

func (c *checkpointer) run(ctx context.Context) {
	defer close(c.done)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		// An error (a busy file during another process's TRUNCATE
		// checkpoint, a closed database) leaves the pages in the WAL,
		// where every reader finds them; the next tick tries again.
		c.db.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`)
	}
}

// close stops the goroutine and closes its connection. The store's last
// connection to close then checkpoints what remains and removes the WAL.
func (c *checkpointer) close() error {
	c.stop()
	<-c.done
	return c.db.Close()
}
