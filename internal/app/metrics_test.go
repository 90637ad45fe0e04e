package app_test

import (
	"context"
	"net"
	"net/http"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/flinks"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// freeAddr returns a loopback address free a moment ago: the server cannot
// report the address of a second listener through WithReady.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// scrape is one scrape of /metrics, parsed with Prometheus' own parser
// under the strict naming rules.
type scrape map[string]*dto.MetricFamily

func scrapeMetrics(t *testing.T, addr string) scrape {
	t.Helper()
	res, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("GET /metrics: %d", res.StatusCode)
	}
	parser := expfmt.NewTextParser(model.LegacyValidation)
	families, err := parser.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return families
}

// value returns the value of the series of name whose labels include
// labels (name=value pairs), and whether there is one: a counter's or
// gauge's value, or a histogram's count. It fails the test if several
// series match.
func (s scrape) value(t *testing.T, name string, labels ...string) (float64, bool) {
	t.Helper()
	mf, ok := s[name]
	if !ok {
		return 0, false
	}
	var found []float64
	for _, m := range mf.Metric {
		have := map[string]string{}
		for _, l := range m.Label {
			have[l.GetName()] = l.GetValue()
		}
		match := true
		for i := 0; i+1 < len(labels); i += 2 {
			if have[labels[i]] != labels[i+1] {
				match = false
			}
		}
		if !match {
			continue
		}
		switch {
		case m.Counter != nil:
			found = append(found, m.Counter.GetValue())
		case m.Gauge != nil:
			found = append(found, m.Gauge.GetValue())
		case m.Histogram != nil:
			found = append(found, float64(m.Histogram.GetSampleCount()))
		}
	}
	if len(found) > 1 {
		t.Fatalf("%s%v: %d series match", name, labels, len(found))
	}
	if len(found) == 0 {
		return 0, false
	}
	return found[0], true
}

// labelValues returns the values label takes across the series of name.
func (s scrape) labelValues(name, label string) []string {
	seen := map[string]bool{}
	if mf, ok := s[name]; ok {
		for _, m := range mf.Metric {
			for _, l := range m.Label {
				if l.GetName() == label {
					seen[l.GetValue()] = true
				}
			}
		}
	}
	out := make([]string, 0, len(seen))
	for v := range seen {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

const authorizeRoute = "POST /v3/{customerId}/BankingServices/Authorize"

// TestMetrics runs a scripted session against a server with
// --metrics-addr: a live login with MFA, the webhook deliveries of its
// fetch, a data call, a wrong password, a conversation left at its
// question and an unknown path; then scrapes
// /metrics and checks each series with the value the session gives it.
func TestMetrics(t *testing.T) {
	t.Parallel()
	metricsAddr := freeAddr(t)
	rcv := newReceiver(t, hookSecret, 0)
	s := startServerArgs(t, "", nil, "--metrics-addr", metricsAddr, "--refresh-at", "off",
		"--sandbox-webhook-url", rcv.url(), "--sandbox-webhook-secret", hookSecret)
	ctx := context.Background()

	// The scripted session.
	resp, err := s.client.AuthorizeWithMFA(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "Greatday",
		Password: "Everyday", Save: true}, answerSandbox)
	if err != nil {
		t.Fatal(err)
	}
	// Both deliveries follow the fetch: once received, the data is stored.
	rcv.waitFor(2, 30*time.Second)
	if _, err := s.client.AccountsDetail(ctx, flinks.DataRequest{RequestId: resp.RequestId}); err != nil {
		t.Fatalf("GetAccountsDetail after the fetch: %v", err)
	}
	_, err = s.client.Authorize(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "greatday_nomfa",
		Password: "wrong"})
	if e := apiErr(t, err); e.StatusCode != 401 {
		t.Fatalf("wrong password: %v", err)
	}
	// A conversation left at its question.
	if open, err := s.client.Authorize(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "Greatday",
		Password: "Everyday"}); err != nil || open.HttpStatusCode != 203 {
		t.Fatalf("second Authorize: %+v, %v; want a 203", open, err)
	}
	if r := s.doBad("GET", "/no/such/path", "", nil); r.status != 404 {
		t.Fatalf("unknown path: %d", r.status)
	}

	// A request is counted once answered, a delivery once recorded, and
	// the jobs engine records a job's completion a moment after it ran:
	// scrape until the last of each is in.
	var m scrape
	deadline := time.Now().Add(10 * time.Second)
	for {
		m = scrapeMetrics(t, metricsAddr)
		_, unmatched := m.value(t, "bankfeed_http_requests_total", "endpoint", "unmatched")
		delivered, _ := m.value(t, "bankfeed_webhook_deliveries_total", "outcome", "delivered")
		running, _ := m.value(t, "bankfeed_jobs", "kind", "fetch", "state", "running")
		if unmatched && delivered == 2 && running == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the session's last request, its deliveries or its fetch's completion are not counted after 10s")
		}
		time.Sleep(20 * time.Millisecond)
	}

	info, _ := debug.ReadBuildInfo()
	version := info.Main.Version
	if version == "" {
		version = "(devel)"
	}
	want := []struct {
		name   string
		labels []string
		value  float64
	}{
		// The MFA conversation: a 203, then the 200 of the answer; the
		// wrong password's 401 with its FlinksCode; the second
		// conversation's 203.
		{"bankfeed_http_requests_total", []string{"endpoint", authorizeRoute, "code", "203", "flinks_code", ""}, 2},
		{"bankfeed_http_requests_total", []string{"endpoint", authorizeRoute, "code", "200", "flinks_code", ""}, 1},
		{"bankfeed_http_requests_total", []string{"endpoint", authorizeRoute, "code", "401", "flinks_code", "INVALID_PASSWORD"}, 1},
		{"bankfeed_http_request_duration_seconds", []string{"endpoint", authorizeRoute}, 4},
		{"bankfeed_http_requests_total", []string{"endpoint", "POST /v3/{customerId}/BankingServices/GetAccountsDetail", "code", "200"}, 1},
		{"bankfeed_http_requests_total", []string{"endpoint", "unmatched", "code", "404", "flinks_code", "METHOD_NOT_AVAILABLE"}, 1},
		// One fetch, stored; both deliveries acknowledged at once.
		{"bankfeed_fetch_duration_seconds", []string{"outcome", "stored"}, 1},
		{"bankfeed_webhook_deliveries_total", []string{"outcome", "delivered"}, 2},
		// Read from the database at the scrape: the first conversation
		// authorized, the second at its question (a wrong password makes
		// no session); one login saved; no fetch or delivery left to do.
		{"bankfeed_database_stats_up", nil, 1},
		{"bankfeed_sessions", []string{"state", "authorized"}, 1},
		{"bankfeed_sessions", []string{"state", "challenged"}, 1},
		{"bankfeed_sessions", []string{"state", "failed"}, 0},
		{"bankfeed_sessions", []string{"state", "answering"}, 0},
		{"bankfeed_logins_saved", nil, 1},
		{"bankfeed_jobs", []string{"kind", "fetch", "state", "available"}, 0},
		{"bankfeed_jobs", []string{"kind", "fetch", "state", "running"}, 0},
		{"bankfeed_jobs", []string{"kind", "webhook", "state", "available"}, 0},
		{"bankfeed_job_oldest_available_seconds", []string{"kind", "fetch"}, 0},
		{"bankfeed_build_info", []string{"version", version, "goversion", runtime.Version()}, 1},
	}
	for _, w := range want {
		got, ok := m.value(t, w.name, w.labels...)
		if !ok {
			t.Errorf("%s%q: no series", w.name, w.labels)
			continue
		}
		if got != w.value {
			t.Errorf("%s%q = %v, want %v", w.name, w.labels, got, w.value)
		}
	}
	// The database's operations are timed by store method, and none found
	// it unavailable.
	for _, op := range []string{"InTx", "ReadTx", "Session"} {
		if n, ok := m.value(t, "bankfeed_db_operation_duration_seconds", "op", op); !ok || n == 0 {
			t.Errorf("bankfeed_db_operation_duration_seconds{op=%q}: %v operations", op, n)
		}
	}
	if fam, ok := m["bankfeed_db_unavailable_total"]; ok && len(fam.Metric) > 0 {
		t.Errorf("bankfeed_db_unavailable_total has series with no outage: %v", fam.Metric)
	}
	// No label takes an id: every endpoint is a route pattern, and nothing
	// carries the customer's, the login's or the request's id.
	for _, e := range m.labelValues("bankfeed_http_requests_total", "endpoint") {
		if e != "unmatched" && !strings.Contains(e, "{") && e != "GET /readyz" && e != "GET /healthz" {
			t.Errorf("endpoint label %q is not a route pattern", e)
		}
	}
	for name, fam := range m {
		for _, series := range fam.Metric {
			for _, l := range series.Label {
				for _, id := range []string{sandboxCustomer, resp.RequestId, resp.Login.Id} {
					if strings.Contains(l.GetValue(), id) {
						t.Errorf("%s has label %s=%q, an id", name, l.GetName(), l.GetValue())
					}
				}
			}
		}
	}

	// Only /metrics is served on the metrics address, and the API's
	// listener serves no metrics.
	if r := s.doBad("GET", "/metrics", "", nil); r.status != 404 {
		t.Errorf("GET /metrics on the API: %d, want 404", r.status)
	}
}

// TestMetricsOff checks that a server started without --metrics-addr
// serves no metrics.
func TestMetricsOff(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	if r := s.doBad("GET", "/metrics", "", nil); r.status != 404 {
		t.Errorf("GET /metrics on the API: %d, want 404", r.status)
	}
}
