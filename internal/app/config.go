package app

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// serveConfig is the configuration of bankfeed serve.
type serveConfig struct {
	addr        string
	dataDir     string
	databaseURL string
	scenarios   string
	logLevel    slog.Level
	pprof       string // address of the runtime profiles; empty: not served
}

// parseServe reads the flags of serve; each flag's default comes from its
// environment variable when set.
func parseServe(args []string, getenv func(string) string, stderr io.Writer) (serveConfig, error) {
	var cfg serveConfig
	fs := flag.NewFlagSet("bankfeed serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.addr, "addr", envOr(getenv, "BANKFEED_ADDR", "127.0.0.1:8080"),
		"address to listen on (BANKFEED_ADDR)")
	fs.StringVar(&cfg.dataDir, "data", envOr(getenv, "BANKFEED_DATA", "./data"),
		"data directory: the SQLite database and, in sandbox mode, the generated master key (BANKFEED_DATA)")
	fs.StringVar(&cfg.databaseURL, "database", envOr(getenv, "BANKFEED_DATABASE_URL", ""),
		"PostgreSQL URL; empty for SQLite in the data directory (BANKFEED_DATABASE_URL)")
	fs.StringVar(&cfg.scenarios, "scenarios", envOr(getenv, "BANKFEED_SCENARIOS", ""),
		"directory of sandbox scenario files (*.json) adding institutions to the embedded ones (BANKFEED_SCENARIOS)")
	fs.StringVar(&cfg.pprof, "pprof", envOr(getenv, "BANKFEED_PPROF", ""),
		"address to serve runtime profiles (net/http/pprof) on, such as 127.0.0.1:6060; empty: off. Never the API's address (BANKFEED_PPROF)")
	level := fs.String("log-level", envOr(getenv, "BANKFEED_LOG_LEVEL", "info"),
		"log level: debug, info, warn or error (BANKFEED_LOG_LEVEL)")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return cfg, err
		}
		return cfg, fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("%w: unexpected argument %q", ErrUsage, fs.Arg(0))
	}
	if err := cfg.logLevel.UnmarshalText([]byte(strings.TrimSpace(*level))); err != nil {
		return cfg, fmt.Errorf("%w: --log-level: %v", ErrUsage, err)
	}
	return cfg, nil
}

func envOr(getenv func(string) string, key, def string) string {
	if v := strings.TrimSpace(getenv(key)); v != "" {
		return v
	}
	return def
}
