package jobs_test

import (
	"context"
	"sync"
	"testing"

	"github.com/bankfeed/bankfeed/internal/jobs"
	"github.com/bankfeed/bankfeed/internal/store"
	"github.com/bankfeed/bankfeed/internal/store/pgstore"
	"github.com/bankfeed/bankfeed/internal/store/pgstore/pgtest"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
)

// TestNotifyRunsBurstOfJobs: on PostgreSQL, jobs committed at once from
// many goroutines all run without a poll, woken by River's notifications,
// which the store's jobs client must not hold back.
func TestNotifyRunsBurstOfJobs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := pgstore.Open(ctx, pgtest.NewDatabase(t), pgstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const burst = 20
	ran := make(chan struct{}, burst)
	r, err := jobs.Start(ctx, riverpgxv5.New(st.Pool()), jobs.Config{Store: st, PollInterval: longPoll, Sweeps: []jobs.Sweep{probe(ran)}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Stop(ctx)

	// As on SQLite: the first may run at the workers' start.
	if err := st.Enqueue(ctx, jobs.SweepJob{Name: "probe"}); err != nil {
		t.Fatal(err)
	}
	waitRuns(t, ran, 1, "the first job")

	var wg sync.WaitGroup
	errs := make(chan error, burst)
	for range burst {
		wg.Go(func() {
			errs <- st.InTx(ctx, func(q store.Queries) error { return q.Enqueue(ctx, jobs.SweepJob{Name: "probe"}) })
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	waitRuns(t, ran, burst, "a burst")
}
