// Package bankfeedtest runs a bankfeed server inside a Go test: in sandbox
// mode, on a loopback port, on SQLite in a temporary directory, with no
// Docker, no network and no setup.
//
//	func TestImport(t *testing.T) {
//		srv := bankfeedtest.New(t)
//		resp, err := srv.Client.AuthorizeWithMFA(ctx, flinks.AuthorizeRequest{...}, answer)
//		...
//		srv.Sandbox.AdvanceClock(ctx, 72*time.Hour) // the control plane
//	}
//
// The server serves the Flinks API for the public sandbox customer
// (Client), the sandbox institutions, and the control plane (Sandbox): the
// virtual clock, resets, saved logins without a UI, webhook deliveries and
// the rest of docs/sandbox-control.md. It stops when the test ends.
package bankfeedtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/client"
	"github.com/bankfeed/bankfeed/internal/app"
)

// SandboxCustomerID is the public Flinks sandbox customer, which Client
// calls as; it needs no keys.
const SandboxCustomerID = "43387ca6-0391-4c82-857d-70d95f087ecb"

// Server is a running bankfeed.
type Server struct {
	// URL is the server's base URL (scheme and host), for clients of your
	// own: the Flinks API is under URL + "/v3/{customerId}/BankingServices/".
	URL string
	// Client calls the Flinks API as the public sandbox customer.
	Client *client.Client
	// Sandbox calls the control plane.
	Sandbox *client.Sandbox
	// DataDir holds the server's SQLite database and master key.
	DataDir string

	stop func() error
}

// Option changes how New and Start run the server.
type Option func(*config)

type config struct {
	args    []string
	log     io.Writer
	now     func() time.Time
	dataDir string
}

// WithArgs adds flags of `bankfeed serve`, such as "--refresh-at",
// "04:00" or "--scenarios", dir (see docs/operations.md). The address,
// the data directory and sandbox mode are the package's.
func WithArgs(flags ...string) Option {
	return func(c *config) { c.args = append(c.args, flags...) }
}

// WithClockStart starts the server's virtual clock at t rather than now.
func WithClockStart(t time.Time) Option {
	return WithArgs("--clock-start", t.UTC().Format(time.RFC3339Nano))
}

// WithClock makes now the clock the virtual clock adds its offset to, in
// place of the real time: a clock that stands still makes every time the
// server writes predictable. Fetch delays and other waits of the sandbox
// bank still end in real time.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.now = now }
}

// WithLog sends the server's log to w; New discards it otherwise, and
// Start too.
func WithLog(w io.Writer) Option {
	return func(c *config) { c.log = w }
}

// New starts a server for the test t and stops it when the test ends; it
// fails t if the server cannot start, or if it stops with an error.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	srv, err := start(append([]Option{func(c *config) { c.dataDir = t.TempDir() }}, opts...))
	if err != nil {
		t.Fatalf("bankfeedtest: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.stop(); err != nil {
			t.Errorf("bankfeedtest: the server stopped with %v", err)
		}
	})
	return srv
}

// Start starts a server outside a test (an example, a program's own
// harness), in a temporary directory that Close removes.
func Start(opts ...Option) (*Server, error) {
	return start(opts)
}

// Close stops a server started with Start, and removes its directory.
func (s *Server) Close() error { return s.stop() }

// startTimeout bounds the start: a server that does not listen by then
// will not.
const startTimeout = 30 * time.Second

func start(opts []Option) (*Server, error) {
	cfg := config{log: io.Discard}
	for _, opt := range opts {
		opt(&cfg)
	}
	removeDir := func() error { return nil }
	if cfg.dataDir == "" {
		dir, err := os.MkdirTemp("", "bankfeedtest-")
		if err != nil {
			return nil, err
		}
		cfg.dataDir = dir
		removeDir = func() error { return os.RemoveAll(dir) }
	}
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data", cfg.dataDir, "--sandbox=true"}, cfg.args...)
	ready := make(chan string, 1)
	done := make(chan error, 1)
	ctx, cancel := context.WithCancel(context.Background())
	appOpts := []app.Option{app.WithReady(func(addr string) { ready <- addr })}
	if cfg.now != nil {
		appOpts = append(appOpts, app.WithClock(cfg.now))
	}
	// The environment is not read: a test's server is the same on every
	// machine, whatever BANKFEED_* variables it has.
	noEnv := func(string) string { return "" }
	go func() { done <- app.Main(ctx, args, noEnv, io.Discard, cfg.log, appOpts...) }()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		cancel()
		removeDir()
		if err == nil {
			err = errors.New("exited before listening")
		}
		return nil, fmt.Errorf("the server did not start: %w", err)
	case <-time.After(startTimeout):
		cancel()
		<-done
		removeDir()
		return nil, fmt.Errorf("the server did not start within %v", startTimeout)
	}
	url := "http://" + addr
	s := &Server{URL: url, DataDir: cfg.dataDir}
	stopped := false
	var stopErr error
	s.stop = func() error {
		if !stopped {
			stopped = true
			cancel()
			stopErr = errors.Join(<-done, removeDir())
		}
		return stopErr
	}
	var err error
	if s.Client, err = client.New(url, SandboxCustomerID); err != nil {
		s.stop()
		return nil, err
	}
	if s.Sandbox, err = client.NewSandbox(url); err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}
