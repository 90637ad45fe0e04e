package app

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/bankfeed/bankfeed/internal/certs"
	"github.com/bankfeed/bankfeed/internal/connect"
	"github.com/bankfeed/bankfeed/internal/tenants"
)

// shutdownGrace bounds how long in-flight requests may take to finish once
// shutdown begins.
const shutdownGrace = 30 * time.Second

// serve runs the server until ctx is cancelled, then shuts it down in a fixed
// order: stop accepting and finish in-flight requests, stop the job workers
// (softly, then cancelling what still runs), close the store.
func serve(ctx context.Context, cfg serveConfig, log *slog.Logger, o options) error {
	stk, err := build(ctx, cfg.buildConfig(), log, o.now)
	if err != nil {
		return err
	}
	stk.stopping = ctx.Done()
	// Whatever happens below, the workers stop before the store closes.
	closed := false
	closeStack := func(ctx context.Context) error {
		if closed {
			return nil
		}
		closed = true
		return stk.close(ctx)
	}
	defer closeStack(context.Background())
	if stk.clock != nil {
		if !cfg.clockStart.IsZero() {
			started, err := stk.clock.StartAt(ctx, cfg.clockStart)
			if err != nil {
				return err
			}
			if !started {
				log.Warn("--clock-start ignored: the database's virtual clock was already set", "now", stk.now().Format(time.RFC3339))
			}
		}
		stk.clock.Start()
	}
	if cfg.sandbox {
		if err := tenants.EnsureSandbox(ctx, stk.store, stk.now()); err != nil {
			return fmt.Errorf("sandbox customer: %w", err)
		}
		if wh := cfg.webhooks; wh.sandboxURL != "" {
			secret, made, err := stk.webhooks.ConfigureKeeping(ctx, tenants.SandboxCustomerID, wh.sandboxURL, wh.sandboxSecret)
			if err != nil {
				return fmt.Errorf("--sandbox-webhook-url: %w", err)
			}
			if made {
				// Generated: the log is the only place it is ever shown.
				log.Info("sandbox webhook configured, with a new secret", "url", wh.sandboxURL, "secret", secret)
			} else {
				log.Info("sandbox webhook configured", "url", wh.sandboxURL)
			}
		}
	}
	srv := &http.Server{
		Handler:           stk.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	scheme := "http"
	if cfg.tlsCert != "" {
		reloader, err := certs.NewReloader(cfg.tlsCert, cfg.tlsKey, log)
		if err != nil {
			return fmt.Errorf("--tls-cert, --tls-key: %w", err)
		}
		srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: reloader.GetCertificate}
		scheme = "https"
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
	if cfg.metricsAddr != "" {
		stopMetrics, err := startMetrics(cfg.metricsAddr, stk.metrics, log)
		if err != nil {
			ln.Close()
			return fmt.Errorf("--metrics-addr: %w", err)
		}
		defer stopMetrics()
	}
	if !o.noJobs {
		// Not ctx: the workers stop after the server, in the shutdown below.
		if err := stk.startJobs(context.WithoutCancel(ctx)); err != nil {
			ln.Close()
			return err
		}
	}

	var connectSrv *http.Server
	var connectServed chan error
	if cfg.connectAddr != "" {
		cln, err := net.Listen("tcp", cfg.connectAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("--connect-addr: %w", err)
		}
		connectSrv = &http.Server{
			Handler:           connect.Origin(stk.handler),
			ReadHeaderTimeout: srv.ReadHeaderTimeout,
			ReadTimeout:       srv.ReadTimeout,
			IdleTimeout:       srv.IdleTimeout,
			ErrorLog:          srv.ErrorLog,
		}
		connectServed = make(chan error, 1)
		go func() { connectServed <- connectSrv.Serve(cln) }()
		log.Info("connect widget listening", "addr", "http://"+cln.Addr().String()+"/v2/")
		if o.onConnectReady != nil {
			o.onConnectReady(cln.Addr().String())
		}
	}
	served := make(chan error, 1)
	go func() {
		if srv.TLSConfig != nil {
			served <- srv.ServeTLS(ln, "", "") // the certificate comes from GetCertificate
			return
		}
		served <- srv.Serve(ln)
	}()
	log.Info("bankfeed listening", "addr", scheme+"://"+ln.Addr().String(), "version", readBuildInfo().String(),
		"data", cfg.dataDir, "database", stk.store.kind(),
		"sandbox", cfg.sandbox, "master_key", fmt.Sprintf("%08x", stk.keys.ring.PrimaryID()))
	if o.onReady != nil {
		o.onReady(ln.Addr().String())
	}

	select {
	case err := <-served:
		if connectSrv != nil {
			connectSrv.Close()
		}
		return errors.Join(err, closeStack(context.Background()))
	case <-ctx.Done():
	}
	// Not ready from now on (stk.stopping is closed); with a drain delay,
	// keep serving that long, so that load balancers polling /readyz take
	// the process out of rotation before its listener closes.
	if cfg.drainDelay > 0 {
		log.Info("draining: /readyz answers 503; shutting down after the drain delay", "drain_delay", cfg.drainDelay)
		select {
		case <-time.After(cfg.drainDelay):
		case err := <-served:
			return errors.Join(err, closeStack(context.Background()))
		}
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	errShutdown := srv.Shutdown(shutdownCtx)
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		errShutdown = errors.Join(errShutdown, err)
	}
	if connectSrv != nil {
		errShutdown = errors.Join(errShutdown, connectSrv.Shutdown(shutdownCtx))
		if err := <-connectServed; !errors.Is(err, http.ErrServerClosed) {
			errShutdown = errors.Join(errShutdown, err)
		}
	}
	errShutdown = errors.Join(errShutdown, closeStack(shutdownCtx))
	log.Info("stopped")
	return errShutdown
}
