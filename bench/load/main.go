// Command load is bankfeed's load harness. It starts a bankfeed server as a
// process of its own (or targets one with -url), provisions saved sandbox
// logins, and drives concurrent clients through a workload for a fixed
// time; then it drives a minimal net/http server that answers the same
// requests with the same bytes, the baseline, with the same clients, and
// reports bankfeed's throughput as a ratio of the baseline's: the figure
// the project tracks, since absolute numbers vary from machine to machine.
//
//	go run ./bench/load -workload cached,live,mixed -duration 10s -concurrency 64 -logins 200
//	go run ./bench/load -workload sessions -sessions 100000
//
// docs/performance.md describes the workloads and records the figures.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	if os.Getenv(roleEnv) == roleBaseline {
		os.Exit(baselineMain(os.Stderr))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

// config is the command line.
type config struct {
	workloads    []string
	journalSize  int
	duration     time.Duration
	warmup       time.Duration
	concurrency  int
	rounds       int
	logins       int
	json         bool
	url          string
	database     string
	serverBin    string
	customer     string
	poll         time.Duration
	baseline     bool
	cpuProfile   string
	sessions     int
	answers      int
	scenariosOut string
	keep         bool
	metrics      bool
	scrapeEvery  time.Duration
}

// driven are the workloads drive runs; sessions is the open-sessions run.
var driven = []string{"cached", "live", "mixed"}

func parse(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	workload := fs.String("workload", "cached,live,mixed", "workloads to run, comma-separated: cached, live, mixed, sessions; all = cached,live,mixed")
	fs.DurationVar(&c.duration, "duration", 10*time.Second, "measured time of each workload, on bankfeed and on the baseline each")
	fs.DurationVar(&c.warmup, "warmup", 2*time.Second, "unmeasured time before each measurement")
	fs.IntVar(&c.concurrency, "concurrency", 64, "concurrent clients")
	fs.IntVar(&c.rounds, "rounds", 5, "slices the measured time is cut into, alternating between bankfeed and the baseline, so that the noise of a shared machine falls on both")
	fs.IntVar(&c.logins, "logins", 200, "saved sandbox logins to provision (distinct users)")
	fs.BoolVar(&c.json, "json", false, "print one JSON object per workload instead of a table")
	fs.StringVar(&c.url, "url", "", "target the bankfeed at this URL instead of starting one; it must serve the harness's scenario (-scenarios-out); its memory is unknown")
	fs.StringVar(&c.database, "database", "", "PostgreSQL URL for the started server (serve --database); empty: SQLite in a temporary directory")
	fs.StringVar(&c.serverBin, "server-bin", "", "a bankfeed binary to start; empty: build ./cmd/bankfeed")
	fs.StringVar(&c.customer, "customer", sandboxCustomer, "customerId of the requests")
	fs.DurationVar(&c.poll, "poll", 50*time.Millisecond, "interval of the clients' polls while the data is pending (202)")
	fs.BoolVar(&c.baseline, "baseline", true, "also run each workload against the baseline, for the ratio")
	fs.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile of the server over each measured window to this file (the workload's name is added when several run); starts it with --pprof on loopback")
	fs.IntVar(&c.sessions, "sessions", 100_000, "sessions the sessions workload opens and holds")
	fs.IntVar(&c.answers, "answers", 1000, "sessions the sessions workload answers, one at a time, for their latency")
	fs.StringVar(&c.scenariosOut, "scenarios-out", "", "write the scenario of -logins users into this directory and exit, to start a server for -url with --scenarios")
	fs.IntVar(&c.journalSize, "journal-size", -1, "serve --journal-size of the started server (0: the journal off); -1: the server's default")
	fs.BoolVar(&c.keep, "keep", false, "keep the temporary directory: the server's data and log")
	fs.BoolVar(&c.metrics, "metrics", false, "start the server with --metrics-addr on loopback, and scrape its /metrics every -scrape-interval while the harness runs, as Prometheus would")
	fs.DurationVar(&c.scrapeEvery, "scrape-interval", time.Second, "with -metrics, the wait between two scrapes (Prometheus' default is 1m, common settings 15s to 30s)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	for _, w := range strings.Split(*workload, ",") {
		w = strings.TrimSpace(w)
		switch {
		case w == "all":
			c.workloads = append(c.workloads, driven...)
		case w == "sessions" || slices.Contains(driven, w):
			c.workloads = append(c.workloads, w)
		default:
			return c, fmt.Errorf("-workload: unknown workload %q (cached, live, mixed, sessions, all)", w)
		}
	}
	switch {
	case c.concurrency < 1:
		return c, errors.New("-concurrency must be at least 1")
	case c.rounds < 1:
		return c, errors.New("-rounds must be at least 1")
	case c.logins < 1:
		return c, errors.New("-logins must be at least 1")
	case c.duration < 100*time.Millisecond:
		return c, errors.New("-duration must be at least 100ms")
	case c.warmup < 0:
		return c, errors.New("-warmup must not be negative")
	case c.url != "" && (c.database != "" || c.cpuProfile != "" || c.metrics):
		return c, errors.New("-database, -cpuprofile and -metrics apply to a server the harness starts, not to -url")
	case c.scrapeEvery < 10*time.Millisecond:
		return c, errors.New("-scrape-interval must be at least 10ms")
	}
	return c, nil
}

// run is the harness; main only wires it to the process.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parse(args, stderr)
	if err != nil {
		return err
	}
	progress := func(format string, args ...any) { fmt.Fprintf(stderr, "load: "+format+"\n", args...) }
	if cfg.scenariosOut != "" {
		if err := writeScenario(cfg.scenariosOut, cfg.logins); err != nil {
			return err
		}
		progress("wrote %s with %d users; start the server with --scenarios %s", filepath.Join(cfg.scenariosOut, scenarioFile), cfg.logins, cfg.scenariosOut)
		return nil
	}

	tmp, err := os.MkdirTemp("", "bankfeed-load-")
	if err != nil {
		return err
	}
	if cfg.keep {
		progress("keeping %s", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}

	target, url := "url", cfg.url
	var server *process
	if url == "" {
		if server, err = startBankfeed(ctx, cfg, tmp, progress); err != nil {
			return err
		}
		defer func() {
			if err := server.stop(); err != nil {
				progress("stopping bankfeed: %v", err)
			}
		}()
		url, target = server.url, "sqlite"
		if cfg.database != "" {
			target = "postgres"
		}
		if cfg.metrics {
			stopScraping := scrape(server.metrics, cfg.scrapeEvery)
			defer func() {
				n, failed := stopScraping()
				progress("scraped %s/metrics %d times, %d failed", server.metrics, n, failed)
			}()
		}
	}
	bankfeed := newAPI(newHTTPClient(cfg.concurrency), url, cfg.customer)

	var (
		ids      []string
		base     *process
		baseline *api
		reps     []report
	)
	if slices.ContainsFunc(cfg.workloads, func(w string) bool { return w != "sessions" }) {
		progress("provisioning %d saved logins on %s", cfg.logins, url)
		var rec recording
		if ids, rec, err = provision(ctx, bankfeed, cfg.logins, min(cfg.concurrency, 16), cfg.poll); err != nil {
			return err
		}
		if cfg.baseline {
			if base, err = startBaseline(ctx, rec, tmp); err != nil {
				return err
			}
			defer base.stop()
			baseline = newAPI(newHTTPClient(cfg.concurrency), base.url, cfg.customer)
		}
	}
	ops := workloads(ids, cfg.concurrency)
	for _, w := range cfg.workloads {
		rep := report{Workload: w, Target: target, Metrics: cfg.metrics, Concurrency: cfg.concurrency, Logins: cfg.logins}
		if w == "sessions" {
			progress("sessions: opening %d sessions with %d clients", cfg.sessions, cfg.concurrency)
			runSessions(ctx, cfg, bankfeed, server, &rep, progress)
		} else if err := runDriven(ctx, cfg, w, ops[w], bankfeed, baseline, server, base, &rep, progress); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		reps = append(reps, rep)
		if cfg.json {
			if err := writeJSON(stdout, rep); err != nil {
				return err
			}
		}
	}
	if !cfg.json {
		return writeTable(stdout, reps)
	}
	return nil
}

// runDriven runs workload w into rep: for each of cfg.rounds, a slice of
// the measured time on bankfeed then one on the baseline (when not nil),
// each after the warm-up in the first round. server and base are their
// processes, nil when unknown.
func runDriven(ctx context.Context, cfg config, w string, op opFunc, bankfeed, baseline *api, server, base *process, rep *report, progress func(string, ...any)) error {
	progress("%s: %d clients, %s warm-up, %s measured in %d rounds, on bankfeed and the baseline in turn", w, cfg.concurrency, cfg.warmup, cfg.duration, cfg.rounds)
	slice := cfg.duration / time.Duration(cfg.rounds)
	// The CPU profile runs from the first measured slice on bankfeed to
	// the end of the last: bankfeed is idle during the baseline's slices
	// (and its warm-up) in between, which add nothing to it.
	profiled := time.Duration(cfg.rounds) * slice
	if baseline != nil && cfg.rounds > 1 {
		profiled += time.Duration(cfg.rounds-1)*slice + cfg.warmup
	}
	var (
		mine, theirs result
		profile      func() error
	)
	for round := range cfg.rounds {
		// The first round warms up, and its measured slices start the
		// peaks and the profile.
		var (
			warmup               time.Duration
			measuring, baseStart func()
		)
		if round == 0 {
			warmup = cfg.warmup
			measuring = func() {
				resetPeak(server, progress)
				if cfg.cpuProfile != "" {
					profile = startProfile(server, profilePath(cfg, w), profiled)
				}
			}
			baseStart = func() { resetPeak(base, progress) }
		}
		mine.add(drive(ctx, bankfeed, cfg.poll, cfg.concurrency, warmup, slice, op, measuring))
		if baseline != nil {
			theirs.add(drive(ctx, baseline, cfg.poll, cfg.concurrency, warmup, slice, op, baseStart))
		}
	}
	mine.sort()
	rep.fill(mine)
	rep.PeakRSSBytes = peakOf(server, progress)
	reportErrors(progress, "bankfeed", mine)
	if baseline != nil {
		theirs.sort()
		rep.setBaseline(theirs, peakOf(base, progress))
		reportErrors(progress, "baseline", theirs)
	}
	if profile != nil {
		return profile()
	}
	return nil
}

// startBankfeed builds bankfeed (unless -server-bin) and starts it on a
// loopback port, with the harness's scenario and its data in tmp.
func startBankfeed(ctx context.Context, cfg config, tmp string, progress func(string, ...any)) (*process, error) {
	bin := cfg.serverBin
	if bin == "" {
		progress("building ./cmd/bankfeed")
		var err error
		if bin, err = buildBankfeed(ctx, tmp); err != nil {
			return nil, err
		}
	}
	scenarios := filepath.Join(tmp, "scenarios")
	if err := writeScenario(scenarios, cfg.logins); err != nil {
		return nil, err
	}
	args := []string{"serve", "--addr", "127.0.0.1:0", "--data", filepath.Join(tmp, "data"), "--scenarios", scenarios}
	if cfg.database != "" {
		args = append(args, "--database", cfg.database)
	}
	if cfg.cpuProfile != "" {
		args = append(args, "--pprof", "127.0.0.1:0")
	}
	if cfg.metrics {
		args = append(args, "--metrics-addr", "127.0.0.1:0")
	}
	if cfg.journalSize >= 0 {
		args = append(args, "--journal-size", strconv.Itoa(cfg.journalSize))
	}
	// Only the server's own variables are cleared: a BANKFEED_ADDR or
	// BANKFEED_DATABASE_URL of the caller's environment must not change
	// what the flags say.
	env := []string{"BANKFEED_ADDR=", "BANKFEED_DATA=", "BANKFEED_DATABASE_URL=", "BANKFEED_SCENARIOS=", "BANKFEED_PPROF=", "BANKFEED_LOG_LEVEL=",
		"BANKFEED_METRICS_ADDR=", "BANKFEED_TLS_CERT=", "BANKFEED_TLS_KEY="}
	p, err := startProcess(ctx, "bankfeed", bin, args, env, filepath.Join(tmp, "bankfeed.log"), "bankfeed listening")
	if err != nil {
		return nil, err
	}
	if cfg.cpuProfile != "" && p.pprof == "" {
		p.stop()
		return nil, errors.New("bankfeed did not log its --pprof address")
	}
	if cfg.metrics && p.metrics == "" {
		p.stop()
		return nil, errors.New("bankfeed did not log its --metrics-addr address")
	}
	progress("bankfeed pid %d listening on %s (log %s)", p.cmd.Process.Pid, p.url, p.logPath)
	return p, nil
}

// startBaseline starts the baseline: this program again, in its baseline
// role, answering from rec.
func startBaseline(ctx context.Context, rec recording, tmp string) (*process, error) {
	path := filepath.Join(tmp, "recording.gob")
	if err := rec.save(path); err != nil {
		return nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	return startProcess(ctx, "baseline", self, nil, []string{roleEnv + "=" + roleBaseline, recordingEnv + "=" + path},
		filepath.Join(tmp, "baseline.log"), "baseline listening")
}

// runSessions runs the sessions workload into rep.
func runSessions(ctx context.Context, cfg config, a *api, server *process, rep *report, progress func(string, ...any)) {
	resetPeak(server, progress)
	var held *int64
	s := holdSessions(ctx, a, cfg.logins, cfg.sessions, cfg.concurrency, cfg.answers, func() {
		if server != nil {
			if m, err := server.memory(); err == nil {
				held = &m.rss
			}
		}
		progress("sessions: holding them; answering %d, one at a time", cfg.answers)
	})
	rep.fill(s.answers)
	rep.DurationS = round(s.opening.Seconds(), 2)
	rep.ThroughputRPS = round(float64(s.sessions)/s.opening.Seconds(), 1)
	rep.Errors = s.errors
	rep.Sessions, rep.RSSBytes = &s.sessions, held
	rep.PeakRSSBytes = peakOf(server, progress)
	for _, e := range s.firstErr {
		progress("sessions: error: %s", e)
	}
}

func resetPeak(p *process, progress func(string, ...any)) {
	if p == nil {
		return
	}
	if err := p.resetPeak(); err != nil {
		progress("cannot reset the peak RSS of %s, it is the peak since start: %v", p.name, err)
	}
}

// peakOf returns the peak RSS of p, nil when unknown.
func peakOf(p *process, progress func(string, ...any)) *int64 {
	if p == nil {
		return nil
	}
	m, err := p.memory()
	if err != nil {
		progress("reading the memory of %s: %v", p.name, err)
		return nil
	}
	return &m.peak
}

func reportErrors(progress func(string, ...any), side string, r result) {
	for _, e := range r.firstErrs {
		progress("%s: error: %s", side, e)
	}
	if r.ops == 0 {
		progress("%s: no operation finished in the measured window", side)
	}
}

// profilePath is where the CPU profile of workload w goes.
func profilePath(cfg config, w string) string {
	if len(cfg.workloads) == 1 {
		return cfg.cpuProfile
	}
	ext := filepath.Ext(cfg.cpuProfile)
	return strings.TrimSuffix(cfg.cpuProfile, ext) + "-" + w + ext
}

// startProfile starts a CPU profile of the server for d, from its --pprof
// listener, into path; the function returned waits for it.
func startProfile(p *process, path string, d time.Duration) func() error {
	done := make(chan error, 1)
	go func() {
		secs := strconv.Itoa(int(math.Ceil(d.Seconds())))
		res, err := http.Get(p.pprof + "/debug/pprof/profile?seconds=" + secs)
		if err != nil {
			done <- fmt.Errorf("CPU profile: %w", err)
			return
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusOK {
			done <- fmt.Errorf("CPU profile: HTTP %d", res.StatusCode)
			return
		}
		f, err := os.Create(path)
		if err != nil {
			done <- err
			return
		}
		if _, err := io.Copy(f, res.Body); err != nil {
			f.Close()
			done <- fmt.Errorf("CPU profile: %w", err)
			return
		}
		done <- f.Close()
	}()
	return func() error { return <-done }
}
