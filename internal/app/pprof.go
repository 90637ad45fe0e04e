package app

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// startPprof serves the runtime profiles of net/http/pprof (CPU, heap,
// goroutines, traces) on addr, a listener of its own: the profiles say how
// the server works inside and a CPU profile costs a core while it runs, so
// they are never reachable through the API's listener, only where the
// operator chose to open them, typically loopback. The handlers are
// registered on a mux of their own: the package's registration on
// http.DefaultServeMux is never served.
//
// It returns a function that stops it: a profile being taken is cut short,
// as nothing waits for it once the server stops.
func startPprof(addr string, log *slog.Logger) (stop func() error, err error) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	stop, bound, err := serveAside("pprof", addr, mux, log)
	if err != nil {
		return nil, err
	}
	log.Warn("pprof listening: runtime profiles are served on this address, never expose it",
		"addr", "http://"+bound+"/debug/pprof/")
	return stop, nil
}

// serveAside serves h on addr, a listener apart from the API's, and
// returns the address it listens on and a function that stops it. No
// write timeout: a CPU profile or a trace answers after the seconds it was
// asked to run.
func serveAside(name, addr string, h http.Handler, log *slog.Logger) (stop func() error, bound string, err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, "", err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			log.Error(name+" server stopped", "err", err)
		}
	}()
	return func() error {
		err := srv.Close()
		<-done
		return err
	}, ln.Addr().String(), nil
}
