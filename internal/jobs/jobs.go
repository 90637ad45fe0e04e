// Package jobs works bankfeed's durable background jobs with River
// (docs/decisions/0004-jobs-engine-spike.md). The jobs live in the store's
// database, inserted by the store in the transaction of the rows that need
// them (store.Queries.Enqueue); this package runs the workers. It is
// generic over River's driver, so the same workers run on SQLite and, with
// River's pgx driver, on PostgreSQL.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/bankfeed/bankfeed/internal/authorize"
	"github.com/bankfeed/bankfeed/internal/refresh"
	"github.com/bankfeed/bankfeed/internal/store"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
)

// Fetcher runs fetch jobs; *authorize.Service implements it.
type Fetcher interface {
	Fetch(ctx context.Context, job authorize.FetchJob, final bool) error
}

// Refresher runs the scheduled refresh of one login; *authorize.Service
// implements it.
type Refresher interface {
	Refresh(ctx context.Context, customerID, loginID string, final bool) error
}

var (
	_ Fetcher   = (*authorize.Service)(nil)
	_ Refresher = (*authorize.Service)(nil)
)

const (
	// DefaultJobTimeout bounds one attempt of a job when Config sets no
	// other: a bank that does not answer in that time is tried again.
	DefaultJobTimeout = time.Minute
	// maxAttempts is how many times a job runs before it is given up; the
	// last attempt of a fetch records its failure on the session.
	maxAttempts = 5
	// pollInterval is how often the workers look for new jobs. SQLite has
	// no notifications, so this is how soon a fetch starts after a live
	// Authorize; one indexed query on an idle database.
	pollInterval = 50 * time.Millisecond
	workers      = 16
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
	Fetcher Fetcher
	Logger  *slog.Logger
	// JobTimeout bounds one attempt of a job; DefaultJobTimeout when zero.
	// A job still marked running twice that long after it started is taken
	// to belong to a process that died (killed, or its machine lost), and
	// is run again: the rescue that makes jobs survive a crash.
	JobTimeout time.Duration

	// Refresher runs the refresh jobs that passes plan over Store's logins.
	Refresher Refresher
	Store     store.Store
	// RefreshWorkers is how many refreshes run at once in this process;
	// DefaultRefreshWorkers when zero.
	RefreshWorkers int
	// Schedule, when set, plans a pass every day at its time, spread over
	// its window. Every process may set it: River runs periodic jobs on the
	// one process elected leader, so the pass is planned once.
	Schedule *refresh.Schedule
}

// Runner works jobs until stopped.
type Runner[TTx any] struct {
	client *river.Client[TTx]
}

// Start starts the workers on driver's database.
func Start[TTx any](ctx context.Context, driver riverdriver.Driver[TTx], cfg Config) (*Runner[TTx], error) {
	timeout := cfg.JobTimeout
	if timeout <= 0 {
		timeout = DefaultJobTimeout
	}
	refreshWorkers := cfg.RefreshWorkers
	if refreshWorkers <= 0 {
		refreshWorkers = DefaultRefreshWorkers
	}
	ws := river.NewWorkers()
	river.AddWorker(ws, &fetchWorker{f: cfg.Fetcher})
	if cfg.Refresher != nil {
		river.AddWorker(ws, &refreshWorker{r: cfg.Refresher})
		river.AddWorker(ws, &planWorker[TTx]{store: cfg.Store})
	}
	var periodic []*river.PeriodicJob
	if cfg.Schedule != nil && cfg.Refresher != nil {
		sched := *cfg.Schedule
		periodic = append(periodic, river.NewPeriodicJob(sched, func() (river.JobArgs, *river.InsertOpts) {
			// Unique by the hour: a leader elected just after another
			// planned the night's pass does not plan it again.
			return refresh.PlanJob{WindowSeconds: int64(sched.Window / time.Second)},
				&river.InsertOpts{Queue: refreshQueue, UniqueOpts: river.UniqueOpts{ByPeriod: time.Hour}}
		}, &river.PeriodicJobOpts{ID: "nightly_refresh"}))
	}
	client, err := river.NewClient(driver, &river.Config{
		Queues: map[string]river.QueueConfig{
			river.QueueDefault: {MaxWorkers: workers},
			refreshQueue:       {MaxWorkers: refreshWorkers},
		},
		PeriodicJobs:      periodic,
		Workers:           ws,
		FetchPollInterval: pollInterval,
		FetchCooldown:     10 * time.Millisecond,
		JobTimeout:        timeout,
		// River requires it to exceed the longest job timeout.
		RescueStuckJobsAfter: 2 * timeout,
		MaxAttempts:          maxAttempts,
		Logger:               quiet(cfg.Logger),
	})
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	if err := client.Start(ctx); err != nil {
		return nil, fmt.Errorf("jobs: start: %w", err)
	}
	return &Runner[TTx]{client: client}, nil
}

// Stop waits for running jobs to finish, up to ctx's deadline, then cancels
// them; a cancelled job runs again at the next start.
func (r *Runner[TTx]) Stop(ctx context.Context) error {
	return r.client.Stop(ctx)
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

// fetchWorker runs authorize.FetchJob.
type fetchWorker struct {
	river.WorkerDefaults[authorize.FetchJob]
	f Fetcher
}

func (w *fetchWorker) Work(ctx context.Context, job *river.Job[authorize.FetchJob]) error {
	return w.f.Fetch(ctx, job.Args, job.Attempt >= job.MaxAttempts)
}

// refreshWorker runs refresh.Job.
type refreshWorker struct {
	river.WorkerDefaults[refresh.Job]
	r Refresher
}

func (w *refreshWorker) Work(ctx context.Context, job *river.Job[refresh.Job]) error {
	return w.r.Refresh(ctx, job.Args.CustomerID, job.Args.LoginID, job.Attempt >= job.MaxAttempts)
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
}

func (w *planWorker[TTx]) Timeout(*river.Job[refresh.PlanJob]) time.Duration { return planTimeout }

func (w *planWorker[TTx]) Work(ctx context.Context, job *river.Job[refresh.PlanJob]) error {
	client := river.ClientFromContext[TTx](ctx)
	tag := passTag(job.ID)
	start := time.Now()
	plan, err := refresh.Plan(ctx, w.store, start, job.Args.Window(), func(page []refresh.Planned) error {
		params := make([]river.InsertManyParams, len(page))
		for i, p := range page {
			opts := &river.InsertOpts{Queue: refreshQueue, Tags: []string{tag}, UniqueOpts: river.UniqueOpts{ByArgs: true}}
			if p.At.After(start) {
				// A job scheduled for later waits for River's scheduler,
				// which looks every few seconds; one due now is left
				// unscheduled, available at once.
				opts.ScheduledAt = p.At
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
