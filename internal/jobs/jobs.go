// Package jobs works bankfeed's durable background jobs with River
// (docs/decisions/0004-jobs-engine-spike.md). The jobs live in the store's
// database, inserted by the store in the transaction of the rows that need
// them (store.Queries.Enqueue); this package runs the workers. It is
// generic over River's driver, so the same workers run on SQLite and, with
// River's pgx driver, on PostgreSQL.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/bankfeed/bankfeed/internal/refresh"
	"github.com/bankfeed/bankfeed/internal/store"
	"github.com/bankfeed/bankfeed/internal/webhooks"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
)

const (
	// DefaultJobTimeout bounds one attempt of a job when Config sets no
	// other: a bank that does not answer in that time is tried again.
	DefaultJobTimeout = time.Minute
	// maxAttempts is how many times a job runs before it is given up; the
	// last attempt of a fetch records its failure on the session.
	maxAttempts = 5
	// pollInterval is how often the workers look for new jobs when
	// Config sets no other. A job this process commits starts before it:
	// on PostgreSQL by River's notifications, on SQLite, which has none,
	// by Wake, which the store calls at the commit. The poll is how the
	// workers find the jobs of other processes on SQLite (`bankfeed
	// refresh`, a second server), the rare job whose wake or notification
	// was held back, and the jobs River's scheduler makes available (a
	// retry, a webhook's next attempt), none of which a person waits for
	// by the millisecond. River's default, a second: at 50 ms an idle
	// server spent 8 % of a core on its two queues' polls, at a second 1 %
	// (decision 0013).
	pollInterval = time.Second
	// fetchCooldown is the least time between two fetches of one queue's
	// workers.
	fetchCooldown = 10 * time.Millisecond
	workers       = 16
	// refreshQueue runs the scheduled refreshes and their plans, on workers
	// of their own, so that a night's pass never delays the fetch a person
	// waits for after a live Authorize.
	refreshQueue = "refresh"
	// DefaultRefreshWorkers is how many refreshes a process runs at once
	// when Config sets no other.
	DefaultRefreshWorkers = 16
)

// Config is what the workers run and how.
type Config struct {
	// Refresh runs the fetch jobs, and the refresh jobs that passes plan
	// over Store's logins.
	Refresh *refresh.Service
	Store   store.Store
	Logger  *slog.Logger
	// JobTimeout bounds one attempt of a job; DefaultJobTimeout when zero.
	// A job still marked running twice that long after it started is taken
	// to belong to a process that died (killed, or its machine lost), and
	// is run again: the rescue that makes jobs survive a crash.
	JobTimeout time.Duration
	// RefreshWorkers is how many refreshes run at once in this process;
	// DefaultRefreshWorkers when zero.
	RefreshWorkers int
	// Schedule, when set, plans a pass every day at its time, spread over
	// its window. Every process may set it: River runs periodic jobs on the
	// one process elected leader, so the pass is planned once.
	Schedule *refresh.Schedule
	// Sweeps run every SweepInterval, on the leader only: the deletion of
	// what has outlived its retention.
	Sweeps []Sweep
	// Webhooks sends the webhook deliveries; nil runs none.
	Webhooks *webhooks.Service
	// PollInterval is how often the workers look for jobs nothing woke
	// them for; the default when zero. Tests set an hour, to show that
	// a job ran because it was woken.
	PollInterval time.Duration
}

// Sweep is a periodic clean-up, named for the log and for its job.
type Sweep struct {
	Name string
	Run  func(ctx context.Context) error
}

// SweepInterval is how often the sweeps run.
const SweepInterval = time.Minute

// Runner works jobs until stopped.
type Runner[TTx any] struct {
	client *river.Client[TTx]
	log    *slog.Logger
	// waker wakes the workers for Wake; nil where River's notifications
	// do.
	waker *waker
}

// Start starts the workers on driver's database. The workers' jobs run on
// contexts of their own, which Stop cancels at its deadline; ctx only
// starts them.
func Start[TTx any](ctx context.Context, driver riverdriver.Driver[TTx], cfg Config) (*Runner[TTx], error) {
	timeout := cfg.JobTimeout
	if timeout <= 0 {
		timeout = DefaultJobTimeout
	}
	refreshWorkers := cfg.RefreshWorkers
	if refreshWorkers <= 0 {
		refreshWorkers = DefaultRefreshWorkers
	}
	poll := cfg.PollInterval
	if poll <= 0 {
		poll = pollInterval
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ws := river.NewWorkers()
	river.AddWorker(ws, &fetchWorker{r: cfg.Refresh})
	river.AddWorker(ws, &refreshWorker{r: cfg.Refresh})
	river.AddWorker(ws, &planWorker[TTx]{store: cfg.Store, r: cfg.Refresh})
	if cfg.Webhooks != nil {
		river.AddWorker(ws, &deliverWorker{w: cfg.Webhooks})
	}
	sweeps := make(map[string]Sweep, len(cfg.Sweeps))
	for _, sw := range cfg.Sweeps {
		sweeps[sw.Name] = sw
	}
	river.AddWorker(ws, &sweepWorker{sweeps: sweeps, log: log})
	river.AddWorker(ws, wakeWorker())

	var periodic []*river.PeriodicJob
	if cfg.Schedule != nil {
		sched := *cfg.Schedule
		clocked := &clockedSchedule{sched: sched, now: cfg.Refresh.Now}
		periodic = append(periodic, river.NewPeriodicJob(clocked, func() (river.JobArgs, *river.InsertOpts) {
			start, ok := clocked.take()
			if !ok {
				// The application's clock is not at a start: it jumped
				// since River timed this one (the control plane planned
				// the night it jumped past), or it stands still.
				return nil, nil
			}
			// Unique by the hour: a leader elected just after another
			// planned the night's pass does not plan it again.
			return refresh.PlanJob{WindowSeconds: int64(sched.Window / time.Second), StartMicros: start.UnixMicro()},
				&river.InsertOpts{Queue: refreshQueue, UniqueOpts: river.UniqueOpts{ByPeriod: time.Hour}}
		}, &river.PeriodicJobOpts{ID: "nightly_refresh"}))
	}
	for _, sw := range cfg.Sweeps {
		name := sw.Name
		periodic = append(periodic, river.NewPeriodicJob(river.PeriodicInterval(SweepInterval), func() (river.JobArgs, *river.InsertOpts) {
			// A sweep retried after a failure is superseded by the next one.
			return SweepJob{Name: name}, &river.InsertOpts{MaxAttempts: 1, UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: SweepInterval}}
		}, &river.PeriodicJobOpts{ID: "sweep_" + name}))
	}
	// River's SQLite driver has notifications of a sort: rows in a table
	// that its listener reads every 50 ms on the one write connection, so
	// no sooner than the poll, and at a cost of its own; and River wakes
	// its workers for a job inserted in this process only when the driver
	// has no listener at all. So on SQLite the workers run without
	// notifications, as River runs them on a driver that has none, and
	// Wake wakes them (wake.go). The jobs of other processes on the same
	// file are found by the poll, as soon as the listener found them.
	localWake := driver.DatabaseName() == riverdriver.DatabaseNameSQLite
	if localWake {
		driver = pollOnly[TTx]{driver}
	}
	client, err := river.NewClient(driver, &river.Config{
		Queues: map[string]river.QueueConfig{
			river.QueueDefault: {MaxWorkers: workers},
			refreshQueue:       {MaxWorkers: refreshWorkers},
		},
		PeriodicJobs:      periodic,
		Workers:           ws,
		FetchPollInterval: poll,
		FetchCooldown:     fetchCooldown,
		JobTimeout:        timeout,
		// River requires it to exceed the longest job timeout.
		RescueStuckJobsAfter: 2 * timeout,
		MaxAttempts:          maxAttempts,
		Logger:               quiet(log),
	})
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	if err := client.Start(ctx); err != nil {
		return nil, fmt.Errorf("jobs: start: %w", err)
	}
	r := &Runner[TTx]{client: client, log: log}
	if localWake {
		insert := func(ctx context.Context, params []river.InsertManyParams) error {
			_, err := client.InsertMany(ctx, params)
			return err
		}
		r.waker = startWaker(insert, fetchCooldown, []string{river.QueueDefault, refreshQueue}, func(err error) {
			log.Warn("jobs: waking the workers failed; the jobs wait for their next poll", "err", err)
		})
	}
	return r, nil
}

// Wake makes the workers of queues (of every queue when none is named)
// look for jobs now: the store calls it when it committed some. It does
// not wait, and wakes coalesce: a burst of commits costs one wake. On
// PostgreSQL, where River's notifications wake the workers of every
// process at the commit, and once the runner stopped, it does nothing.
func (r *Runner[TTx]) Wake(queues ...string) {
	if r.waker != nil {
		r.waker.wake(queues)
	}
}

// Running reports whether the workers run: false once they stopped,
// whether by Stop or because River gave up on its own.
func (r *Runner[TTx]) Running() bool {
	select {
	case <-r.client.Stopped():
		return false
	default:
		return true
	}
}

// hardStopWait bounds how long Stop waits for cancelled jobs to return.
const hardStopWait = 10 * time.Second

// Stop stops the workers in two steps: a soft stop lets running jobs
// finish, up to ctx's deadline; then a hard stop cancels the jobs still
// running and waits, a bounded time, for them to return. A cancelled job
// is not lost: it is retried, or rescued, at the next start of any process.
// Only once Stop has returned may the store be closed.
func (r *Runner[TTx]) Stop(ctx context.Context) error {
	if r.waker != nil {
		r.waker.close()
	}
	soft := r.client.Stop(ctx)
	if soft == nil {
		return nil
	}
	r.log.Warn("jobs still running at the shutdown deadline; cancelling them", "err", soft)
	hardCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), hardStopWait)
	defer cancel()
	if err := r.client.StopAndCancel(hardCtx); err != nil {
		return fmt.Errorf("jobs: cancelled jobs did not return within %v: %w", hardStopWait, err)
	}
	return nil
}

// quiet passes River's warnings and errors to log, not its routine
// information.
func quiet(log *slog.Logger) *slog.Logger {
	if log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(levelFilter{log.Handler(), slog.LevelWarn})
}

type levelFilter struct {
	slog.Handler
	min slog.Level
}

func (h levelFilter) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h levelFilter) WithAttrs(as []slog.Attr) slog.Handler {
	return levelFilter{h.Handler.WithAttrs(as), h.min}
}

func (h levelFilter) WithGroup(name string) slog.Handler {
	return levelFilter{h.Handler.WithGroup(name), h.min}
}

// fetchWorker runs refresh.FetchJob.
type fetchWorker struct {
	river.WorkerDefaults[refresh.FetchJob]
	r *refresh.Service
}

func (w *fetchWorker) Work(ctx context.Context, job *river.Job[refresh.FetchJob]) error {
	return w.r.Fetch(ctx, job.Args, job.Attempt >= job.MaxAttempts)
}

// refreshWorker runs refresh.Job.
type refreshWorker struct {
	river.WorkerDefaults[refresh.Job]
	r *refresh.Service
}

func (w *refreshWorker) Work(ctx context.Context, job *river.Job[refresh.Job]) error {
	return w.r.Refresh(ctx, job.Args.CustomerID, job.Args.LoginID, job.Attempt >= job.MaxAttempts)
}

// deliverWorker runs webhooks.DeliverJob. A delivery the receiver did not
// acknowledge is snoozed for the retry interval rather than failed: the
// delivery counts its own attempts (webhooks.Config.MaxAttempts), and
// River's attempts are left to failures of bankfeed's own, such as the
// database.
type deliverWorker struct {
	river.WorkerDefaults[webhooks.DeliverJob]
	w *webhooks.Service
}

func (w *deliverWorker) Work(ctx context.Context, job *river.Job[webhooks.DeliverJob]) error {
	err := w.w.Deliver(ctx, job.Args)
	if errors.Is(err, webhooks.ErrNotAcknowledged) {
		return river.JobSnooze(w.w.RetryInterval())
	}
	return err
}

// SweepJob runs the sweep of its name.
type SweepJob struct {
	Name string `json:"name"`
}

// Kind names the job for the jobs engine.
func (SweepJob) Kind() string { return "sweep" }

// sweepWorker runs SweepJob.
type sweepWorker struct {
	river.WorkerDefaults[SweepJob]
	sweeps map[string]Sweep
	log    *slog.Logger
}

func (w *sweepWorker) Work(ctx context.Context, job *river.Job[SweepJob]) error {
	sw, ok := w.sweeps[job.Args.Name]
	if !ok {
		// Planned by a process of another version, which has that sweep.
		return river.JobCancel(fmt.Errorf("jobs: no sweep named %q here", job.Args.Name))
	}
	if err := sw.Run(ctx); err != nil {
		w.log.Error("sweep failed", "sweep", sw.Name, "err", err)
		return err
	}
	return nil
}

// planTimeout bounds a pass's planning: one read of every scheduled login
// and one insert per page of them.
const planTimeout = 30 * time.Minute

// planWorker runs refresh.PlanJob: it inserts the pass's refresh jobs, a
// page at a time, each tagged with the pass so that its progress can be
// followed, and unique within the pass, so that a retried plan inserts no
// refresh twice.
type planWorker[TTx any] struct {
	river.WorkerDefaults[refresh.PlanJob]
	store store.Store
	r     *refresh.Service
}

func (w *planWorker[TTx]) Timeout(*river.Job[refresh.PlanJob]) time.Duration { return planTimeout }

func (w *planWorker[TTx]) Work(ctx context.Context, job *river.Job[refresh.PlanJob]) error {
	client := river.ClientFromContext[TTx](ctx)
	tag := passTag(job.ID)
	// The application's clock, not the wall's: the rules compare it with
	// the times the service wrote on the logins.
	now := w.r.Now()
	start := now
	if job.Args.StartMicros != 0 {
		start = time.UnixMicro(job.Args.StartMicros).UTC()
	}
	plan, err := refresh.Plan(ctx, w.store, start, job.Args.Window(), func(page []refresh.Planned) error {
		params := make([]river.InsertManyParams, len(page))
		for i, p := range page {
			opts := &river.InsertOpts{Queue: refreshQueue, Tags: []string{tag}, UniqueOpts: river.UniqueOpts{ByArgs: true}}
			if p.At.After(now) {
				// A job scheduled for later waits for River's scheduler,
				// which looks every few seconds; one due now is left
				// unscheduled, available at once. River schedules on the
				// wall clock: the wait, not the application's time.
				opts.ScheduledAt = time.Now().Add(p.At.Sub(now))
			}
			params[i] = river.InsertManyParams{
				Args:       refresh.Job{CustomerID: p.CustomerID, LoginID: p.LoginID, Pass: job.ID},
				InsertOpts: opts,
			}
		}
		_, err := client.InsertMany(ctx, params)
		return err
	})
	if err != nil {
		return err
	}
	return river.RecordOutput(ctx, plan)
}

// passTag is the tag of the refresh jobs a plan job inserted.
func passTag(planJobID int64) string { return fmt.Sprintf("refresh_pass_%d", planJobID) }

// clockedSchedule is the nightly schedule on the application's clock, for
// River, which times its periodic jobs on the wall's: the two differ when
// the sandbox's virtual clock was moved, or a test's clock stands still.
type clockedSchedule struct {
	sched refresh.Schedule
	now   func() time.Time

	mu sync.Mutex
	// last is the start this process last planned; a clock that stands
	// still must not plan it again.
	last time.Time
}

// dueSlack is how far from a start of the schedule River may run the
// periodic job for it to count as that start's; minWait is the least
// River is told to wait, so that a clock standing still just before a
// start does not make it spin.
const (
	dueSlack = time.Minute
	minWait  = time.Second
)

// Next implements River's PeriodicSchedule: the wall time at which the
// application's clock reaches the schedule's next start not yet planned,
// if both clocks run on.
func (s *clockedSchedule) Next(wall time.Time) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	start := s.sched.Next(now)
	if start.Equal(s.last) {
		start = s.sched.Next(start)
	}
	return wall.Add(max(start.Sub(now), minWait))
}

// take returns the start of the schedule the application's clock is at,
// within dueSlack, and false when it is at none or that start was planned
// already.
func (s *clockedSchedule) take() (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	start := s.sched.Next(now.Add(-dueSlack))
	if start.After(now.Add(dueSlack)) || start.Equal(s.last) {
		return time.Time{}, false
	}
	s.last = start
	return start, true
}
