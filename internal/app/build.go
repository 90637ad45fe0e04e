package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/connectors/sandbox"
	"github.com/bankfeed/bankfeed/internal/accounts"
	"github.com/bankfeed/bankfeed/internal/authorize"
	"github.com/bankfeed/bankfeed/internal/faults"
	"github.com/bankfeed/bankfeed/internal/httpapi"
	"github.com/bankfeed/bankfeed/internal/inspector"
	"github.com/bankfeed/bankfeed/internal/institutions"
	"github.com/bankfeed/bankfeed/internal/jobs"
	"github.com/bankfeed/bankfeed/internal/journal"
	"github.com/bankfeed/bankfeed/internal/logins"
	"github.com/bankfeed/bankfeed/internal/refresh"
	"github.com/bankfeed/bankfeed/internal/secrets"
	"github.com/bankfeed/bankfeed/internal/store"
	"github.com/bankfeed/bankfeed/internal/tenants"
	"github.com/bankfeed/bankfeed/internal/webhooks"
)

// buildConfig is what build needs to know: where the state is, which
// connectors to serve, and the limits and schedule of the services.
type buildConfig struct {
	storeConfig
	scenarios      string
	maxMFAAttempts int
	maxBody        int64
	jobTimeout     time.Duration
	refreshWorkers int
	// schedule is the nightly pass; nil for none.
	schedule *refresh.Schedule
	webhooks webhookConfig
	// adminKey opens the sandbox control surface outside sandbox mode.
	adminKey string
	// journalSize bounds the request journal; 0 is no journal.
	journalSize int
}

// stack is bankfeed built once, the same way for serve, refresh --now, the
// tests and the benchmarks: the store and its key ring, every service on
// the application's one clock, the HTTP handler, and the job workers once
// started.
type stack struct {
	cfg       buildConfig
	log       *slog.Logger
	store     database
	keys      *keyRing
	authorize *authorize.Service
	refresh   *refresh.Service
	webhooks  *webhooks.Service
	tenants   *tenants.Tenants
	handler   http.Handler
	jobs      jobRunner // nil until startJobs
	// journal records requests and events when the control surface is
	// served; nil otherwise.
	journal *journal.Recorder
}

// build opens the store, loads the key ring, and wires every component on
// the clock now. The caller closes the stack.
func build(ctx context.Context, cfg buildConfig, log *slog.Logger, now func() time.Time) (*stack, error) {
	st, err := openStore(ctx, cfg.storeConfig)
	if err != nil {
		return nil, err
	}
	s := &stack{cfg: cfg, log: log, store: st}
	if err := s.wire(ctx, now); err != nil {
		if s.journal != nil {
			s.journal.Stop(ctx)
		}
		st.Close()
		return nil, err
	}
	return s, nil
}

func (s *stack) wire(ctx context.Context, now func() time.Time) error {
	var err error
	if s.keys, err = openKeyRing(ctx, s.cfg.storeConfig, s.store, s.log); err != nil {
		return err
	}
	conns, err := connectors(s.cfg.sandbox, s.cfg.scenarios)
	if err != nil {
		return err
	}
	banks, err := institutions.New(conns)
	if err != nil {
		return err
	}
	keeper := secrets.NewKeeper(s.keys.ring)
	control := s.cfg.sandbox || s.cfg.adminKey != ""
	// The services write through st: with the journal on, it records the
	// events their writes show.
	var st store.Store = s.store
	if control && s.cfg.journalSize > 0 {
		s.journal = journal.New(journal.Config{Store: s.store, Sessions: s.store, Size: s.cfg.journalSize, Now: now, Logger: s.log})
		s.journal.Start()
		st = journal.Observe(s.store, s.journal)
	}
	s.authorize = authorize.New(authorize.Config{Store: st, Secrets: keeper, Institutions: banks, Logger: s.log, Now: now,
		MaxAttempts: s.cfg.maxMFAAttempts})
	wh := s.cfg.webhooks
	s.webhooks = webhooks.New(webhooks.Config{Store: st, Secrets: keeper, Institutions: banks, Logger: s.log, Now: now,
		StatusOf: httpapi.StatusOf, RetryInterval: wh.retryInterval, MaxAttempts: wh.maxAttempts, Timeout: wh.timeout,
		AllowPrivate: s.cfg.sandbox || wh.allowPrivate})
	s.refresh = refresh.NewService(refresh.Config{Store: st, Secrets: keeper, Institutions: banks, Logger: s.log, Now: now,
		HistoryDays: accounts.HistoryDays, Notify: s.webhooks.Notify})
	s.tenants = tenants.New(tenants.Config{Store: s.store, Sandbox: s.cfg.sandbox, Logger: s.log, Now: now})
	var fs *faults.Service
	if control {
		// Only where the control surface that sets them is served.
		fs = faults.New(faults.Config{Rules: s.store, Store: s.store, Institutions: banks, Codes: httpapi.StatusTable(),
			Endpoints: httpapi.Endpoints(), Now: now, Shared: s.cfg.databaseURL != ""})
	}
	s.handler = httpapi.New(httpapi.Deps{
		Authorize:    s.authorize,
		Accounts:     accounts.NewService(accounts.Config{Store: st, Institutions: banks, Now: now}),
		Logins:       logins.NewService(logins.Config{Store: st, Secrets: keeper, Now: now}),
		Refresh:      s.refresh,
		Institutions: banks,
		Tenants:      s.tenants,
		Webhooks:     s.webhooks,
		Faults:       fs,
		Journal:      s.journal,
		Inspector:    inspector.New(s.store, s.store),
		Sandbox:      s.cfg.sandbox,
		AdminKey:     s.cfg.adminKey,
		Health:       s.store,
		Logger:       s.log,
		MaxBody:      s.cfg.maxBody,
	})
	return nil
}

// startJobs starts the job workers: the fetches, the refreshes, the
// nightly schedule when configured, and the sweeps.
func (s *stack) startJobs(ctx context.Context) error {
	runner, err := s.store.startJobs(ctx, jobs.Config{
		Refresh: s.refresh, Store: s.store, Logger: s.log, JobTimeout: s.cfg.jobTimeout,
		RefreshWorkers: s.cfg.refreshWorkers, Schedule: s.cfg.schedule,
		Sweeps: []jobs.Sweep{{Name: "sessions", Run: s.authorize.Sweep}, {Name: "authorize_tokens", Run: s.tenants.Sweep},
			{Name: "webhook_deliveries", Run: s.webhooks.Sweep}},
		Webhooks: s.webhooks,
	})
	if err != nil {
		return err
	}
	s.jobs = runner
	return nil
}

// stopJobs stops the job workers, softly until ctx's deadline, then
// cancelling what still runs.
func (s *stack) stopJobs(ctx context.Context) error {
	if s.jobs == nil {
		return nil
	}
	err := s.jobs.Stop(ctx)
	s.jobs = nil
	return err
}

// close stops the job workers and closes the store last, once nothing uses
// it.
func (s *stack) close(ctx context.Context) error {
	err := s.stopJobs(ctx)
	if s.journal != nil {
		// After the workers, whose events it records; before the store.
		err = errors.Join(err, s.journal.Stop(ctx))
	}
	return errors.Join(err, s.store.Close())
}

// connectors is the one list of the connectors bankfeed serves: the sandbox
// bank, with the embedded scenarios in sandbox mode and those of
// scenarioDir.
func connectors(sandboxMode bool, scenarioDir string) ([]connector.Connector, error) {
	var scenarios []*sandbox.Scenario
	if sandboxMode {
		embedded, err := sandbox.Embedded()
		if err != nil {
			return nil, fmt.Errorf("embedded scenarios: %w", err)
		}
		scenarios = embedded
	}
	if scenarioDir != "" {
		own, err := sandbox.LoadDir(scenarioDir)
		if err != nil {
			return nil, fmt.Errorf("--scenarios: %w", err)
		}
		scenarios = append(scenarios, own...)
	}
	if len(scenarios) == 0 {
		return nil, nil
	}
	sb, err := sandbox.New(scenarios...)
	if err != nil {
		return nil, fmt.Errorf("--scenarios: %w", err)
	}
	return []connector.Connector{sb}, nil
}
