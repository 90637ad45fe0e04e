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
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
)

// Fetcher runs fetch jobs; *authorize.Service implements it.
type Fetcher interface {
	Fetch(ctx context.Context, job authorize.FetchJob, final bool) error
}

var _ Fetcher = (*authorize.Service)(nil)

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
	ws := river.NewWorkers()
	river.AddWorker(ws, &fetchWorker{f: cfg.Fetcher})
	client, err := river.NewClient(driver, &river.Config{
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: workers}},
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
