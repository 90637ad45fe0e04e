package httpapi_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/connectors/sandbox"
	"github.com/bankfeed/bankfeed/internal/authorize"
	"github.com/bankfeed/bankfeed/internal/httpapi"
	"github.com/bankfeed/bankfeed/internal/jobs"
	"github.com/bankfeed/bankfeed/internal/store/sqlitestore"
	"github.com/bankfeed/bankfeed/internal/tenants"
	"github.com/bankfeed/bankfeed/internal/vault"
	"github.com/riverqueue/river/riverdriver/riversqlite"
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
// workers, the job workers of the real server, stopped at cleanup.
func buildStack(tb testing.TB, now func() time.Time, workers bool) http.Handler {
	tb.Helper()
	st, err := sqlitestore.Open(context.Background(), filepath.Join(tb.TempDir(), "bankfeed.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	key := make([]byte, vault.KeySize)
	rand.Read(key)
	v, err := vault.NewRing([][]byte{key}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	scenarios, err := sandbox.Embedded()
	if err != nil {
		tb.Fatal(err)
	}
	sb, err := sandbox.New(scenarios...)
	if err != nil {
		tb.Fatal(err)
	}
	svc, err := authorize.New(authorize.Config{Store: st, Vault: v, Connectors: []connector.Connector{sb}, Now: now})
	if err != nil {
		tb.Fatal(err)
	}
	if workers {
		runner, err := jobs.Start(context.Background(), riversqlite.New(st.WriteDB()), jobs.Config{Fetcher: svc})
		if err != nil {
			tb.Fatal(err)
		}
		// Registered after st.Close, so it runs before it.
		tb.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := runner.Stop(ctx); err != nil {
				tb.Errorf("stopping the job workers: %v", err)
			}
		})
	}
	if err := tenants.EnsureSandbox(context.Background(), st, time.Now()); err != nil {
		tb.Fatal(err)
	}
	tens := tenants.New(tenants.Config{Store: st, Sandbox: true, Now: now})
	return httpapi.New(httpapi.Deps{Authorize: svc, Logins: svc, Data: svc, Tenants: tens, Health: st})
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
