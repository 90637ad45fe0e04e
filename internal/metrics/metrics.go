// Package metrics is bankfeed's Prometheus instrumentation: the requests
// served, the fetches and refreshes, the webhook deliveries, the database's
// operations, the counts only the database knows (read at scrape time),
// and the build. Everything is registered on a registry of its own, built
// once by the composition root, and served by Handler on a listener of its
// own: nothing touches Prometheus' default registry.
//
// No label takes a value from a request: endpoints are route patterns,
// codes come from fixed tables, and ids never appear.
package metrics

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/store"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// DefaultStatsTimeout bounds the database's counts at each scrape when
// Config sets no other: a scrape must answer even when the database does
// not.
const DefaultStatsTimeout = 2 * time.Second

// Build is the build that runs, for bankfeed_build_info.
type Build struct {
	Version, Revision, GoVersion string
}

// Config is what the metrics read.
type Config struct {
	Build Build
	// Stats reads the database's counts at each scrape; nil reads none.
	Stats func(ctx context.Context) (*store.Stats, error)
	// StatsTimeout bounds Stats; DefaultStatsTimeout when zero.
	StatsTimeout time.Duration
	// SessionStates and JobKinds are reported at zero when the database
	// has none of them, so that a series does not vanish when it empties.
	SessionStates []string
	JobKinds      []string
	Logger        *slog.Logger
}

// Metrics holds bankfeed's collectors and the registry they are on. It is
// safe for concurrent use.
type Metrics struct {
	reg       *prometheus.Registry
	log       *slog.Logger
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	jobRuns   map[string]*prometheus.HistogramVec // by kind: fetch, refresh
	webhooks  *prometheus.CounterVec
	dbOps     *prometheus.HistogramVec
	dbUnavail *prometheus.CounterVec
}

// Buckets, in seconds. A sandbox request answers in well under a
// millisecond, a real bank's in seconds; a fetch or a refresh takes what the
// bank takes, up to the job timeout.
var (
	requestBuckets  = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}
	jobBuckets      = []float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120}
	databaseBuckets = []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10}
)

// New builds the collectors and registers them, with Go's runtime and the
// process's own, on a new registry.
func New(cfg Config) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(), log: cfg.Logger}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "bankfeed_http_requests_total",
		Help: "HTTP requests answered, by route pattern (endpoint), HTTP status (code) and FlinksCode of the body (empty for a success).",
	}, []string{"endpoint", "code", "flinks_code"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "bankfeed_http_request_duration_seconds",
		Help:    "Time from a request's arrival to its answer, by route pattern (endpoint).",
		Buckets: requestBuckets,
	}, []string{"endpoint"})
	m.jobRuns = map[string]*prometheus.HistogramVec{
		"fetch": prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "bankfeed_fetch_duration_seconds",
			Help:    "Attempts of the data fetch that follows a live Authorize, by outcome (stored, failed, error, skipped), and how long each took.",
			Buckets: jobBuckets,
		}, []string{"outcome"}),
		"refresh": prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "bankfeed_refresh_duration_seconds",
			Help:    "Attempts of a scheduled refresh, by outcome (stored, failed, error, skipped), and how long each took.",
			Buckets: jobBuckets,
		}, []string{"outcome"}),
	}
	m.webhooks = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "bankfeed_webhook_deliveries_total",
		Help: "Attempts of webhook deliveries, by outcome: delivered, retrying (not acknowledged, tried again later) or failed (given up).",
	}, []string{"outcome"})
	m.dbOps = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "bankfeed_db_operation_duration_seconds",
		Help:    "Operations of the store on the database, by operation (a store method; InTx and ReadTx are whole transactions).",
		Buckets: databaseBuckets,
	}, []string{"op"})
	m.dbUnavail = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "bankfeed_db_unavailable_total",
		Help: "Operations of the store that failed because the database was unavailable (unreachable, or slower than --db-timeout), by operation.",
	}, []string{"op"})
	build := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "bankfeed_build_info",
		Help: "The build that runs: always 1, with its module version, VCS revision and Go release as labels.",
	}, []string{"version", "revision", "goversion"})
	build.WithLabelValues(cfg.Build.Version, cfg.Build.Revision, cfg.Build.GoVersion).Set(1)

	m.reg.MustRegister(m.requests, m.latency, m.jobRuns["fetch"], m.jobRuns["refresh"], m.webhooks, m.dbOps, m.dbUnavail, build,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if cfg.Stats != nil {
		timeout := cfg.StatsTimeout
		if timeout <= 0 {
			timeout = DefaultStatsTimeout
		}
		m.reg.MustRegister(&statsCollector{read: cfg.Stats, timeout: timeout, states: cfg.SessionStates, kinds: cfg.JobKinds,
			log: m.log})
	}
	return m
}

// Handler serves the registry in Prometheus' text (or OpenMetrics) format.
// A collector that fails is logged and left out; the rest is served.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(m.log.Handler(), slog.LevelWarn),
		ErrorHandling: promhttp.ContinueOnError,
		Registry:      m.reg, // promhttp_metric_handler_errors_total
	})
}

// ObserveRequest counts a request and its latency (httpapi.Observer). A
// request no route matched counts under the endpoint "unmatched".
func (m *Metrics) ObserveRequest(pattern string, status int, code flinks.Code, d time.Duration) {
	if pattern == "" {
		pattern = "unmatched"
	}
	m.requests.WithLabelValues(pattern, strconv.Itoa(status), string(code)).Inc()
	m.latency.WithLabelValues(pattern).Observe(d.Seconds())
}

// ObserveJob counts an attempt of a fetch or a refresh (kind) with its
// outcome and duration (refresh.Config.Observe).
func (m *Metrics) ObserveJob(kind, outcome string, d time.Duration) {
	if h, ok := m.jobRuns[kind]; ok {
		h.WithLabelValues(outcome).Observe(d.Seconds())
	}
}

// ObserveDelivery counts an attempt of a webhook delivery by outcome
// (webhooks.Config.Observe).
func (m *Metrics) ObserveDelivery(outcome string) {
	m.webhooks.WithLabelValues(outcome).Inc()
}
