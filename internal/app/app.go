// Package app is bankfeed's composition root: it reads the configuration,
// builds every component once, wires them together, and runs the command
// the user asked for. Nothing else in bankfeed imports a database driver or
// chooses a connector.
package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"
)

// ErrUsage is returned for a command line that cannot be run; main exits
// with status 2 for it.
var ErrUsage = errors.New("usage")

// Option changes how Main runs; tests use them.
type Option func(*options)

type options struct {
	now     func() time.Time
	onReady func(addr string)
	// onConnectReady is onReady for the --connect-addr listener.
	onConnectReady func(addr string)
	noJobs         bool
}

// WithClock makes the server read time from now instead of time.Now.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithReady calls f with the listening address once the server accepts
// connections.
func WithReady(f func(addr string)) Option { return func(o *options) { o.onReady = f } }

// WithConnectReady calls f with the address of the --connect-addr
// listener once it accepts connections.
func WithConnectReady(f func(addr string)) Option { return func(o *options) { o.onConnectReady = f } }

// WithoutJobs starts the server without its job workers: jobs are inserted
// but not run until a server with workers starts on the same database. For
// tests of durability.
func WithoutJobs() Option { return func(o *options) { o.noJobs = true } }

const usage = `bankfeed: a self-hosted bank-data aggregation server speaking the Flinks v3 API.

Usage:
  bankfeed serve [flags]   run the server
  bankfeed customers ...   add, list, rotate the keys of, or remove customers
  bankfeed keys ...        generate a master key, or rotate the master key
  bankfeed refresh --now   run a scheduled-refresh pass now
  bankfeed webhooks ...    list, replay or test webhook deliveries
  bankfeed certs localhost write a local CA and a certificate for loopback names
  bankfeed version         print the version
  bankfeed help            print this help

Run 'bankfeed serve -h' for the server's flags.
`

// Main runs the bankfeed command line args (without the program name).
// It returns when the command is done or, for serve, when ctx is cancelled
// and the server has shut down.
func Main(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, opts ...Option) error {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if o.now == nil {
		o.now = time.Now
	}
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return ErrUsage
	}
	switch args[0] {
	case "serve":
		cfg, err := parseServe(args[1:], getenv, stderr)
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		if err != nil {
			return err
		}
		logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.logLevel}))
		return serve(ctx, cfg, logger, o)
	case "customers":
		return customers(ctx, args[1:], getenv, stdout, stderr, o)
	case "keys":
		return keys(ctx, args[1:], getenv, stdout, stderr, o)
	case "refresh":
		return refreshCommand(ctx, args[1:], getenv, stdout, stderr, o)
	case "webhooks":
		return webhooksCommand(ctx, args[1:], getenv, stdout, stderr, o)
	case "certs":
		return certsCommand(args[1:], stdout, stderr)
	case "version", "-version", "--version":
		return versionCommand(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprintf(stderr, "bankfeed: unknown command %q\n\n%s", args[0], usage)
	return ErrUsage
}
