package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/connectors/sandbox"
	"github.com/bankfeed/bankfeed/internal/accounts"
	"github.com/bankfeed/bankfeed/internal/authorize"
	"github.com/bankfeed/bankfeed/internal/connect"
	"github.com/bankfeed/bankfeed/internal/faults"
	"github.com/bankfeed/bankfeed/internal/httpapi"
	"github.com/bankfeed/bankfeed/internal/inspector"
	"github.com/bankfeed/bankfeed/internal/institutions"
	"github.com/bankfeed/bankfeed/internal/jobs"
	"github.com/bankfeed/bankfeed/internal/journal"
	"github.com/bankfeed/bankfeed/internal/logins"
	"github.com/bankfeed/bankfeed/internal/metrics"
	"github.com/bankfeed/bankfeed/internal/provision"
	"github.com/bankfeed/bankfeed/internal/refresh"
	"github.com/bankfeed/bankfeed/internal/reset"
	"github.com/bankfeed/bankfeed/internal/secrets"
	"github.com/bankfeed/bankfeed/internal/store"
	"github.com/bankfeed/bankfeed/internal/tenants"
	"github.com/bankfeed/bankfeed/internal/vclock"
	"github.com/bankfeed/bankfeed/internal/webhooks"
)

// buildConfig is what build needs to know: where the state is, which
// connectors to serve, and the limits and schedule of the services.
type buildConfig struct {
	storeConfig
	scenarios      string
	maxMFAAttempts int
	maxBody        int64
	dataCache      int64 // bytes of accounts.Cache; 0 for none
	fetchWait      time.Duration
	jobTimeout     time.Duration
	refreshWorkers int
	// schedule is the nightly pass; nil for none.
	schedule *refresh.Schedule
	webhooks webhookConfig
	// adminKey opens the sandbox control surface outside sandbox mode.
	adminKey string
	// metrics instruments the stack, for --metrics-addr.
	metrics bool
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
	services  store.Store // the services' store: store, timed when the metrics are on
	keys      *keyRing
	authorize *authorize.Service
	refresh   *refresh.Service
	webhooks  *webhooks.Service
	tenants   *tenants.Tenants
	handler   http.Handler
	widget    *connect.Handler
	metrics   *metrics.Metrics // nil unless buildConfig.metrics
	jobs      jobRunner        // nil until startJobs
	// running is jobs for the readiness check, which requests read while
	// startJobs and stopJobs write it.
	running atomic.Pointer[jobRunner]
	// stopping is closed when the server is told to stop: /readyz then
	// answers 503, so that load balancers stop sending requests before the
	// listener closes. It is the serve context's Done, not a flag set once
	// serve notices, so that no request after the signal sees "ready".
	// Nil, never closed, for a stack that is not served.
	stopping <-chan struct{}
	// clock is the sandbox's virtual clock, nil when the control surface
	// is not served; now is the application's clock, clock.Now when set.
	clock *vclock.Clock
	now   func() time.Time
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
	s := &stack{cfg: cfg, log: log, store: st, now: now}
	if cfg.sandbox || cfg.adminKey != "" {
		s.clock = vclock.New(vclock.Config{Store: st, Base: now, Logger: log, OnMove: s.clockMoved})
		if err := s.clock.Load(ctx); err != nil {
			st.Close()
			return nil, err
		}
		s.now = s.clock.Now
	}
	if err := s.wire(ctx, s.now); err != nil {
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
	conns, err := connectors(s.cfg.sandbox, s.cfg.scenarios, now)
	if err != nil {
		return err
	}
	banks, err := institutions.New(conns)
	if err != nil {
		return err
	}
	keeper := secrets.NewKeeper(s.keys.ring)
	control := s.cfg.sandbox || s.cfg.adminKey != ""
	// The services' store: with the journal on, it records the events
	// their writes show; with the metrics on, it is timed. Without either,
	// the store itself, so that a server pays nothing for what is off.
	var st store.Store = s.store
	if s.cfg.metrics {
		s.metrics = s.newMetrics()
	}
	if control && s.cfg.journalSize > 0 {
		// The journal's own reads and writes are timed too: in a busy
		// sandbox they are a good part of the database's work.
		var jst store.Store = s.store
		var jsb store.Sandbox = s.store
		if s.metrics != nil {
			jst, jsb = s.metrics.Store(s.store), s.metrics.Sandbox(s.store)
		}
		s.journal = journal.New(journal.Config{Store: jsb, Sessions: jst, Size: s.cfg.journalSize, Now: now, Logger: s.log})
		s.journal.Start()
		st = journal.Observe(st, s.journal)
	}
	var (
		observeJob      func(kind string, o refresh.Outcome, d time.Duration)
		observeDelivery func(outcome string)
		observer        httpapi.Observer
	)
	if s.metrics != nil {
		st = s.metrics.Store(st)
		observeJob = func(kind string, o refresh.Outcome, d time.Duration) { s.metrics.ObserveJob(kind, string(o), d) }
		observeDelivery, observer = s.metrics.ObserveDelivery, s.metrics
	}
	s.services = st
	s.authorize = authorize.New(authorize.Config{Store: st, Secrets: keeper, Institutions: banks, Logger: s.log, Now: now,
		MaxAttempts: s.cfg.maxMFAAttempts})
	wh := s.cfg.webhooks
	s.webhooks = webhooks.New(webhooks.Config{Store: st, Secrets: keeper, Institutions: banks, Logger: s.log, Now: now,
		StatusOf: httpapi.StatusOf, RetryInterval: wh.retryInterval, MaxAttempts: wh.maxAttempts, Timeout: wh.timeout,
		AllowPrivate: s.cfg.sandbox || wh.allowPrivate, Observe: observeDelivery})
	// The data service, made below, waits for the fetches the refresh
	// service runs; set before any worker starts.
	var fetched func(customerID, loginID string)
	s.refresh = refresh.NewService(refresh.Config{Store: st, Secrets: keeper, Institutions: banks, Logger: s.log, Now: now,
		HistoryDays: accounts.HistoryDays, Notify: s.webhooks.Notify, Observe: observeJob, Fetched: func(customerID, loginID string) { fetched(customerID, loginID) }})
	s.tenants = tenants.New(tenants.Config{Store: st, Sandbox: s.cfg.sandbox, Logger: s.log, Now: now, LimitClock: s.limitClock()})
	widget, err := connect.New(connect.Config{DemoCustomer: demoCustomer(s.cfg.sandbox)})
	if err != nil {
		return fmt.Errorf("connect widget: %w", err)
	}
	s.widget = widget
	cache := accounts.NewCache(s.cfg.dataCache)
	data := accounts.NewService(accounts.Config{Store: st, Institutions: banks, Now: now, Cache: cache, FetchWait: s.cfg.fetchWait})
	fetched = data.FetchDone
	var fs *faults.Service
	if control {
		// Only where the control surface that sets them is served.
		var rules store.Sandbox = s.store
		if s.metrics != nil {
			rules = s.metrics.Sandbox(s.store)
		}
		fs = faults.New(faults.Config{Rules: rules, Store: s.store, Institutions: banks, Codes: httpapi.StatusTable(),
			Endpoints: httpapi.Endpoints(), Now: now, Shared: s.cfg.databaseURL != ""})
	}
	s.handler = httpapi.New(httpapi.Deps{
		Connect:      widget,
		Authorize:    s.authorize,
		Accounts:     data,
		Logins:       logins.NewService(logins.Config{Store: st, Secrets: keeper, Now: now, Deleted: cache.Forget}),
		Refresh:      s.refresh,
		Institutions: banks,
		Tenants:      s.tenants,
		Webhooks:     s.webhooks,
		Faults:       fs,
		Journal:      s.journal,
		Inspector:    inspector.New(s.store, s.store),
		Sandbox:      s.cfg.sandbox,
		AdminKey:     s.cfg.adminKey,
		Clock:        s.clock,
		Reset:        reset.New(st, s.resetHooks()...),
		Provision: provision.New(provision.Config{Authorize: s.authorize, Store: st, Known: knownAnswers(conns),
			Sandbox: s.cfg.sandbox}),
		Health:   s.store,
		Ready:    s.readyChecks(),
		Version:  readBuildInfo().String(),
		Observer: observer,
		Logger:   s.log,
		MaxBody:  s.cfg.maxBody,
	})
	return nil
}

// startJobs starts the job workers: the fetches, the refreshes, the
// nightly schedule when configured, and the sweeps.
func (s *stack) startJobs(ctx context.Context) error {
	runner, err := s.store.startJobs(ctx, jobs.Config{
		Refresh: s.refresh, Store: s.services, Logger: s.log, JobTimeout: s.cfg.jobTimeout,
		RefreshWorkers: s.cfg.refreshWorkers, Schedule: s.cfg.schedule,
		Sweeps: []jobs.Sweep{{Name: "sessions", Run: s.authorize.Sweep}, {Name: "authorize_tokens", Run: s.tenants.Sweep},
			{Name: "webhook_deliveries", Run: s.webhooks.Sweep}},
		Webhooks: s.webhooks,
	})
	if err != nil {
		return err
	}
	s.jobs = runner
	s.running.Store(&runner)
	return nil
}

// stopJobs stops the job workers, softly until ctx's deadline, then
// cancelling what still runs.
func (s *stack) stopJobs(ctx context.Context) error {
	if s.jobs == nil {
		return nil
	}
	s.running.Store(nil)
	err := s.jobs.Stop(ctx)
	s.jobs = nil
	return err
}

// close stops the job workers and closes the store last, once nothing uses
// it.
func (s *stack) close(ctx context.Context) error {
	if s.clock != nil {
		s.clock.Stop()
	}
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
func connectors(sandboxMode bool, scenarioDir string, now func() time.Time) ([]connector.Connector, error) {
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
	return []connector.Connector{sb.WithClock(now)}, nil
}

// demoCustomer is the customer of the widget's ?demo=true: the public
// sandbox customer, in sandbox mode only.
func demoCustomer(sandbox bool) string {
	if sandbox {
		return tenants.SandboxCustomerID
	}
	return ""
}
