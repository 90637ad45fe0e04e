package jobs

import (
	"context"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivertype"
)

// A job the store commits in a transaction reaches workers that have no
// notifications (on SQLite, Start runs them without) only at their next
// poll: River wakes its local workers only on an insert made through their
// client outside a transaction, and has no other way to wake them. So Wake makes such an
// insert, of wakeJob, whose insert a middleware answers without writing
// anything; River then wakes the workers of the queues the answer names.
// The cost is the empty transaction River opens around every insert: on
// SQLite a BEGIN IMMEDIATE and COMMIT on the one write connection, with no
// page written. The waker coalesces wakes, and makes at most one every
// fetchCooldown, the least time between the workers' own fetches: a burst
// of commits costs one empty transaction, and waits no longer for it than
// the workers would make it wait anyway.

// pollOnly is a driver without notifications, for River: its workers
// poll, and River wakes them for the jobs inserted through their client;
// and it writes no notification, which no worker would read.
type pollOnly[TTx any] struct{ riverdriver.Driver[TTx] }

func (pollOnly[TTx]) SupportsListener() bool     { return false }
func (pollOnly[TTx]) SupportsListenNotify() bool { return false }

// wakeJob is the job Wake inserts; it is never written.
type wakeJob struct{}

// Kind names the job for River, which wants a worker for every kind it
// inserts (wakeWorker).
func (wakeJob) Kind() string { return "wake" }

// Plugins gives wakeJob its insert middleware, so that other jobs' inserts
// do not pass through it.
func (wakeJob) Plugins() []rivertype.Plugin { return []rivertype.Plugin{wakeMiddleware{}} }

// wakeMiddleware answers the insert of wake jobs with their queues and
// writes nothing. River's documentation asks middleware to call doInner;
// TestWakeRunsCommittedJob fails if a version of River no longer wakes the
// workers for an insert answered without it.
type wakeMiddleware struct{}

func (wakeMiddleware) IsPlugin() bool     { return true }
func (wakeMiddleware) IsMiddleware() bool { return true }

func (wakeMiddleware) InsertMany(_ context.Context, params []*rivertype.JobInsertParams, _ func(context.Context) ([]*rivertype.JobInsertResult, error)) ([]*rivertype.JobInsertResult, error) {
	res := make([]*rivertype.JobInsertResult, len(params))
	for i, p := range params {
		res[i] = &rivertype.JobInsertResult{Job: &rivertype.JobRow{Kind: p.Kind, Queue: p.Queue, State: rivertype.JobStateAvailable}}
	}
	return res, nil
}

// wakeWorker would run a wake job, were one ever written: it does nothing.
func wakeWorker() river.Worker[wakeJob] {
	return river.WorkFunc(func(context.Context, *river.Job[wakeJob]) error { return nil })
}

// waker sends the wakes of one runner, from a goroutine of its own, so
// that Wake never waits for the write connection.
type waker struct {
	insert   func(ctx context.Context, params []river.InsertManyParams) error
	cooldown time.Duration
	// all are the queues of the runner, woken by a Wake naming none.
	all []string

	mu      sync.Mutex
	pending map[string]bool // queues to wake, since the last wake
	kick    chan struct{}   // capacity 1: a Wake not yet taken
	stop    context.CancelFunc
	done    chan struct{}
}

func startWaker(insert func(ctx context.Context, params []river.InsertManyParams) error, cooldown time.Duration, all []string, onErr func(error)) *waker {
	ctx, stop := context.WithCancel(context.Background())
	w := &waker{insert: insert, cooldown: cooldown, all: all, pending: map[string]bool{},
		kick: make(chan struct{}, 1), stop: stop, done: make(chan struct{})}
	go w.run(ctx, onErr)
	return w
}

// wake asks for a wake of queues, all of them when none is named.
func (w *waker) wake(queues []string) {
	if len(queues) == 0 {
		queues = w.all
	}
	w.mu.Lock()
	for _, q := range queues {
		w.pending[q] = true
	}
	w.mu.Unlock()
	select {
	case w.kick <- struct{}{}:
	default: // a wake is already due: it takes these queues too
	}
}

func (w *waker) run(ctx context.Context, onErr func(error)) {
	defer close(w.done)
	pause := time.NewTimer(w.cooldown)
	defer pause.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.kick:
		}
		w.mu.Lock()
		params := make([]river.InsertManyParams, 0, len(w.pending))
		for q := range w.pending {
			params = append(params, river.InsertManyParams{Args: wakeJob{}, InsertOpts: &river.InsertOpts{Queue: q}})
		}
		clear(w.pending)
		w.mu.Unlock()
		if len(params) > 0 {
			if err := w.insert(ctx, params); err != nil && ctx.Err() == nil {
				onErr(err)
			}
		}
		// The workers fetch at most once a cooldown: a wake sooner would
		// only be deferred by them, and would cost its transaction.
		pause.Reset(w.cooldown)
		select {
		case <-ctx.Done():
			return
		case <-pause.C:
		}
	}
}

// close stops the waker and waits for its last wake to end.
func (w *waker) close() {
	w.stop()
	<-w.done
}
