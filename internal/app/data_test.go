package app_test

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/client"
	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/app"
	"github.com/bankfeed/bankfeed/internal/openapitest"
	"github.com/bankfeed/bankfeed/internal/statement"

	_ "modernc.org/sqlite" // to look into the database file directly
)

// fastPoll polls the *Async endpoints quickly: the sandbox's fetches take
// milliseconds, or the few seconds of test_pending.
var fastPoll = []client.PollOption{client.PollInterval(20 * time.Millisecond), client.PollDeadline(30 * time.Second)}

// liveLogin authorizes a FlinksCapital user live with Save and returns the
// 200.
func liveLogin(t *testing.T, s *server, username string) *flinks.AuthorizeResponse {
	t.Helper()
	resp, err := s.client.AuthorizeWithMFA(context.Background(), flinks.AuthorizeRequest{
		Institution: "FlinksCapital", Username: username, Password: "Everyday", Save: true,
	}, answerSandbox)
	if err != nil {
		t.Fatalf("Authorize %s: %v", username, err)
	}
	return resp
}

// detail calls GetAccountsDetail and polls until the data is ready.
func detail(t *testing.T, s *server, req flinks.DataRequest) *flinks.AccountsDetailResponse {
	t.Helper()
	resp, err := s.client.AccountsDetailReady(context.Background(), req, fastPoll...)
	if err != nil {
		t.Fatalf("GetAccountsDetail %+v: %v", req, err)
	}
	return resp
}

func yes() *flinks.Bool { v := flinks.Bool(true); return &v }
func no() *flinks.Bool  { v := flinks.Bool(false); return &v }

// checkBalances checks that every account's running balances add up to the
// cent, newest first, and that the current balance is the newest
// transaction's.
func checkBalances(t *testing.T, accounts []flinks.AccountDetail) {
	t.Helper()
	for _, a := range accounts {
		txs := a.Transactions
		for i, tx := range txs {
			if (tx.Debit == nil) == (tx.Credit == nil) {
				t.Errorf("%s: transaction %s has Debit %v and Credit %v; want exactly one", a.Title, tx.Id, tx.Debit, tx.Credit)
			}
			if i > 0 && tx.Date > txs[i-1].Date {
				t.Errorf("%s: transaction %s (%s) listed after a older one (%s)", a.Title, tx.Id, tx.Date, txs[i-1].Date)
			}
			if i+1 < len(txs) {
				want := *txs[i+1].Balance + value(tx.Credit) - value(tx.Debit)
				if *tx.Balance != want {
					t.Errorf("%s: transaction %s balance %v, want %v (previous %v + credit %v - debit %v)",
						a.Title, tx.Id, *tx.Balance, want, *txs[i+1].Balance, value(tx.Credit), value(tx.Debit))
				}
			}
		}
		if len(txs) > 0 && a.Balance.Current != nil && *a.Balance.Current != *txs[0].Balance {
			t.Errorf("%s: current balance %v, newest transaction's %v", a.Title, *a.Balance.Current, *txs[0].Balance)
		}
	}
}

func value(m *flinks.Money) flinks.Money {
	if m == nil {
		return 0
	}
	return *m
}

func TestAccountsDetailOptions(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	ctx := context.Background()
	auth := liveLogin(t, s, "Greatday")
	rid := auth.RequestId
	today := s.clock.Now().UTC().Format("2006-01-02")

	full := detail(t, s, flinks.DataRequest{RequestId: rid})
	if full.HttpStatusCode != 200 || full.RequestId != rid || full.Institution != "FlinksCapital" || full.InstitutionId != 14 ||
		full.Login == nil || full.Login.Id != auth.Login.Id {
		t.Fatalf("envelope: %+v", full)
	}
	if n := len(full.Accounts); n < 2 || n > 5 {
		t.Fatalf("%d accounts, want 2 to 5", n)
	}
	checkBalances(t, full.Accounts)
	oldest90 := s.clock.Now().UTC().AddDate(0, 0, -89).Format("2006-01-02")
	for _, a := range full.Accounts {
		if a.Holder == nil || a.Holder.Name == nil || a.TransitNumber == nil || a.AccountNumber == nil || a.Balance.Current == nil {
			t.Errorf("%s: defaults omit holder, numbers or balance: %+v", a.Title, a)
		}
		for _, tx := range a.Transactions {
			if tx.Date < oldest90 || tx.Date > today {
				t.Errorf("%s: Days90 transaction on %s, outside %s..%s", a.Title, tx.Date, oldest90, today)
			}
		}
	}

	year := detail(t, s, flinks.DataRequest{RequestId: rid, DaysOfTransactions: "Days365"})
	checkBalances(t, year.Accounts)
	same := detail(t, s, flinks.DataRequest{RequestId: rid, DaysOfTransactions: "Days360"})
	if !jsonEqual(t, year, same) {
		t.Error("Days360 does not read as Days365")
	}
	count := func(r *flinks.AccountsDetailResponse) (n int) {
		for _, a := range r.Accounts {
			n += len(a.Transactions)
		}
		return n
	}
	if count(year) <= count(full) {
		t.Errorf("Days365 returns %d transactions, Days90 %d", count(year), count(full))
	}
	oldest365 := s.clock.Now().UTC().AddDate(0, 0, -364).Format("2006-01-02")
	for _, a := range year.Accounts {
		if n := len(a.Transactions); n > 0 && a.Transactions[n-1].Date < oldest365 {
			t.Errorf("%s: Days365 goes back to %s, before %s", a.Title, a.Transactions[n-1].Date, oldest365)
		}
	}

	t.Run("With flags false", func(t *testing.T) {
		r := detail(t, s, flinks.DataRequest{RequestId: rid, WithAccountIdentity: no(), WithKYC: no(), WithTransactions: no(), WithBalance: no()})
		for _, a := range r.Accounts {
			if a.Transactions == nil || len(a.Transactions) != 0 {
				t.Errorf("%s: Transactions %v, want []", a.Title, a.Transactions)
			}
			if a.TransitNumber != nil || a.InstitutionNumber != nil || a.AccountNumber != nil {
				t.Errorf("%s: account identity present with WithAccountIdentity false", a.Title)
			}
			if a.Holder != nil {
				t.Errorf("%s: Holder present with WithKYC false", a.Title)
			}
			if a.Balance.Current != nil || a.Balance.Available != nil || a.Balance.Limit != nil {
				t.Errorf("%s: balances present with WithBalance false", a.Title)
			}
		}
		raw := s.post("GetAccountsDetail", `{"RequestId":"`+rid+`","WithTransactions":false,"WithKYC":false}`)
		if !strings.Contains(string(raw.body), `"Transactions":[]`) || !strings.Contains(string(raw.body), `"Holder":null`) {
			t.Errorf("wire form of empty transactions or null holder: %.300s", raw.body)
		}
	})

	t.Run("AccountsFilter", func(t *testing.T) {
		want := full.Accounts[1]
		r := detail(t, s, flinks.DataRequest{RequestId: rid, AccountsFilter: []string{want.Id, "not-an-account"}})
		if len(r.Accounts) != 1 || r.Accounts[0].Id != want.Id || !jsonEqual(t, r.Accounts[0], want) {
			t.Errorf("AccountsFilter returned %d accounts, want only %s as unfiltered", len(r.Accounts), want.Id)
		}
	})

	t.Run("DateFrom and DateTo", func(t *testing.T) {
		from := s.clock.Now().UTC().AddDate(0, 0, -40).Format("2006-01-02")
		to := s.clock.Now().UTC().AddDate(0, 0, -20).Format("2006-01-02")
		r := detail(t, s, flinks.DataRequest{RequestId: rid, DateFrom: from, DateTo: to})
		for i, a := range r.Accounts {
			var want []flinks.Transaction
			for _, tx := range full.Accounts[i].Transactions {
				if tx.Date >= from && tx.Date <= to {
					want = append(want, tx)
				}
			}
			if !jsonEqual(t, append([]flinks.Transaction{}, a.Transactions...), append([]flinks.Transaction{}, want...)) {
				t.Errorf("%s: %d transactions between %s and %s, want %d", a.Title, len(a.Transactions), from, to, len(want))
			}
		}
	})

	t.Run("RefreshDelta", func(t *testing.T) {
		a := full.Accounts[0]
		if len(a.Transactions) < 5 {
			t.Skipf("%s has %d transactions", a.Title, len(a.Transactions))
		}
		held := a.Transactions[4]
		r := detail(t, s, flinks.DataRequest{RequestId: rid, RefreshDelta: []flinks.RefreshDelta{{AccountId: a.Id, TransactionId: held.Id}}})
		if !jsonEqual(t, r.Accounts[0].Transactions, a.Transactions[:4]) {
			t.Errorf("RefreshDelta after the 5th newest returned %d transactions, want the 4 newer", len(r.Accounts[0].Transactions))
		}
		if !jsonEqual(t, r.Accounts[1], full.Accounts[1]) {
			t.Error("RefreshDelta changed an account it does not name")
		}
	})

	t.Run("invalid options", func(t *testing.T) {
		// Values the OpenAPI document already rules out: sent on purpose,
		// only the answers are validated against it.
		for _, body := range []string{
			`{"RequestId":"` + rid + `","DaysOfTransactions":"Days30"}`,
			`{"RequestId":"` + rid + `","DateFrom":"01/02/2026"}`,
			`{"RequestId":"` + rid + `","WithTransactions":"maybe"}`,
		} {
			r := s.postBad("GetAccountsDetail", body)
			wantRawError(t, r, http.StatusBadRequest, flinks.CodeInvalidRequest)
		}
		for _, body := range []string{
			`{"RequestId":"` + rid + `","RefreshDelta":[{"AccountId":""}]}`,
			`{"WithBalance":true}`,
		} {
			r := s.post("GetAccountsDetail", body)
			wantRawError(t, r, http.StatusBadRequest, flinks.CodeInvalidRequest)
		}
	})

	t.Run("summary", func(t *testing.T) {
		sum, err := s.client.AccountsSummaryReady(ctx, flinks.DataRequest{RequestId: rid}, fastPoll...)
		if err != nil {
			t.Fatal(err)
		}
		if len(sum.Accounts) != len(full.Accounts) || len(sum.Links) == 0 {
			t.Fatalf("summary: %+v", sum)
		}
		for i, a := range sum.Accounts {
			d := full.Accounts[i]
			if a.Id != d.Id || a.Title != d.Title || !jsonEqual(t, a.Balance, d.Balance) || !jsonEqual(t, a.Holder, d.Holder) {
				t.Errorf("summary account %d differs from detail: %+v vs %+v", i, a, d)
			}
		}
		noBal, err := s.client.AccountsSummary(ctx, flinks.DataRequest{RequestId: rid, WithBalance: no()})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range noBal.Accounts {
			if a.Balance.Current != nil || a.Balance.Available != nil {
				t.Errorf("summary with WithBalance false shows balances: %+v", a.Balance)
			}
		}
	})
}

// jsonEqual compares two values by their JSON.
func jsonEqual(t *testing.T, a, b any) bool {
	t.Helper()
	return mustJSON(t, a) == mustJSON(t, b)
}

func TestBalancesAddUpForManyLogins(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	// Every FlinksCapital user that logs in without a person, each with
	// its own generated history.
	for _, user := range []string{"greatday_nomfa", "Greatday", "greatday_allquestions", "greatday_rotating"} {
		auth := liveLogin(t, s, user)
		r := detail(t, s, flinks.DataRequest{RequestId: auth.RequestId, DaysOfTransactions: "Days365"})
		checkBalances(t, r.Accounts)
		for _, a := range r.Accounts {
			if a.Currency != "CAD" || a.Category == "" || a.Type == "" {
				t.Errorf("%s/%s: %+v", user, a.Title, a)
			}
		}
	}
}

func TestAsyncPolling(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	ctx := context.Background()

	t.Run("test_pending", func(t *testing.T) {
		auth := liveLogin(t, s, "test_pending")
		rid := auth.RequestId
		opts := flinks.DataRequest{RequestId: rid, WithTransactions: no(), DaysOfTransactions: "Days365"}
		_, err := s.client.AccountsDetail(ctx, opts)
		e := apiErr(t, err)
		if e.StatusCode != 202 || e.Body.FlinksCode != flinks.CodeOperationPending || e.Body.RequestId != rid ||
			e.Body.Message == "" || len(e.Body.Links) != 1 || e.Body.Links[0].Href != "/GetAccountsDetailAsync/"+rid {
			t.Fatalf("first call: %d %+v", e.StatusCode, e.Body)
		}
		// The Async GET carries no options: it continues the call above.
		var async *flinks.AccountsDetailResponse
		polls := 0
		for {
			async, err = s.client.AccountsDetailAsync(ctx, rid)
			if !client.Pending(err) {
				break
			}
			polls++
			time.Sleep(50 * time.Millisecond)
		}
		if err != nil {
			t.Fatal(err)
		}
		if polls == 0 {
			t.Error("test_pending's data was ready at the first poll")
		}
		direct, err := s.client.AccountsDetail(ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		if !jsonEqual(t, async, direct) {
			t.Error("the Async 200 differs from the direct 200 with the same options")
		}
		for _, a := range async.Accounts {
			if len(a.Transactions) != 0 {
				t.Errorf("the Async 200 ignored the first call's WithTransactions false")
			}
		}
	})

	t.Run("test_dispatched", func(t *testing.T) {
		auth := liveLogin(t, s, "test_dispatched")
		_, err := s.client.AccountsSummary(ctx, flinks.DataRequest{RequestId: auth.RequestId})
		if e := apiErr(t, err); e.StatusCode != 202 || e.Body.FlinksCode != flinks.CodeOperationDispatched {
			t.Fatalf("first call: %d %+v", e.StatusCode, e.Body)
		}
		_, err = s.client.AccountsSummaryAsync(ctx, auth.RequestId)
		if e := apiErr(t, err); e.StatusCode != 202 || e.Body.FlinksCode != flinks.CodeOperationPending {
			t.Fatalf("Async call: %d %+v", e.StatusCode, e.Body)
		}
		sum, err := s.client.AccountsSummaryReady(ctx, flinks.DataRequest{RequestId: auth.RequestId}, fastPoll...)
		if err != nil || len(sum.Accounts) == 0 {
			t.Fatalf("after polling: %v %+v", err, sum)
		}
	})

	t.Run("cached session answers at once", func(t *testing.T) {
		auth := liveLogin(t, s, "greatday_nomfa")
		live := detail(t, s, flinks.DataRequest{RequestId: auth.RequestId})
		cached, err := s.client.AuthorizeCached(ctx, auth.Login.Id)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.client.AccountsDetail(ctx, flinks.DataRequest{RequestId: cached.RequestId})
		if err != nil {
			t.Fatalf("cached session: %v, want 200 at once", err)
		}
		if !jsonEqual(t, got.Accounts, live.Accounts) {
			t.Error("the cached session's data differs from the live one's")
		}
	})

	t.Run("POST Async with options", func(t *testing.T) {
		auth := liveLogin(t, s, "greatday_nomfa")
		detail(t, s, flinks.DataRequest{RequestId: auth.RequestId})
		r := s.post("GetAccountsDetailAsync/"+auth.RequestId, `{"WithKYC":false}`)
		if r.status != 200 || !strings.Contains(string(r.body), `"Holder":null`) {
			t.Errorf("POST Async with WithKYC false: %d %.200s", r.status, r.body)
		}
	})
}

func TestDataErrors(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	ctx := context.Background()

	_, err := s.client.AccountsDetail(ctx, flinks.DataRequest{RequestId: "b8a0c6c5-0000-4000-8000-000000000000"})
	if e := apiErr(t, err); e.StatusCode != 400 || e.Body.FlinksCode != flinks.CodeSessionNonexistent {
		t.Errorf("unknown RequestId: %d %+v", e.StatusCode, e.Body)
	}
	_, err = s.client.StatementsAsync(ctx, "b8a0c6c5-0000-4000-8000-000000000000")
	if e := apiErr(t, err); e.Body.FlinksCode != flinks.CodeSessionNonexistent {
		t.Errorf("unknown RequestId on Async: %+v", e.Body)
	}

	// A session still answering its security questions.
	open, err := s.client.Authorize(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "Greatday", Password: "Everyday"})
	if err != nil || open.HttpStatusCode != 203 {
		t.Fatalf("Authorize: %v %+v", err, open)
	}
	_, err = s.client.AccountsSummary(ctx, flinks.DataRequest{RequestId: open.RequestId})
	if e := apiErr(t, err); e.StatusCode != 401 || e.Body.FlinksCode != flinks.CodeUnauthorized || e.Body.RequestId != open.RequestId {
		t.Errorf("session answering MFA: %d %+v", e.StatusCode, e.Body)
	}

	// Another customer's RequestId is unknown, byte for byte.
	auth := liveLogin(t, s, "greatday_nomfa")
	detail(t, s, flinks.DataRequest{RequestId: auth.RequestId})
	other := s.clientFor("11111111-2222-4333-8444-555555555555")
	_, err = other.AccountsDetail(ctx, flinks.DataRequest{RequestId: auth.RequestId})
	_, err2 := other.AccountsDetail(ctx, flinks.DataRequest{RequestId: "b8a0c6c5-0000-4000-8000-000000000000"})
	if e, e2 := apiErr(t, err), apiErr(t, err2); e.StatusCode != e2.StatusCode || e.Body.Message != e2.Body.Message || e.Body.FlinksCode != e2.Body.FlinksCode {
		t.Errorf("a foreign RequestId answers %+v, an unknown one %+v", e.Body, e2.Body)
	}

	// An authorized RequestId expires after 30 minutes.
	s.clock.Advance(31 * time.Minute)
	_, err = s.client.AccountsDetail(ctx, flinks.DataRequest{RequestId: auth.RequestId})
	if e := apiErr(t, err); e.StatusCode != 400 || e.Body.FlinksCode != flinks.CodeSessionNonexistent || !strings.Contains(e.Body.Message, "expired") {
		t.Errorf("expired RequestId: %d %+v", e.StatusCode, e.Body)
	}
}

func TestRefreshAddsTransactions(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	ctx := context.Background()
	auth := liveLogin(t, s, "greatday_nomfa")
	before := detail(t, s, flinks.DataRequest{RequestId: auth.RequestId})

	s.clock.Advance(10 * 24 * time.Hour)
	again, err := s.client.AuthorizeLive(ctx, auth.Login.Id, true)
	if err != nil {
		t.Fatal(err)
	}
	after := detail(t, s, flinks.DataRequest{RequestId: again.RequestId, DaysOfTransactions: "Days365"})
	checkBalances(t, after.Accounts)
	for i, a := range before.Accounts {
		byID := map[string]flinks.Transaction{}
		for _, tx := range after.Accounts[i].Transactions {
			byID[tx.Id] = tx
		}
		for _, tx := range a.Transactions {
			got, ok := byID[tx.Id]
			if !ok {
				t.Errorf("%s: transaction %s of %s is gone after the refresh", a.Title, tx.Id, tx.Date)
				continue
			}
			if !jsonEqual(t, got, tx) {
				t.Errorf("%s: transaction %s changed: %+v, was %+v", a.Title, tx.Id, got, tx)
			}
		}
	}
	newest := func(r *flinks.AccountsDetailResponse) string { return r.Accounts[0].Transactions[0].Date }
	if newest(after) <= newest(before) {
		t.Errorf("newest transaction %s after 10 days, %s before", newest(after), newest(before))
	}
}

func TestFetchSurvivesRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	clk := newClock()
	// A server whose workers never run: the fetch job is inserted with the
	// session, and waits.
	s := startServerWith(t, dir, clk, []app.Option{app.WithoutJobs()})
	auth := liveLogin(t, s, "greatday_nomfa")
	_, err := s.client.AccountsDetail(context.Background(), flinks.DataRequest{RequestId: auth.RequestId})
	if e := apiErr(t, err); e.StatusCode != 202 {
		t.Fatalf("before the restart: %d %+v", e.StatusCode, e.Body)
	}
	s.stop()

	s2 := startServer(t, dir, clk)
	r := detail(t, s2, flinks.DataRequest{RequestId: auth.RequestId})
	if len(r.Accounts) == 0 {
		t.Fatal("no accounts after the restart")
	}
}

func TestStatements(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	ctx := context.Background()
	auth := liveLogin(t, s, "greatday_nomfa")
	year := detail(t, s, flinks.DataRequest{RequestId: auth.RequestId, DaysOfTransactions: "Days365"})

	for _, tc := range []struct {
		n    string
		want int
	}{{"", 1}, {"MostRecent", 1}, {"Months3", 3}, {"Months12", 12}} {
		r, err := s.client.StatementsReady(ctx, flinks.DataRequest{RequestId: auth.RequestId, NumberOfStatements: tc.n}, fastPoll...)
		if err != nil {
			t.Fatalf("%q: %v", tc.n, err)
		}
		if len(r.StatementsByAccount) != len(year.Accounts) {
			t.Fatalf("%q: statements of %d accounts, want %d", tc.n, len(r.StatementsByAccount), len(year.Accounts))
		}
		for i, by := range r.StatementsByAccount {
			if by.AccountNumber != *year.Accounts[i].AccountNumber || len(by.Statements) != tc.want {
				t.Errorf("%q: account %s has %d statements, want %d", tc.n, by.AccountNumber, len(by.Statements), tc.want)
			}
			months := statement.Months(s.clock.Now(), tc.want)
			for j, st := range by.Statements {
				if st.FileType != "PDF" || st.UniqueId != statement.UniqueID(year.Accounts[i].Id, months[j]) {
					t.Errorf("%q: statement %+v", tc.n, st.UniqueId)
				}
			}
		}
	}
	// A value the OpenAPI document rules out, sent on purpose.
	_, err := s.client.Statements(openapitest.BadInput(ctx), flinks.DataRequest{RequestId: auth.RequestId, NumberOfStatements: "Months6"})
	if e := apiErr(t, err); e.Body.FlinksCode != flinks.CodeInvalidRequest {
		t.Errorf("Months6: %+v", e.Body)
	}

	// The most recent statement of the chequing account, read back with a
	// real PDF reader, shows the month's transactions of GetAccountsDetail
	// and its closing balance, to the cent.
	pdftotext, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext is required under CI=true (Debian package poppler-utils)")
		}
		t.Skip("pdftotext not installed (Debian package poppler-utils); skipping the PDF text check")
	}
	r, err := s.client.Statements(ctx, flinks.DataRequest{RequestId: auth.RequestId, AccountsFilter: []string{year.Accounts[0].Id}})
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := base64.StdEncoding.DecodeString(r.StatementsByAccount[0].Statements[0].Base64Bytes)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "statement.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(pdftotext, "-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := strings.Join(strings.Fields(string(out)), " ")
	month := statement.Months(s.clock.Now(), 1)[0].Format("2006-01")
	var inMonth []flinks.Transaction
	for _, tx := range year.Accounts[0].Transactions {
		if strings.HasPrefix(tx.Date, month) {
			inMonth = append(inMonth, tx)
		}
	}
	if len(inMonth) == 0 {
		t.Fatalf("no transactions in %s to check", month)
	}
	for _, tx := range inMonth {
		amount := statement.FormatAmount(connector.Cents(value(tx.Debit) + value(tx.Credit)))
		if !strings.Contains(text, amount) || !strings.Contains(text, strings.Join(strings.Fields(tx.Description), " ")) {
			t.Errorf("the statement of %s lacks %s %s %s", month, tx.Date, tx.Description, amount)
		}
	}
	closing := statement.FormatAmount(connector.Cents(*inMonth[0].Balance))
	if !strings.Contains(text, closing) {
		t.Errorf("the statement of %s lacks the closing balance %s", month, closing)
	}
}

func TestDeleteCard(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	ctx := context.Background()

	// CARD_IN_USE while the fetch runs (test_pending takes seconds).
	pending := liveLogin(t, s, "test_pending")
	_, err := s.client.DeleteCard(ctx, pending.Login.Id)
	if e := apiErr(t, err); e.StatusCode != 400 || e.Body.FlinksCode != flinks.CodeCardInUse {
		t.Errorf("DeleteCard during the fetch: %d %+v", e.StatusCode, e.Body)
	}

	auth := liveLogin(t, s, "Greatday")
	detail(t, s, flinks.DataRequest{RequestId: auth.RequestId})
	cached, err := s.client.AuthorizeCached(ctx, auth.Login.Id)
	if err != nil {
		t.Fatal(err)
	}
	// A live reopen left waiting on a question holds a session too.
	ids := []string{auth.Login.Id, auth.RequestId, cached.RequestId}
	if _, err := s.client.Statements(ctx, flinks.DataRequest{RequestId: cached.RequestId}); err != nil {
		t.Fatal(err)
	}

	msg, err := s.client.DeleteCard(ctx, auth.Login.Id)
	if err != nil {
		t.Fatal(err)
	}
	if want := "All of the information about LoginId " + auth.Login.Id + " has been removed"; msg != want {
		t.Errorf("message %q, want %q", msg, want)
	}
	_, err = s.client.AuthorizeCached(ctx, auth.Login.Id)
	if e := apiErr(t, err); e.Body.FlinksCode != flinks.CodeInvalidLogin {
		t.Errorf("cached Authorize of a deleted login: %+v", e.Body)
	}
	_, err = s.client.AuthorizeLive(ctx, auth.Login.Id, true)
	if e := apiErr(t, err); e.Body.FlinksCode != flinks.CodeInvalidLogin {
		t.Errorf("live Authorize of a deleted login: %+v", e.Body)
	}
	for _, rid := range ids[1:] {
		_, err = s.client.AccountsDetail(ctx, flinks.DataRequest{RequestId: rid})
		if e := apiErr(t, err); e.Body.FlinksCode != flinks.CodeSessionNonexistent {
			t.Errorf("data call with a RequestId of the deleted login: %+v", e.Body)
		}
	}
	_, err = s.client.DeleteCard(ctx, auth.Login.Id)
	if e := apiErr(t, err); e.StatusCode != 401 || e.Body.FlinksCode != flinks.CodeInvalidLogin {
		t.Errorf("second DeleteCard: %d %+v", e.StatusCode, e.Body)
	}
	// Another customer cannot delete, nor tell the login exists.
	other := s.clientFor("11111111-2222-4333-8444-555555555555")
	nomfa := liveLogin(t, s, "greatday_nomfa")
	_, err = other.DeleteCard(ctx, nomfa.Login.Id)
	_, err2 := other.DeleteCard(ctx, "b8a0c6c5-0000-4000-8000-000000000000")
	if e, e2 := apiErr(t, err), apiErr(t, err2); e.Body.FlinksCode != flinks.CodeInvalidLogin || e.Body.Message != e2.Body.Message {
		t.Errorf("foreign DeleteCard %+v, unknown %+v", e.Body, e2.Body)
	}

	// No row of any table names the login or its sessions.
	db := openDB(t, s)
	tables := tableNames(t, db)
	if !slices.Contains(tables, "sessions") || !slices.Contains(tables, "river_job") {
		t.Fatalf("tables %v lack sessions or river_job", tables)
	}
	for _, table := range tables {
		rows, err := db.Query(`SELECT * FROM "` + table + `"`)
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			row := fmt.Sprint(vals...)
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					// River's JSONB: look at its bytes as text.
					row += " " + cols[i] + "=" + string(b)
				}
			}
			for _, id := range ids {
				if strings.Contains(row, id) {
					t.Errorf("table %s still holds %s: %.200s", table, id, row)
				}
			}
		}
		rows.Close()
	}
}

func tableNames(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	return names
}

func TestAuthorizeMultiple(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	ctx := context.Background()
	a := liveLogin(t, s, "greatday_nomfa")
	b := liveLogin(t, s, "Greatday")
	detail(t, s, flinks.DataRequest{RequestId: a.RequestId})
	detail(t, s, flinks.DataRequest{RequestId: b.RequestId})
	unknown := "b8a0c6c5-0000-4000-8000-000000000000"
	r, err := s.client.AuthorizeMultiple(ctx, []string{a.Login.Id, unknown, b.Login.Id})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.ValidLoginIds) != 2 || r.ValidLoginIds[0].LoginId != a.Login.Id || r.ValidLoginIds[1].LoginId != b.Login.Id ||
		!slices.Equal(r.InvalidLoginIds, []string{unknown}) {
		t.Fatalf("AuthorizeMultiple: %+v", r)
	}
	for _, v := range r.ValidLoginIds {
		if _, err := s.client.AccountsSummary(ctx, flinks.DataRequest{RequestId: v.RequestId}); err != nil {
			t.Errorf("data of %s's cached session: %v", v.LoginId, err)
		}
	}
	for _, body := range []string{`{}`, `{"LoginIds":[]}`, `{"LoginIds":["` + a.Login.Id + `"],"MostRecentCached":false}`} {
		wantRawError(t, s.post("AuthorizeMultiple", body), http.StatusBadRequest, flinks.CodeInvalidRequest)
	}
	var many []string
	for i := range 101 {
		many = append(many, fmt.Sprint(i))
	}
	body, _ := json.Marshal(map[string]any{"LoginIds": many})
	wantRawError(t, s.post("AuthorizeMultiple", string(body)), http.StatusBadRequest, flinks.CodeInvalidRequest)
}

// TestDirectCallWaitsForFetch: a direct GetAccountsDetail that comes while
// its session's data is fetched (test_pending: 3s) waits for the fetch, up
// to --fetch-wait, and answers the 200; the Async twin never waits, and
// with --fetch-wait 0 the direct call answers 202 at once.
func TestDirectCallWaitsForFetch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pending := func(s *server) string {
		t.Helper()
		auth, err := s.client.Authorize(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "test_pending",
			Password: "Everyday", Save: true})
		if err != nil {
			t.Fatal(err)
		}
		return auth.RequestId
	}

	waiting := startServerArgs(t, "", nil, "--fetch-wait", "30s")
	id := pending(waiting)
	_, err := waiting.client.AccountsDetailAsync(ctx, id)
	if e := apiErr(t, err); e.StatusCode != 202 || e.Body.FlinksCode != flinks.CodeOperationPending {
		t.Fatalf("the Async call while fetching: %d %s, want 202 OPERATION_PENDING", e.StatusCode, e.Body.FlinksCode)
	}
	if d, err := waiting.client.AccountsDetail(ctx, flinks.DataRequest{RequestId: id}); err != nil || len(d.Accounts) == 0 {
		t.Fatalf("the direct call with --fetch-wait 30s: %+v, %v; want the data", d, err)
	}

	at0 := startServerArgs(t, "", nil, "--fetch-wait", "0")
	_, err = at0.client.AccountsDetail(ctx, flinks.DataRequest{RequestId: pending(at0)})
	if e := apiErr(t, err); e.StatusCode != 202 || e.Body.FlinksCode != flinks.CodeOperationPending {
		t.Errorf("the direct call with --fetch-wait 0: %d %s, want 202 OPERATION_PENDING", e.StatusCode, e.Body.FlinksCode)
	}
}
