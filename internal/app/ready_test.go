package app_test

import (
	"database/sql"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/internal/app"
	"github.com/bankfeed/bankfeed/internal/store/pgstore/pgtest"
)

// readyz reads /readyz and checks that its body has the Flinks shape and
// reports the server's version.
func (s *server) readyz() rawResponse {
	s.t.Helper()
	r := s.do("GET", "/readyz", "")
	checkFlinksShape(s.t, r)
	if got, want := str(r.json, "Version"), app.Version(); got != want {
		s.t.Errorf("/readyz Version = %q, want %q", got, want)
	}
	return r
}

// check returns the outcome of one readiness check in a /readyz body.
func check(r rawResponse, name string) string { return str(r.json, "Checks", name) }

// TestReadyz checks /readyz on a server that is ready, on one without job
// workers, and through the drain of a shutdown: 503 from the moment the
// server is told to stop, while it still serves requests for the drain
// delay.
func TestReadyz(t *testing.T) {
	t.Parallel()
	// Long enough for the checks below on a loaded machine under -race.
	const drain = 6 * time.Second
	s := startServerArgs(t, "", nil, "--drain-delay", drain.String())
	r := s.readyz()
	if r.status != 200 || str(r.json, "Status") != "ready" {
		t.Fatalf("/readyz of a server started: %d %s", r.status, r.body)
	}
	for _, name := range []string{"serving", "database", "migrations", "jobs"} {
		if got := check(r, name); got != "ok" {
			t.Errorf("check %s = %q, want ok", name, got)
		}
	}

	t.Run("without job workers", func(t *testing.T) {
		t.Parallel()
		s := startServerWith(t, "", nil, []app.Option{app.WithoutJobs()})
		r := s.readyz()
		if r.status != 503 || str(r.json, "FlinksCode") != "RETRY_LATER" || check(r, "jobs") != "the job workers are not running" {
			t.Errorf("/readyz without job workers: %d %s", r.status, r.body)
		}
		if check(r, "database") != "ok" {
			t.Errorf("check database = %q, want ok", check(r, "database"))
		}
	})

	t.Run("migration missing", func(t *testing.T) {
		t.Parallel()
		s := startServer(t, "", nil)
		// As if a backup of an older version were restored under it.
		db, err := sql.Open("sqlite", "file:"+filepath.Join(s.dataDir, "bankfeed.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Exec(`DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)`); err != nil {
			t.Fatal(err)
		}
		r := s.readyz()
		if r.status != 503 || check(r, "migrations") != "not applied" || check(r, "database") != "ok" {
			t.Errorf("/readyz with a migration missing: %d %s", r.status, r.body)
		}
	})

	t.Run("drain", func(t *testing.T) {
		login := liveLogin(t, s, "greatday_nomfa").Login.Id
		stopped := time.Now()
		s.cancel()
		r := s.readyz()
		if r.status != 503 || str(r.json, "FlinksCode") != "RETRY_LATER" || check(r, "serving") != "shutting down" ||
			str(r.json, "Status") != "unavailable" {
			t.Fatalf("/readyz during the drain: %d %s", r.status, r.body)
		}
		// Still serving: the process is up, and requests are answered.
		if h := s.do("GET", "/healthz", ""); h.status != 200 {
			t.Errorf("/healthz during the drain: %d %s", h.status, h.body)
		}
		if _, err := s.client.AuthorizeCached(t.Context(), login); err != nil {
			t.Errorf("cached Authorize during the drain: %v", err)
		}
		if d := time.Since(stopped); d >= drain {
			t.Fatalf("the checks took %v, longer than the drain delay: the machine is too slow for this test", d)
		}
		s.stop()
		if d := time.Since(stopped); d < drain {
			t.Errorf("the server stopped %v after being told to, before its %v drain delay", d, drain)
		}
	})
}

// TestReadyzDatabaseOutage runs a server on PostgreSQL through the outage
// proxy: /readyz answers 503 within its timeout while the database refuses
// connections and while it stops answering, and 200 again once it is back;
// the metrics count the outage meanwhile.
func TestReadyzDatabaseOutage(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.NewDatabase(t)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := startProxy(t, u.Host)
	u.Host = proxy.ln.Addr().String()
	metricsAddr := freeAddr(t)
	s := startServerArgs(t, "", nil, "--database", u.String(), "--db-timeout", "2s", "--metrics-addr", metricsAddr)
	if r := s.readyz(); r.status != 200 {
		t.Fatalf("/readyz before the outage: %d %s", r.status, r.body)
	}
	login := liveLogin(t, s, "greatday_nomfa").Login.Id
	// Within the readiness timeout, with a margin for a loaded machine.
	const bound = 2*time.Second + time.Second
	notReady := func(phase string) {
		t.Helper()
		start := time.Now()
		r := s.readyz()
		if d := time.Since(start); d > bound {
			t.Errorf("%s: /readyz took %v, more than %v", phase, d, bound)
		}
		if r.status != 503 || str(r.json, "FlinksCode") != "RETRY_LATER" || check(r, "database") != "does not answer" ||
			check(r, "serving") != "ok" || check(r, "jobs") != "ok" {
			t.Errorf("%s: /readyz = %d %s", phase, r.status, r.body)
		}
	}
	readyAgain := func(phase string) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for {
			r := s.readyz()
			if r.status == 200 {
				t.Logf("%s: ready again %v after the database's return", phase, time.Until(deadline.Add(-15*time.Second)).Abs().Round(time.Millisecond))
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: /readyz still %d 15s after the database's return: %s", phase, r.status, r.body)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}

	proxy.set(cut)
	notReady("database cut off")
	// The metrics count the outage: the request that found the database
	// unavailable, the operation that did, and a scrape that answers
	// without the database's counts.
	if _, err := s.client.AuthorizeCached(t.Context(), login); apiErr(t, err).StatusCode != 503 {
		t.Errorf("cached Authorize during the cut: %v, want a 503", err)
	}
	m := scrapeMetrics(t, metricsAddr)
	if up, ok := m.value(t, "bankfeed_database_stats_up"); !ok || up != 0 {
		t.Errorf("bankfeed_database_stats_up during the cut = %v (%v), want 0", up, ok)
	}
	if _, ok := m.value(t, "bankfeed_sessions", "state", "authorized"); ok {
		t.Error("bankfeed_sessions reported while the database is cut off")
	}
	var unavailable float64
	for _, series := range m["bankfeed_db_unavailable_total"].GetMetric() {
		unavailable += series.GetCounter().GetValue()
	}
	if unavailable == 0 {
		t.Error("bankfeed_db_unavailable_total counts nothing during the cut")
	}
	// Counted once answered: scrape again until it is in.
	deadline := time.Now().Add(5 * time.Second)
	for {
		n, _ := m.value(t, "bankfeed_http_requests_total", "endpoint", authorizeRoute, "code", "503", "flinks_code", "RETRY_LATER")
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("503 RETRY_LATER of Authorize counted %v times, want 1", n)
			break
		}
		time.Sleep(20 * time.Millisecond)
		m = scrapeMetrics(t, metricsAddr)
	}
	proxy.set(forwarding)
	readyAgain("after the cut")

	proxy.set(stalled)
	notReady("database stalled")
	proxy.set(forwarding)
	readyAgain("after the stall")
}
