package app

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/connectors/sandbox"
	"github.com/bankfeed/bankfeed/internal/authorize"
	"github.com/bankfeed/bankfeed/internal/httpapi"
	"github.com/bankfeed/bankfeed/internal/jobs"
	"github.com/bankfeed/bankfeed/internal/store/sqlitestore"
	"github.com/bankfeed/bankfeed/internal/vault"
	"github.com/riverqueue/river/riverdriver/riversqlite"
)

// shutdownGrace bounds how long in-flight requests may take to finish once
// shutdown begins.
const shutdownGrace = 30 * time.Second

// serve runs the server until ctx is cancelled, then shuts it down in a fixed
// order: stop accepting and finish in-flight requests, stop background work,
// close the store.
func serve(ctx context.Context, cfg serveConfig, log *slog.Logger, o options) error {
	if cfg.databaseURL != "" {
		return fmt.Errorf("%w: --database: PostgreSQL is not supported yet; leave it empty to use SQLite in --data", ErrUsage)
	}
	if err := os.MkdirAll(cfg.dataDir, 0o700); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}

	key, created, err := vault.LoadOrCreateKeyFile(filepath.Join(cfg.dataDir, "master.key"))
	if err != nil {
		return err
	}
	if created {
		log.Warn("SANDBOX MODE: generated a new master key in the data directory; anyone who can read it can read every sealed credential",
			"path", filepath.Join(cfg.dataDir, "master.key"))
	}
	v, err := vault.New(key)
	if err != nil {
		return err
	}

	st, err := sqlitestore.Open(ctx, filepath.Join(cfg.dataDir, "bankfeed.db"))
	if err != nil {
		return err
	}
	defer st.Close()

	conns, err := connectors(cfg.scenarios)
	if err != nil {
		return err
	}
	svc, err := authorize.New(authorize.Config{Store: st, Vault: v, Connectors: conns, Logger: log, Now: o.now})
	if err != nil {
		return err
	}
	janitor := authorize.NewJanitor(svc, time.Minute, log)

	handler := httpapi.New(httpapi.Deps{Authorize: svc, Logins: svc, Data: svc, Health: st, Logger: log})
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
	var runner *jobs.Runner[*sql.Tx]
	if !o.noJobs {
		// Not ctx: the workers stop after the server, in the shutdown below.
		if runner, err = jobs.Start(context.WithoutCancel(ctx), riversqlite.New(st.WriteDB()), svc, log); err != nil {
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
	log.Info("bankfeed listening", "addr", "http://"+ln.Addr().String(), "data", cfg.dataDir, "database", "sqlite")
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
// bank, with the embedded scenarios and those of scenarioDir.
func connectors(scenarioDir string) ([]connector.Connector, error) {
	scenarios, err := sandbox.Embedded()
	if err != nil {
		return nil, fmt.Errorf("embedded scenarios: %w", err)
	}
	if scenarioDir != "" {
		own, err := sandbox.LoadDir(scenarioDir)
		if err != nil {
			return nil, fmt.Errorf("--scenarios: %w", err)
		}
		scenarios = append(scenarios, own...)
	}
	sb, err := sandbox.New(scenarios...)
	if err != nil {
		return nil, fmt.Errorf("--scenarios: %w", err)
	}
	return []connector.Connector{sb}, nil
}
