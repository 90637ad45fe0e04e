package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/bankfeed/bankfeed/internal/jobs"
	"github.com/bankfeed/bankfeed/internal/refresh"
	"github.com/bankfeed/bankfeed/internal/webhooks"
)

const refreshUsage = `Usage:
  bankfeed refresh --now [--window D] [--data DIR] [--database URL] [--scenarios DIR]

Runs a pass of the scheduled refresh at once, rather than at --refresh-at:
every eligible login with scheduled refresh on is refreshed with its stored
credentials and answers, no person present, and the command waits until all
are done. Servers running on the same database may take part of the work.
It takes --data, --database and the master key as serve does.
`

// refreshCommand runs `bankfeed refresh --now`.
func refreshCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, o options) error {
	var cfg storeConfig
	fs := flag.NewFlagSet("bankfeed refresh", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(stderr, refreshUsage) }
	cfg.register(fs, getenv)
	now := fs.Bool("now", false, "run a refresh pass now")
	window := fs.Duration("window", 0, "spread the pass's refreshes over this long (0: all at once)")
	scenarios := fs.String("scenarios", envOr(getenv, "BANKFEED_SCENARIOS", ""), "directory of sandbox scenario files, as for serve")
	workers := fs.Int("workers", jobs.DefaultRefreshWorkers, "refreshes run at once by this command")
	jobTimeout := fs.Duration("job-timeout", jobs.DefaultJobTimeout, "longest attempt of one refresh")
	rest, err := parseFlags(fs, args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if !*now || len(rest) > 0 || *window < 0 || *workers < 1 || *jobTimeout < time.Second {
		fmt.Fprint(stderr, refreshUsage)
		return ErrUsage
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	stk, err := build(ctx, buildConfig{storeConfig: cfg, scenarios: *scenarios, jobTimeout: *jobTimeout, refreshWorkers: *workers,
		webhooks: webhookConfig{timeout: min(webhooks.DefaultTimeout, *jobTimeout/3)}}, log, o.now)
	if err != nil {
		return err
	}
	if err := stk.startJobs(context.WithoutCancel(ctx)); err != nil {
		stk.close(context.Background())
		return err
	}
	// The pass's own clock: the outcomes are the logins tried since.
	start := stk.refresh.Now()
	began := time.Now()
	plan, err := stk.jobs.RunPass(ctx, *window)
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	defer stk.close(stopCtx)
	if err := errors.Join(err, stk.stopJobs(stopCtx)); err != nil {
		return fmt.Errorf("refresh: %w", err)
	}
	took := time.Since(began)
	out, err := refresh.Outcomes(ctx, stk.store, start)
	if err != nil {
		return fmt.Errorf("refresh: %w", err)
	}
	fmt.Fprintf(stdout, "refresh pass: %d logins planned, %d ineligible (GetNightlyRefreshStatus lists them), done in %v\n",
		plan.Planned, plan.Ineligible, took.Round(time.Millisecond))
	fmt.Fprintf(stdout, "refreshed %d, need the user %d, failed %d\n", out.Refreshed, out.NeedUser, out.Failed)
	return nil
}
