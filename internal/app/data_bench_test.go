package app

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const accountsDetailPath = "/v3/" + customer + "/BankingServices/GetAccountsDetail"

// benchNow is the fixed clock of the data benchmarks, so the sandbox
// generates the same history on every run. It is in the past, and the
// sessions never idle on a fixed clock, so nothing expires mid-benchmark.
var benchNow = time.Date(2025, time.June, 15, 12, 0, 0, 0, time.UTC)

// benchAccounts is how many accounts the benchmarked login has: the sandbox
// generates four for FlinksCapital's Greatday.
const benchAccounts = 4

// BenchmarkAccountsDetailDays90 measures GetAccountsDetail with the default
// 90 days of transactions through the HTTP handler with the real SQLite
// store, for a login with four accounts: decode, read the session, login
// and snapshot, build the accounts, encode. Target: under 1 ms.
func BenchmarkAccountsDetailDays90(b *testing.B) {
	h, requestID := newDataStack(b)
	benchAccountsDetail(b, h, `{"RequestId":"`+requestID+`"}`)
}

// BenchmarkAccountsDetailDays365 is BenchmarkAccountsDetailDays90 with a
// year of transactions. Target: under 3 ms.
func BenchmarkAccountsDetailDays365(b *testing.B) {
	h, requestID := newDataStack(b)
	benchAccountsDetail(b, h, `{"RequestId":"`+requestID+`","DaysOfTransactions":"Days365"}`)
}

func benchAccountsDetail(b *testing.B, h http.Handler, body string) {
	b.Helper()
	var resp []byte
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, accountsDetailPath, strings.NewReader(body)))
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		resp = rec.Body.Bytes()
	}
	b.ReportMetric(float64(len(resp)), "resp-bytes")
}

// newDataStack builds the production wiring over a real SQLite store in a
// temporary directory, the sandbox bank and the job workers, on a fixed
// clock; authorizes FlinksCapital's Greatday live (answering its one
// question), waits for the fetch job to bring the data, and returns the
// handler and the authorized RequestId. It checks that the login has
// benchAccounts accounts and that Days365 lists more transactions than
// Days90.
func newDataStack(b testing.TB) (http.Handler, string) {
	b.Helper()
	h := buildStack(b, func() time.Time { return benchNow }, true)

	// A live Authorize: one question, then 200 and a fetch job.
	rec := post(h, `{"Institution":"FlinksCapital","Username":"Greatday","Password":"Everyday"}`)
	var auth struct {
		HttpStatusCode int
		RequestId      string
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &auth); err != nil || rec.Code != 203 || auth.RequestId == "" {
		b.Fatalf("authorizing Greatday: %d %s", rec.Code, rec.Body)
	}
	rec = post(h, `{"RequestId":"`+auth.RequestId+`","SecurityResponses":{"What shape do people like most?":["Triangle"]}}`)
	if rec.Code != http.StatusOK {
		b.Fatalf("answering Greatday's question: %d %s", rec.Code, rec.Body)
	}
	requestID := auth.RequestId

	// 202 OPERATION_PENDING until the workers have run the fetch.
	detail := func(body string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, accountsDetailPath, strings.NewReader(body)))
		return rec
	}
	body90 := `{"RequestId":"` + requestID + `"}`
	deadline := time.Now().Add(30 * time.Second)
	for {
		rec = detail(body90)
		if rec.Code == http.StatusOK {
			break
		}
		if rec.Code != http.StatusAccepted {
			b.Fatalf("GetAccountsDetail while fetching: %d %s", rec.Code, rec.Body)
		}
		if time.Now().After(deadline) {
			b.Fatalf("GetAccountsDetail still %d after 30s: %s", rec.Code, rec.Body)
		}
		time.Sleep(10 * time.Millisecond)
	}

	transactions := func(rec *httptest.ResponseRecorder, what string) int {
		var resp struct {
			Accounts []struct{ Transactions []json.RawMessage }
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
			b.Fatalf("%s: %v: %s", what, err, rec.Body)
		}
		if len(resp.Accounts) != benchAccounts {
			b.Fatalf("%s: %d accounts, want %d", what, len(resp.Accounts), benchAccounts)
		}
		n := 0
		for _, a := range resp.Accounts {
			n += len(a.Transactions)
		}
		return n
	}
	n90 := transactions(rec, "Days90")
	rec = detail(`{"RequestId":"` + requestID + `","DaysOfTransactions":"Days365"}`)
	if rec.Code != http.StatusOK {
		b.Fatalf("GetAccountsDetail Days365: %d %s", rec.Code, rec.Body)
	}
	if n365 := transactions(rec, "Days365"); n365 <= n90 {
		b.Fatalf("Days365 lists %d transactions, Days90 %d: want more", n365, n90)
	}
	return h, requestID
}
