package app

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/bankfeed/bankfeed/internal/httpapi"
	"github.com/bankfeed/bankfeed/internal/jobs"
	"github.com/bankfeed/bankfeed/internal/journal"
	"github.com/bankfeed/bankfeed/internal/refresh"
	"github.com/bankfeed/bankfeed/internal/store/pgstore"
	"github.com/bankfeed/bankfeed/internal/webhooks"
)

// storeConfig is where bankfeed keeps its state and the keys that seal it:
// the flags every command that opens the database shares.
type storeConfig struct {
	dataDir       string
	databaseURL   string
	masterKeyFile string
	// masterKey is BANKFEED_MASTER_KEY: the key ring itself, for
	// deployments that pass secrets in the environment. Never a flag: a
	// flag shows in the process list.
	masterKey string
	sandbox   bool
	// dbTimeout bounds one operation of the store.
	dbTimeout time.Duration
}

func (c *storeConfig) register(fs *flag.FlagSet, getenv func(string) string) {
	fs.StringVar(&c.dataDir, "data", envOr(getenv, "BANKFEED_DATA", "./data"),
		"data directory: the SQLite database and, in sandbox mode, the generated master key (BANKFEED_DATA)")
	fs.StringVar(&c.databaseURL, "database", envOr(getenv, "BANKFEED_DATABASE_URL", ""),
		"PostgreSQL URL; empty for SQLite in the data directory (BANKFEED_DATABASE_URL)")
	fs.StringVar(&c.masterKeyFile, "master-key-file", envOr(getenv, "BANKFEED_MASTER_KEY_FILE", ""),
		"file of hex master keys, one per line, the first sealing (BANKFEED_MASTER_KEY_FILE); or set BANKFEED_MASTER_KEY to the keys, comma-separated")
	fs.BoolVar(&c.sandbox, "sandbox", envOr(getenv, "BANKFEED_SANDBOX", "true") != "false",
		"sandbox mode: serve the sandbox bank and the public sandbox customer, and generate a master key in the data directory if none is given (BANKFEED_SANDBOX)")
	fs.DurationVar(&c.dbTimeout, "db-timeout", envDuration(getenv, "BANKFEED_DB_TIMEOUT", pgstore.DefaultOpTimeout),
		"longest wait for one database operation (on SQLite, for the write lock) before the request answers RETRY_LATER (BANKFEED_DB_TIMEOUT)")
	c.masterKey = strings.TrimSpace(getenv("BANKFEED_MASTER_KEY"))
}

// defaultDataCache is --data-cache-size's default: a few hundred logins'
// year of transactions.
const defaultDataCache = 64 << 20

// serveConfig is the configuration of bankfeed serve.
type serveConfig struct {
	storeConfig
	addr           string
	scenarios      string
	logLevel       slog.Level
	maxMFAAttempts int
	maxBody        int64
	dataCache      int64
	fetchWait      time.Duration
	jobTimeout     time.Duration
	refresh        refreshConfig
	webhooks       webhookConfig
	adminKey       string
	pprof          string // address of the runtime profiles; empty: not served
	connectAddr    string // address of the Connect widget's own listener; empty: none
	metricsAddr    string // address of /metrics; empty: no metrics at all
	// tlsCert and tlsKey are PEM files: HTTPS on addr when set.
	tlsCert, tlsKey string
	// drainDelay is how long the server goes on serving, /readyz answering
	// 503, once told to stop.
	drainDelay time.Duration
	// clockStart is where the virtual clock starts on a database whose
	// clock was never moved; zero for now.
	clockStart  time.Time
	journalSize int
}

// buildConfig is what build takes of the server's configuration.
func (c serveConfig) buildConfig() buildConfig {
	return buildConfig{storeConfig: c.storeConfig, scenarios: c.scenarios, maxMFAAttempts: c.maxMFAAttempts, maxBody: c.maxBody, dataCache: c.dataCache, fetchWait: c.fetchWait,
		jobTimeout: c.jobTimeout, refreshWorkers: c.refresh.workers, schedule: c.refresh.schedule, webhooks: c.webhooks,
		adminKey: c.adminKey, metrics: c.metricsAddr != "", journalSize: c.journalSize}
}

// webhookConfig is the configuration of the webhook deliveries.
type webhookConfig struct {
	retryInterval time.Duration
	maxAttempts   int
	timeout       time.Duration
	allowPrivate  bool
	// sandboxURL and sandboxSecret set the sandbox customer's endpoint at
	// start; sandboxURL empty leaves it as it is.
	sandboxURL    string
	sandboxSecret string
}

func (c *webhookConfig) register(fs *flag.FlagSet, getenv func(string) string) {
	fs.DurationVar(&c.retryInterval, "webhook-retry-interval", envDuration(getenv, "BANKFEED_WEBHOOK_RETRY_INTERVAL", webhooks.DefaultRetryInterval),
		"wait between two attempts of a webhook delivery the receiver did not acknowledge (BANKFEED_WEBHOOK_RETRY_INTERVAL)")
	fs.IntVar(&c.maxAttempts, "webhook-max-attempts", webhooks.DefaultMaxAttempts,
		"attempts of one webhook delivery before it is given up")
	fs.DurationVar(&c.timeout, "webhook-timeout", envDuration(getenv, "BANKFEED_WEBHOOK_TIMEOUT", 0),
		"longest wait for a webhook receiver's answer, its body included; at most a third of --job-timeout. Default: 10s, or a third of --job-timeout if less (BANKFEED_WEBHOOK_TIMEOUT)")
	fs.BoolVar(&c.allowPrivate, "webhook-allow-private", envOr(getenv, "BANKFEED_WEBHOOK_ALLOW_PRIVATE", "false") == "true",
		"outside sandbox mode, let webhooks reach loopback, link-local and private addresses (BANKFEED_WEBHOOK_ALLOW_PRIVATE)")
	fs.StringVar(&c.sandboxURL, "sandbox-webhook-url", envOr(getenv, "BANKFEED_SANDBOX_WEBHOOK_URL", ""),
		"in sandbox mode, the sandbox customer's webhook URL, set at start (BANKFEED_SANDBOX_WEBHOOK_URL)")
	c.sandboxSecret = strings.TrimSpace(getenv("BANKFEED_SANDBOX_WEBHOOK_SECRET"))
	fs.StringVar(&c.sandboxSecret, "sandbox-webhook-secret", c.sandboxSecret,
		"the signing secret of --sandbox-webhook-url; a new one, printed in the log, when empty (BANKFEED_SANDBOX_WEBHOOK_SECRET)")
}

// check validates the settings against the job timeout that bounds an
// attempt's job: both deliveries of a job must fit in it. An unset timeout
// becomes the default, or a third of the job timeout if that is less.
func (c *webhookConfig) check(jobTimeout time.Duration) error {
	if c.timeout == 0 {
		c.timeout = min(webhooks.DefaultTimeout, jobTimeout/3)
	}
	switch {
	case c.retryInterval < 100*time.Millisecond:
		return fmt.Errorf("%w: --webhook-retry-interval must be at least 100ms", ErrUsage)
	case c.maxAttempts < 1 || c.maxAttempts > 100:
		return fmt.Errorf("%w: --webhook-max-attempts must be between 1 and 100", ErrUsage)
	case c.timeout < 100*time.Millisecond || 3*c.timeout > jobTimeout:
		return fmt.Errorf("%w: --webhook-timeout must be at least 100ms and at most a third of --job-timeout (%v)", ErrUsage, jobTimeout)
	}
	return nil
}

// refreshConfig is the configuration of the scheduled refresh.
type refreshConfig struct {
	// schedule is nil when the nightly pass is off.
	schedule *refresh.Schedule
	workers  int
}

func (c *refreshConfig) register(fs *flag.FlagSet, getenv func(string) string) (parse func() error) {
	at := fs.String("refresh-at", envOr(getenv, "BANKFEED_REFRESH_AT", "04:00"),
		"time of day (HH:MM, UTC) the nightly refresh of logins with scheduled refresh starts; off for none (BANKFEED_REFRESH_AT)")
	window := fs.Duration("refresh-window", envDuration(getenv, "BANKFEED_REFRESH_WINDOW", 4*time.Hour),
		"the nightly refresh spreads its logins over this long from its start (BANKFEED_REFRESH_WINDOW)")
	fs.IntVar(&c.workers, "refresh-workers", jobs.DefaultRefreshWorkers,
		"refreshes run at once by this process")
	return func() error {
		if err := checkEnvDurations(getenv, "BANKFEED_REFRESH_WINDOW"); err != nil {
			return err
		}
		if *window < 0 || *window > 24*time.Hour {
			return fmt.Errorf("%w: --refresh-window must be between 0 and 24h", ErrUsage)
		}
		if c.workers < 1 {
			return fmt.Errorf("%w: --refresh-workers must be at least 1", ErrUsage)
		}
		if strings.EqualFold(strings.TrimSpace(*at), "off") {
			return nil
		}
		start, err := refresh.ParseTimeOfDay(*at)
		if err != nil {
			return fmt.Errorf("%w: --refresh-at: %v, or off", ErrUsage, err)
		}
		c.schedule = &refresh.Schedule{At: start, Window: *window}
		return nil
	}
}

// parseServe reads the flags of serve; each flag's default comes from its
// environment variable when set.
func parseServe(args []string, getenv func(string) string, stderr io.Writer) (serveConfig, error) {
	var cfg serveConfig
	fs := flag.NewFlagSet("bankfeed serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.storeConfig.register(fs, getenv)
	fs.StringVar(&cfg.addr, "addr", envOr(getenv, "BANKFEED_ADDR", "127.0.0.1:8080"),
		"address to listen on (BANKFEED_ADDR)")
	fs.StringVar(&cfg.scenarios, "scenarios", envOr(getenv, "BANKFEED_SCENARIOS", ""),
		"directory of sandbox scenario files (*.json) adding institutions to the embedded ones (BANKFEED_SCENARIOS)")
	fs.StringVar(&cfg.connectAddr, "connect-addr", envOr(getenv, "BANKFEED_CONNECT_ADDR", ""),
		"address of a listener of its own for the Connect widget (/v2/) and the API it calls, a separate origin as Flinks' widget has; empty: the widget is served on --addr only (BANKFEED_CONNECT_ADDR)")
	fs.StringVar(&cfg.pprof, "pprof", envOr(getenv, "BANKFEED_PPROF", ""),
		"address to serve runtime profiles (net/http/pprof) on, such as 127.0.0.1:6060; empty: off. Never the API's address (BANKFEED_PPROF)")
	fs.StringVar(&cfg.tlsCert, "tls-cert", envOr(getenv, "BANKFEED_TLS_CERT", ""),
		"PEM certificate (chain) to serve HTTPS with on --addr, with --tls-key; reloaded when the files change (BANKFEED_TLS_CERT)")
	fs.StringVar(&cfg.tlsKey, "tls-key", envOr(getenv, "BANKFEED_TLS_KEY", ""),
		"PEM private key of --tls-cert (BANKFEED_TLS_KEY)")
	fs.StringVar(&cfg.metricsAddr, "metrics-addr", envOr(getenv, "BANKFEED_METRICS_ADDR", ""),
		"address to serve Prometheus metrics (/metrics) on, such as 127.0.0.1:9090; empty: off. A listener of its own, never the API's (BANKFEED_METRICS_ADDR)")
	level := fs.String("log-level", envOr(getenv, "BANKFEED_LOG_LEVEL", "info"),
		"log level: debug, info, warn or error (BANKFEED_LOG_LEVEL)")
	fs.IntVar(&cfg.maxMFAAttempts, "max-mfa-attempts", 3,
		"wrong MFA answers after which a session fails and must start over")
	fs.Int64Var(&cfg.maxBody, "max-body", httpapi.DefaultMaxBody,
		"largest request body accepted, in bytes")
	fs.DurationVar(&cfg.fetchWait, "fetch-wait", 2*time.Second,
		"how long a direct data call (GetAccountsDetail, not its Async twin) waits for the fetch of its session before it answers 202, as Flinks' direct calls wait; 0: answer at once")
	fs.Int64Var(&cfg.dataCache, "data-cache-size", defaultDataCache,
		"memory, in bytes, for copies of recent GetAccountsDetail answers' accounts, checked against the stored snapshot's version on every call; 0: no copies")
	parseRefresh := cfg.refresh.register(fs, getenv)
	cfg.webhooks.register(fs, getenv)
	fs.StringVar(&cfg.adminKey, "admin-key", envOr(getenv, "BANKFEED_ADMIN_KEY", ""),
		"key of the sandbox control surface (/sandbox/v1/), required as Authorization: Bearer <key>; outside sandbox mode the surface is served only with it. Prefer the variable: a flag shows in the process list (BANKFEED_ADMIN_KEY)")
	fs.DurationVar(&cfg.drainDelay, "drain-delay", envDuration(getenv, "BANKFEED_DRAIN_DELAY", 0),
		"once told to stop, go on serving this long with /readyz answering 503, so that load balancers stop sending requests first; then shut down (BANKFEED_DRAIN_DELAY)")
	clockStart := fs.String("clock-start", envOr(getenv, "BANKFEED_CLOCK_START", ""),
		"where the sandbox's virtual clock starts (RFC 3339, such as 2027-01-15T04:00:00Z) on a database whose clock was never moved; needs the control surface: sandbox mode or --admin-key (BANKFEED_CLOCK_START)")
	fs.IntVar(&cfg.journalSize, "journal-size", journal.DefaultSize,
		"entries the sandbox's request journal keeps, the oldest dropped past it; 0 turns the journal off")
	fs.DurationVar(&cfg.jobTimeout, "job-timeout", envDuration(getenv, "BANKFEED_JOB_TIMEOUT", jobs.DefaultJobTimeout),
		"longest attempt of a background job (a fetch, a refresh); a job still running twice that long after a process died is run again (BANKFEED_JOB_TIMEOUT)")
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
	if cfg.maxMFAAttempts < 1 {
		return cfg, fmt.Errorf("%w: --max-mfa-attempts must be at least 1", ErrUsage)
	}
	if err := checkEnvDurations(getenv, "BANKFEED_DB_TIMEOUT", "BANKFEED_JOB_TIMEOUT", "BANKFEED_WEBHOOK_RETRY_INTERVAL",
		"BANKFEED_WEBHOOK_TIMEOUT", "BANKFEED_DRAIN_DELAY"); err != nil {
		return cfg, err
	}
	if err := parseRefresh(); err != nil {
		return cfg, err
	}
	if cfg.dbTimeout < 100*time.Millisecond {
		return cfg, fmt.Errorf("%w: --db-timeout must be at least 100ms", ErrUsage)
	}
	if cfg.drainDelay < 0 || cfg.drainDelay > 5*time.Minute {
		return cfg, fmt.Errorf("%w: --drain-delay must be between 0 and 5m", ErrUsage)
	}
	if cfg.jobTimeout < time.Second {
		return cfg, fmt.Errorf("%w: --job-timeout must be at least 1s", ErrUsage)
	}
	if err := cfg.webhooks.check(cfg.jobTimeout); err != nil {
		return cfg, err
	}
	if cfg.webhooks.sandboxURL != "" && !cfg.sandbox {
		return cfg, fmt.Errorf("%w: --sandbox-webhook-url needs sandbox mode; set other customers' with bankfeed customers webhook", ErrUsage)
	}
	if cfg.fetchWait < 0 || cfg.fetchWait > time.Minute {
		return cfg, fmt.Errorf("%w: --fetch-wait must be between 0 and 1m", ErrUsage)
	}
	if cfg.dataCache < 0 {
		return cfg, fmt.Errorf("%w: --data-cache-size must be 0 or more", ErrUsage)
	}
	if (cfg.tlsCert == "") != (cfg.tlsKey == "") {
		return cfg, fmt.Errorf("%w: --tls-cert and --tls-key go together", ErrUsage)
	}
	start, err := parseClockStart(strings.TrimSpace(*clockStart))
	if err != nil {
		return cfg, err
	}
	cfg.clockStart = start
	if !cfg.clockStart.IsZero() && !cfg.sandbox && cfg.adminKey == "" {
		return cfg, fmt.Errorf("%w: --clock-start needs the sandbox control surface: sandbox mode, or --admin-key", ErrUsage)
	}
	if cfg.journalSize < 0 || cfg.journalSize > 10_000_000 {
		return cfg, fmt.Errorf("%w: --journal-size must be between 0 (off) and 10000000", ErrUsage)
	}
	if cfg.maxBody < 1024 {
		return cfg, fmt.Errorf("%w: --max-body must be at least 1024 bytes", ErrUsage)
	}
	return cfg, nil
}

// parseFlags parses the flags of an administration command into fs, which
// has its own flags registered, and returns its arguments.
// Flags may come before or after the arguments, as in `customers remove
// ID --data DIR`.
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) ([]string, error) {
	fs.SetOutput(stderr)
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if err == flag.ErrHelp {
				return nil, err
			}
			return nil, fmt.Errorf("%w: %v", ErrUsage, err)
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// envDuration is envOr for a duration; a value that does not parse gives
// the default here, and parseServe refuses it (checkEnvDurations).
func envDuration(getenv func(string) string, key string, def time.Duration) time.Duration {
	if v := strings.TrimSpace(getenv(key)); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
	}
	return def
}

// checkEnvDurations refuses a variable of keys that is set but is not a
// duration.
func checkEnvDurations(getenv func(string) string, keys ...string) error {
	for _, k := range keys {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			if _, err := time.ParseDuration(v); err != nil {
				return fmt.Errorf("%w: %s=%q is not a duration such as 10s or 2m", ErrUsage, k, v)
			}
		}
	}
	return nil
}

func envOr(getenv func(string) string, key, def string) string {
	if v := strings.TrimSpace(getenv(key)); v != "" {
		return v
	}
	return def
}
