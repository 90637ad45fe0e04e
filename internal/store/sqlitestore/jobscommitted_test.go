package sqlitestore_test

import (
	"errors"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/internal/store"
	"github.com/riverqueue/river"
)

// queuedJob is a job that chooses its queue, and may be scheduled for
// later, through River's InsertOpts, as a job of bankfeed may.
type queuedJob struct {
	queue string
	later bool
}

func (queuedJob) Kind() string { return "sqlitestore_queued" }

func (j queuedJob) InsertOpts() river.InsertOpts {
	opts := river.InsertOpts{Queue: j.queue}
	if j.later {
		opts.ScheduledAt = time.Now().Add(time.Hour)
	}
	return opts
}

// TestOnJobsCommittedHook: the hook is called once per committed write
// transaction that enqueued jobs ready to run, outside a transaction too,
// with each of their queues once, the queues River chose; never for a
// transaction that rolled back, one that enqueued nothing, or jobs
// scheduled for later; and no more once removed.
func TestOnJobsCommittedHook(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := open(t, filepath.Join(t.TempDir(), "bankfeed.db"))
	defer s.Close()

	var mu sync.Mutex
	var calls [][]string
	s.OnJobsCommitted(func(queues []string) {
		mu.Lock()
		defer mu.Unlock()
		calls = append(calls, slices.Clone(queues))
	})
	expect := func(step string, want ...[]string) {
		t.Helper()
		mu.Lock()
		defer mu.Unlock()
		if !slices.EqualFunc(calls, want, slices.Equal) {
			t.Errorf("%s: the hook was called with %q, want %q", step, calls, want)
		}
		calls = nil
	}

	if err := s.Enqueue(ctx, queuedJob{}); err != nil {
		t.Fatal(err)
	}
	expect("Enqueue outside a transaction", []string{river.QueueDefault})

	err := s.InTx(ctx, func(q store.Queries) error {
		for _, j := range []queuedJob{{queue: "refresh"}, {}, {queue: "refresh"}, {queue: "other", later: true}} {
			if err := q.Enqueue(ctx, j); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	expect("a transaction enqueueing on two queues, and one job for later", []string{river.QueueDefault, "refresh"})

	errRollback := errors.New("roll back")
	err = s.InTx(ctx, func(q store.Queries) error {
		if err := q.Enqueue(ctx, queuedJob{}); err != nil {
			return err
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatalf("InTx: %v, want the rollback", err)
	}
	expect("a rolled-back transaction")

	if err := s.InTx(ctx, func(q store.Queries) error { return q.CreateLogin(ctx, testLogin("login-1")) }); err != nil {
		t.Fatal(err)
	}
	if err := s.Enqueue(ctx, queuedJob{later: true}); err != nil {
		t.Fatal(err)
	}
	expect("a transaction without jobs, and a job for later")

	s.OnJobsCommitted(nil)
	if err := s.Enqueue(ctx, queuedJob{}); err != nil {
		t.Fatal(err)
	}
	expect("the hook removed")
}
