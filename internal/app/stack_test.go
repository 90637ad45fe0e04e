package app

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/internal/tenants"
)

const customer = "43387ca6-0391-4c82-857d-70d95f087ecb"

const authorizePath = "/v3/" + customer + "/BankingServices/Authorize"

// newStack builds the real HTTP surface over a real SQLite store in a
// temporary directory and the sandbox bank, on the wall clock and without
// job workers.
func newStack(tb testing.TB) http.Handler {
	return buildStack(tb, nil, false)
}

// buildStack is newStack with a clock (the wall clock when nil) and, with
// workers, the job workers of the real server, stopped at cleanup. It is
// the server's own wiring (build), without the listener.
func buildStack(tb testing.TB, now func() time.Time, workers bool) http.Handler {
	tb.Helper()
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	stk, err := build(ctx, buildConfig{storeConfig: storeConfig{dataDir: tb.TempDir(), sandbox: true}}, log, now)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := stk.close(ctx); err != nil {
			tb.Errorf("closing the stack: %v", err)
		}
	})
	if workers {
		if err := stk.startJobs(ctx); err != nil {
			tb.Fatal(err)
		}
	}
	if now == nil {
		now = time.Now
	}
	if err := tenants.EnsureSandbox(ctx, stk.store, now()); err != nil {
		tb.Fatal(err)
	}
	return stk.handler
}

// post sends body to /Authorize through h.
func post(h http.Handler, body string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, authorizePath, strings.NewReader(body)))
	return rec
}

// savedLogin authorizes greatday_nomfa with Save and returns its LoginId.
func savedLogin(tb testing.TB, h http.Handler) string {
	tb.Helper()
	rec := post(h, `{"Institution":"FlinksCapital","Username":"greatday_nomfa","Password":"Everyday","Save":true}`)
	var resp struct{ Login struct{ Id string } }
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil || rec.Code != 200 || resp.Login.Id == "" {
		tb.Fatalf("saving a login: %d %s", rec.Code, rec.Body)
	}
	return resp.Login.Id
}
