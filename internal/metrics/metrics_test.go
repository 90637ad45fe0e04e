package metrics_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/internal/metrics"
	"github.com/bankfeed/bankfeed/internal/store"
	"github.com/bankfeed/bankfeed/internal/store/sqlitestore"
	"github.com/bankfeed/bankfeed/internal/store/storetest"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
)

// scrape serves m's handler once and returns the text of the series whose
// names start with one of prefixes.
func scrape(t *testing.T, m *metrics.Metrics, prefixes ...string) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("GET /metrics: %d %s", rec.Code, rec.Body)
	}
	var out []string
	for _, line := range strings.Split(rec.Body.String(), "\n") {
		for _, p := range prefixes {
			if strings.HasPrefix(line, p) {
				out = append(out, line)
			}
		}
	}
	return strings.Join(out, "\n")
}

// TestStatsCollector checks the counts read at scrape time: zeros for the
// states and kinds named but absent, the database's values, the oldest
// wait of available jobs only; and, when the database does not answer
// within the timeout, bankfeed_database_stats_up at 0 and no counts.
func TestStatsCollector(t *testing.T) {
	t.Parallel()
	stats := &store.Stats{
		Sessions:    map[string]int64{"authorized": 3},
		SavedLogins: 7,
		Jobs: []store.JobCount{
			{Kind: "fetch", State: "available", Count: 2, OldestWait: 1500 * time.Millisecond},
			{Kind: "fetch", State: "running", Count: 1},
			{Kind: "other", State: "retryable", Count: 4},
		},
	}
	m := metrics.New(metrics.Config{
		Stats:         func(context.Context) (*store.Stats, error) { return stats, nil },
		SessionStates: []string{"challenged", "authorized"},
		JobKinds:      []string{"fetch"},
	})
	got := scrape(t, m, "bankfeed_sessions", "bankfeed_logins_saved", "bankfeed_jobs", "bankfeed_job_oldest", "bankfeed_database_stats_up")
	for _, want := range []string{
		`bankfeed_sessions{state="authorized"} 3`,
		`bankfeed_sessions{state="challenged"} 0`,
		`bankfeed_logins_saved 7`,
		`bankfeed_jobs{kind="fetch",state="available"} 2`,
		`bankfeed_jobs{kind="fetch",state="running"} 1`,
		`bankfeed_jobs{kind="fetch",state="scheduled"} 0`,
		`bankfeed_jobs{kind="fetch",state="retryable"} 0`,
		`bankfeed_jobs{kind="other",state="retryable"} 4`,
		`bankfeed_job_oldest_available_seconds{kind="fetch"} 1.5`,
		`bankfeed_job_oldest_available_seconds{kind="other"} 0`,
		`bankfeed_database_stats_up 1`,
	} {
		if !strings.Contains(got, want+"\n") && !strings.HasSuffix(got, want) {
			t.Errorf("missing %s in:\n%s", want, got)
		}
	}

	// A database that does not answer: the scrape ends at the timeout.
	slow := metrics.New(metrics.Config{
		Stats: func(ctx context.Context) (*store.Stats, error) {
			<-ctx.Done()
			return nil, fmt.Errorf("%w: %w", store.ErrUnavailable, ctx.Err())
		},
		StatsTimeout: 50 * time.Millisecond,
	})
	start := time.Now()
	got = scrape(t, slow, "bankfeed_sessions", "bankfeed_logins_saved", "bankfeed_jobs", "bankfeed_database_stats_up")
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the scrape took %v with a 50ms timeout", d)
	}
	if got != "bankfeed_database_stats_up 0" {
		t.Errorf("scrape with the database down:\n%s\nwant only bankfeed_database_stats_up 0", got)
	}
}

// TestObserve checks the counters and histograms the services feed.
func TestObserve(t *testing.T) {
	t.Parallel()
	m := metrics.New(metrics.Config{Build: metrics.Build{Version: "v1.2.3", Revision: "abc", GoVersion: "go1.26"}})
	m.ObserveRequest("POST /v3/{customerId}/BankingServices/Authorize", 203, "", 2*time.Millisecond)
	m.ObserveRequest("POST /v3/{customerId}/BankingServices/Authorize", 401, "INVALID_PASSWORD", time.Millisecond)
	m.ObserveRequest("", 404, "METHOD_NOT_AVAILABLE", time.Microsecond)
	m.ObserveJob("refresh", "stored", 3*time.Second)
	m.ObserveJob("refresh", "failed", time.Second)
	m.ObserveJob("fetch", "error", time.Second)
	m.ObserveJob("no such kind", "stored", time.Second) // ignored
	m.ObserveDelivery("retrying")
	m.ObserveDelivery("delivered")
	got := scrape(t, m, "bankfeed_http_requests_total", "bankfeed_http_request_duration_seconds_count", "bankfeed_refresh_duration_seconds_count",
		"bankfeed_fetch_duration_seconds_count", "bankfeed_webhook_deliveries_total", "bankfeed_build_info")
	want := strings.Join([]string{
		`bankfeed_build_info{goversion="go1.26",revision="abc",version="v1.2.3"} 1`,
		`bankfeed_fetch_duration_seconds_count{outcome="error"} 1`,
		`bankfeed_http_request_duration_seconds_count{endpoint="POST /v3/{customerId}/BankingServices/Authorize"} 2`,
		`bankfeed_http_request_duration_seconds_count{endpoint="unmatched"} 1`,
		`bankfeed_http_requests_total{code="203",endpoint="POST /v3/{customerId}/BankingServices/Authorize",flinks_code=""} 1`,
		`bankfeed_http_requests_total{code="401",endpoint="POST /v3/{customerId}/BankingServices/Authorize",flinks_code="INVALID_PASSWORD"} 1`,
		`bankfeed_http_requests_total{code="404",endpoint="unmatched",flinks_code="METHOD_NOT_AVAILABLE"} 1`,
		`bankfeed_refresh_duration_seconds_count{outcome="failed"} 1`,
		`bankfeed_refresh_duration_seconds_count{outcome="stored"} 1`,
		`bankfeed_webhook_deliveries_total{outcome="delivered"} 1`,
		`bankfeed_webhook_deliveries_total{outcome="retrying"} 1`,
	}, "\n")
	if got != want {
		t.Errorf("scrape:\n%s\nwant:\n%s", got, want)
	}
	// Prometheus' own linter finds nothing against the naming conventions.
	problems, err := promlint.New(strings.NewReader(scrape(t, m, ""))).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		if strings.HasPrefix(p.Metric, "bankfeed_") {
			t.Errorf("lint: %s: %s", p.Metric, p.Text)
		}
	}
}

// TestStoreConformance runs the store's conformance suite through the
// timing wrapper: it must pass every operation through unchanged.
func TestStoreConformance(t *testing.T) {
	t.Parallel()
	m := metrics.New(metrics.Config{})
	storetest.Run(t, func(t *testing.T) store.Store {
		st, err := sqlitestore.Open(t.Context(), filepath.Join(t.TempDir(), "bankfeed.db"), sqlitestore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return m.Store(st)
	})
}

// unavailable is a store whose Ping finds the database unavailable.
type unavailable struct{ store.Store }

func (unavailable) Ping(context.Context) error {
	return fmt.Errorf("%w: connection refused", store.ErrUnavailable)
}

// TestStoreTimes checks that operations are timed by name and that only
// ErrUnavailable failures are counted as such.
func TestStoreTimes(t *testing.T) {
	t.Parallel()
	m := metrics.New(metrics.Config{})
	st := m.Store(unavailable{})
	for range 3 {
		if err := st.Ping(t.Context()); !errors.Is(err, store.ErrUnavailable) {
			t.Fatalf("Ping: %v", err)
		}
	}
	got := scrape(t, m, "bankfeed_db_unavailable_total", "bankfeed_db_operation_duration_seconds_count")
	want := "bankfeed_db_operation_duration_seconds_count{op=\"Ping\"} 3\nbankfeed_db_unavailable_total{op=\"Ping\"} 3"
	if got != want {
		t.Errorf("scrape:\n%s\nwant:\n%s", got, want)
	}
}
