package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/connectors/sandbox"
	"github.com/bankfeed/bankfeed/internal/authorize"
	"github.com/bankfeed/bankfeed/internal/httpapi"
	"github.com/bankfeed/bankfeed/internal/jobs"
	"github.com/bankfeed/bankfeed/internal/tenants"
)

// shutdownGrace bounds how long in-flight requests may take to finish once
// shutdown begins.
const shutdownGrace = 30 * time.Second

// serve runs the server until ctx is cancelled, then shuts it down in a fixed
// order: stop accepting and finish in-flight requests, stop background work,
// close the store.
func serve(ctx context.Context, cfg serveConfig, log *slog.Logger, o options) error {
	st, err := openStore(ctx, cfg.storeConfig)
	if err != nil {
		return err
	}
	defer st.Close()
	keys, err := openKeyRing(ctx, cfg.storeConfig, st, log)
	if err != nil {
		return err
	}
	conns, err := connectors(cfg.sandbox, cfg.scenarios)
	if err != nil {
		return err
	}
	if cfg.sandbox {
		if err := tenants.EnsureSandbox(ctx, st, o.now()); err != nil {
			return fmt.Errorf("sandbox customer: %w", err)
		}
	}
	tens := tenants.New(tenants.Config{Store: st, Sandbox: cfg.sandbox, Logger: log, Now: o.now})
	svc, err := authorize.New(authorize.Config{Store: st, Vault: keys.ring, Connectors: conns, Logger: log, Now: o.now,
		MaxAttempts: cfg.maxMFAAttempts})
	if err != nil {
		return err
	}
	janitor := authorize.NewJanitor(time.Minute, log, svc.Sweep, tens.Sweep)
	handler := httpapi.New(httpapi.Deps{Authorize: svc, Logins: svc, Data: svc, Tenants: tens, Health: st, Logger: log,
		MaxBody: cfg.maxBody})
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	if cfg.pprof != "" {
		stopPprof, err := startPprof(cfg.pprof, log)
		if err != nil {
			ln.Close()
			return fmt.Errorf("--pprof: %w", err)
		}
		defer stopPprof()
	}
	janitor.Start(ctx)
	var runner jobRunner
	if !o.noJobs {
		// Not ctx: the workers stop after the server, in the shutdown below.
		runner, err = st.startJobs(context.WithoutCancel(ctx), jobs.Config{Fetcher: svc, Logger: log, JobTimeout: cfg.jobTimeout,
			Refresher: svc, Store: st, RefreshWorkers: cfg.refresh.workers, Schedule: cfg.refresh.schedule})
		if err != nil {
			ln.Close()
			janitor.Stop(context.Background())
			return err
		}
	}
	stopJobs := func(ctx context.Context) error {
		if runner == nil {
			return nil
		}
		return runner.Stop(ctx)
	}

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	log.Info("bankfeed listening", "addr", "http://"+ln.Addr().String(), "data", cfg.dataDir, "database", st.kind(),
		"sandbox", cfg.sandbox, "master_key", fmt.Sprintf("%08x", keys.ring.PrimaryID()))
	if o.onReady != nil {
		o.onReady(ln.Addr().String())
	}

	select {
	case err := <-served:
		janitor.Stop(context.Background())
		stopJobs(context.Background())
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	errShutdown := srv.Shutdown(shutdownCtx)
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		errShutdown = errors.Join(errShutdown, err)
	}
	errShutdown = errors.Join(errShutdown, janitor.Stop(shutdownCtx), stopJobs(shutdownCtx))
	log.Info("stopped")
	return errShutdown
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
