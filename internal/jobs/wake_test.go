package jobs_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/internal/jobs"
	"github.com/bankfeed/bankfeed/internal/store"
	"github.com/bankfeed/bankfeed/internal/store/sqlitestore"
	"github.com/riverqueue/river/riverdriver/riversqlite"
)

// longPoll is a poll the tests never see: a job they wait for runs only if
// something woke the workers for it.
const longPoll = time.Hour

// probe is a sweep that reports each of its runs on ran; a SweepJob naming
// it is a job the tests can commit and see run.
func probe(ran chan<- struct{}) jobs.Sweep {
	return jobs.Sweep{Name: "probe", Run: func(context.Context) error {
		ran <- struct{}{}
		return nil
	}}
}

// waitRuns waits for n runs of the probe, failing t if they do not come in
// a time far beyond any wake's.
func waitRuns(t *testing.T, ran <-chan struct{}, n int, what string) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for i := range n {
		select {
		case <-ran:
		case <-deadline:
			t.Fatalf("%s: %d of %d jobs ran; the others wait for the poll, in an hour", what, i, n)
		}
	}
}

// TestWakeRunsCommittedJob: on SQLite, which has no notifications, a job
// the store commits, in a transaction or alone, runs at once, its workers
// woken by the store's hook; and the wake writes no job.
func TestWakeRunsCommittedJob(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := sqlitestore.Open(ctx, filepath.Join(t.TempDir(), "bankfeed.db"), sqlitestore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ran := make(chan struct{}, 16)
	r, err := jobs.Start(ctx, riversqlite.New(st.WriteDB()), jobs.Config{Store: st, PollInterval: longPoll, Sweeps: []jobs.Sweep{probe(ran)}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Stop(ctx)
	st.OnJobsCommitted(func(queues []string) { r.Wake(queues...) })

	// The first job may be found by the workers' first fetch, at their
	// start; each next is committed after the one before ran, so that only
	// a wake finds it.
	for i, commit := range []func() error{
		func() error { return st.Enqueue(ctx, jobs.SweepJob{Name: "probe"}) },
		func() error {
			return st.InTx(ctx, func(q store.Queries) error { return q.Enqueue(ctx, jobs.SweepJob{Name: "probe"}) })
		},
		func() error { return st.Enqueue(ctx, jobs.SweepJob{Name: "probe"}) },
	} {
		if err := commit(); err != nil {
			t.Fatal(err)
		}
		waitRuns(t, ran, 1, "job "+string(rune('1'+i)))
	}

	// Nor does anything write notifications, which nothing reads.
	for _, query := range []string{`SELECT count(*) FROM river_job WHERE kind = 'wake'`, `SELECT count(*) FROM river_notification`} {
		var n int
		if err := st.WriteDB().QueryRowContext(ctx, query).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%s: %d rows", query, n)
		}
	}
}
