package app_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/client"
	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/store/pgstore/pgtest"
)

// sandbox returns a control-surface client of the server.
func (s *server) sandbox() *client.Sandbox {
	s.t.Helper()
	sb, err := client.NewSandbox(s.url)
	if err != nil {
		s.t.Fatal(err)
	}
	return sb
}

// advance moves the server's virtual clock through the control surface.
func (s *server) advance(d time.Duration) client.ClockState {
	s.t.Helper()
	st, err := s.sandbox().AdvanceClock(context.Background(), d)
	if err != nil {
		s.t.Fatalf("AdvanceClock(%v): %v", d, err)
	}
	return st
}

// TestClockReadAndMove reads the virtual clock, advances it, sets it, and
// checks every refusal: it never goes backwards, and a body that is not
// exactly one valid move is told what is wrong.
func TestClockReadAndMove(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	ctx := context.Background()
	sb := s.sandbox()
	st, err := sb.Clock(ctx)
	if err != nil || !st.Now.Equal(s.clock.Now()) || st.OffsetSeconds != 0 {
		t.Fatalf("Clock of a new server: %+v, %v; want %s, offset 0", st, err, s.clock.Now())
	}
	st = s.advance(72 * time.Hour)
	if want := s.clock.Now().Add(72 * time.Hour); !st.Now.Equal(want) || st.OffsetSeconds != 72*3600 || st.Offset() != 72*time.Hour {
		t.Errorf("after AdvanceClock(72h): %+v, want %s, offset 259200", st, want)
	}
	set := time.Date(2027, 1, 15, 4, 0, 0, 0, time.UTC)
	if st, err = sb.SetClock(ctx, set); err != nil || !st.Now.Equal(set) {
		t.Errorf("SetClock(%s): %+v, %v", set, st, err)
	}
	// Days, in the body.
	r := s.do(http.MethodPost, "/sandbox/v1/clock", `{"Advance": "30d"}`)
	if want := set.AddDate(0, 0, 30).Format(time.RFC3339); r.status != 200 || str(r.json, "now") != want {
		t.Errorf("advance 30d: %d %s, want now %s", r.status, r.body, want)
	}
	// The base clock moves on its own; the offset stays.
	s.clock.Advance(time.Hour)
	if st, _ := sb.Clock(ctx); !st.Now.Equal(set.AddDate(0, 0, 30).Add(time.Hour)) {
		t.Errorf("after an hour of the base clock: %s, want %s", st.Now, set.AddDate(0, 0, 30).Add(time.Hour))
	}

	_, err = sb.SetClock(ctx, set)
	if e := apiErr(t, err); e.StatusCode != http.StatusConflict || e.Body.FlinksCode != flinks.CodeInvalidRequest ||
		!strings.Contains(e.Body.Message, "never goes backwards") || !strings.Contains(e.Body.Message, "2027-01-15T04:00:00Z") {
		t.Errorf("SetClock backwards: %d %+v", e.StatusCode, e.Body)
	}
	_, err = sb.AdvanceClock(ctx, -time.Second)
	if e := apiErr(t, err); e.StatusCode != http.StatusConflict || !strings.Contains(e.Body.Message, "never goes backwards") {
		t.Errorf("AdvanceClock(-1s): %d %+v", e.StatusCode, e.Body)
	}
	for body, want := range map[string]string{
		``:   `exactly one of "advance"`,
		`{}`: `exactly one of "advance"`,
		`{"advance": "1h", "set": "2030-01-01T00:00:00Z"}`: `exactly one of "advance"`,
		`{"advance": "soon"}`:                              `"advance" must be a duration`,
		`{"advance": "1.5d"}`:                              `"advance" must be a duration`,
		`{"advance": 3600}`:                                `Field advance must be a string`,
		`{"set": "2030-01-01"}`:                            `"set" must be an RFC 3339 time`,
		`[1]`:                                              `must be a JSON object`,
	} {
		r := s.doBad(http.MethodPost, "/sandbox/v1/clock", body, nil)
		checkFlinksShape(t, r)
		if r.status != http.StatusBadRequest || str(r.json, "FlinksCode") != "INVALID_REQUEST" || !strings.Contains(str(r.json, "Message"), want) {
			t.Errorf("POST clock %s: %d %s, want 400 saying %s", body, r.status, r.body, want)
		}
	}
	// Nothing refused moved the clock.
	if st, _ := sb.Clock(ctx); !st.Now.Equal(set.AddDate(0, 0, 30).Add(time.Hour)) {
		t.Errorf("after the refusals: %s", st.Now)
	}
}

// TestClockExpiresSessionAndToken: advancing the virtual clock, not the
// test's, expires a session waiting for its answer, an authorized
// RequestId, and an unused authorize token.
func TestClockExpiresSessionAndToken(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	ctx := context.Background()
	resp, err := s.client.Authorize(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "Greatday", Password: "Everyday"})
	if err != nil || !resp.Challenged() {
		t.Fatalf("Authorize: %+v, %v", resp, err)
	}
	auth := liveLogin(t, s, "greatday_nomfa")
	detail(t, s, flinks.DataRequest{RequestId: auth.RequestId})

	keys := s.addCustomer()
	token := func() string {
		r := s.doWith(http.MethodPost, "/v3/"+keys.CustomerID+"/BankingServices/GenerateAuthorizeToken", "",
			http.Header{"Flinks-Auth-Key": {keys.Secret}})
		if r.status != 200 || str(r.json, "Token") == "" {
			t.Fatalf("GenerateAuthorizeToken: %d %s", r.status, r.body)
		}
		return str(r.json, "Token")
	}
	authorizeWith := func(token string) rawResponse {
		return s.doWith(http.MethodPost, "/v3/"+keys.CustomerID+"/BankingServices/Authorize",
			`{"Institution": "FlinksCapital", "Username": "greatday_nomfa", "Password": "Everyday"}`, http.Header{"Flinks-Auth-Key": {token}})
	}
	fresh, stale := token(), token()
	if r := authorizeWith(fresh); r.status != 200 {
		t.Fatalf("Authorize with a new token: %d %s", r.status, r.body)
	}

	s.advance(30 * time.Minute)
	_, err = s.client.Answer(ctx, resp.RequestId, flinks.SecurityResponses{"What shape do people like most?": {"Triangle"}})
	if e := apiErr(t, err); e.StatusCode != 400 || e.Body.FlinksCode != flinks.CodeSessionNonexistent || !strings.Contains(e.Body.Message, "expired after 8 minutes") {
		t.Errorf("answer of a 203 after 30 virtual minutes: %d %+v, want SESSION_NONEXISTENT, expired", e.StatusCode, e.Body)
	}
	_, err = s.client.AccountsSummary(ctx, flinks.DataRequest{RequestId: auth.RequestId})
	if e := apiErr(t, err); e.StatusCode != 400 || e.Body.FlinksCode != flinks.CodeSessionNonexistent || !strings.Contains(e.Body.Message, "expired") {
		t.Errorf("data call after 30 virtual minutes: %d %+v, want SESSION_NONEXISTENT, expired", e.StatusCode, e.Body)
	}
	if r := authorizeWith(stale); r.status != http.StatusUnauthorized || str(r.json, "FlinksCode") != "ACCESS_DENIED" ||
		!strings.Contains(str(r.json, "Message"), "less than 30 minutes old") {
		t.Errorf("Authorize with a token 30 virtual minutes old: %d %s, want 401 ACCESS_DENIED", r.status, r.body)
	}
}

// slowBank is an institution whose bank takes 20 minutes to hand over the
// data, and says so (OPERATION_DISPATCHED): only the virtual clock makes it
// finish within a test.
const slowBank = `{
  "Institution": "SlowBank",
  "InstitutionId": 901,
  "Steps": {},
  "Users": [{"Username": "slow", "Password": "secret", "FetchDelay": "20m", "SlowFetch": true}]
}`

// TestClockEndsFetchDelay: the data calls of a dispatched fetch answer
// OPERATION_DISPATCHED until the virtual clock passes the bank's delay,
// then the data.
func TestClockEndsFetchDelay(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "slow.json"), []byte(slowBank), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServerArgs(t, "", nil, "--scenarios", dir)
	ctx := context.Background()
	auth, err := s.client.Authorize(ctx, flinks.AuthorizeRequest{Institution: "SlowBank", Username: "slow", Password: "secret", Save: true})
	if err != nil || auth.HttpStatusCode != 200 {
		t.Fatalf("Authorize: %+v, %v", auth, err)
	}
	time.Sleep(300 * time.Millisecond) // the fetch job starts, and waits for the bank
	_, err = s.client.AccountsDetail(ctx, flinks.DataRequest{RequestId: auth.RequestId})
	if e := apiErr(t, err); e.StatusCode != 202 || e.Body.FlinksCode != flinks.CodeOperationDispatched {
		t.Fatalf("before the delay: %d %+v, want 202 OPERATION_DISPATCHED", e.StatusCode, e.Body)
	}
	s.advance(19 * time.Minute)
	time.Sleep(300 * time.Millisecond)
	_, err = s.client.AccountsDetail(ctx, flinks.DataRequest{RequestId: auth.RequestId})
	if e := apiErr(t, err); e.StatusCode != 202 {
		t.Fatalf("19 minutes into a 20 minutes' delay: %d %+v, want 202", e.StatusCode, e.Body)
	}
	s.advance(time.Minute)
	got, err := s.client.AccountsDetailReady(ctx, flinks.DataRequest{RequestId: auth.RequestId},
		client.PollInterval(20*time.Millisecond), client.PollDeadline(10*time.Second))
	if err != nil || len(got.Accounts) == 0 {
		t.Fatalf("after the delay: %+v, %v", got, err)
	}
}

// TestClockRunsNightlyPass: a jump of the virtual clock past --refresh-at
// runs that night's pass, as it would have run: the login saved with
// scheduled refresh is refreshed, its LastRefresh is the new day's, and its
// data gains the days passed, the older transactions unchanged.
func TestClockRunsNightlyPass(t *testing.T) {
	t.Parallel()
	s := startServerArgs(t, "", nil, "--refresh-at", "04:00", "--refresh-window", "4h")
	ctx := context.Background()
	resp, err := s.client.AuthorizeWithMFA(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "greatday_nomfa",
		Password: "Everyday", Save: true, ScheduleRefresh: true}, answerSandbox)
	if err != nil {
		t.Fatal(err)
	}
	login := resp.Login.Id
	before := detail(t, s, flinks.DataRequest{RequestId: resp.RequestId, DaysOfTransactions: "Days365"})

	// 15:00 to 15:00 two days later (the sandbox's day in between has no
	// transaction): the pass of that day's 04:00, spread over 04:00 to
	// 08:00, is all due.
	st := s.advance(48 * time.Hour)
	day := st.Now.Format("2006-01-02")
	var cached *flinks.AuthorizeResponse
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		cached, err = s.client.AuthorizeCached(ctx, login)
		if err != nil {
			t.Fatal(err)
		}
		if cached.Login.LastRefresh != nil && strings.HasPrefix(*cached.Login.LastRefresh, day) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("LastRefresh %v 30s after the clock passed the night's 04:00, want %s", cached.Login.LastRefresh, day)
		}
	}
	after := detail(t, s, flinks.DataRequest{RequestId: cached.RequestId, DaysOfTransactions: "Days365"})
	checkBalances(t, after.Accounts)
	if got := newestDate(after); got != day {
		t.Errorf("newest transaction after the pass is of %s, want the virtual day %s", got, day)
	}
	sameHistory(t, before, after)
}

// newestDate is the date of the newest transaction of any account.
func newestDate(r *flinks.AccountsDetailResponse) string {
	newest := ""
	for _, a := range r.Accounts {
		for _, tx := range a.Transactions {
			newest = max(newest, tx.Date)
		}
	}
	return newest
}

// sameHistory checks that every transaction of before still in after's
// window is in after, unchanged: the sandbox's history only grows as days
// pass.
func sameHistory(t *testing.T, before, after *flinks.AccountsDetailResponse) {
	t.Helper()
	for i, a := range before.Accounts {
		byID := map[string]flinks.Transaction{}
		oldest := ""
		for _, tx := range after.Accounts[i].Transactions {
			byID[tx.Id] = tx
			oldest = tx.Date
		}
		for _, tx := range a.Transactions {
			if tx.Date < oldest {
				continue // out of after's window
			}
			if got, ok := byID[tx.Id]; !ok || !jsonEqual(t, got, tx) {
				t.Errorf("%s: transaction %s of %s is %+v after, was %+v", a.Title, tx.Id, tx.Date, got, tx)
			}
		}
	}
}

// TestClockAddsTransactions: 30 virtual days and a live refresh give 30
// more days of transactions, consistent with the old ones.
func TestClockAddsTransactions(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	ctx := context.Background()
	auth := liveLogin(t, s, "greatday_nomfa")
	before := detail(t, s, flinks.DataRequest{RequestId: auth.RequestId, DaysOfTransactions: "Days90"})
	st := s.advance(30 * 24 * time.Hour)
	again, err := s.client.AuthorizeLive(ctx, auth.Login.Id, true)
	if err != nil {
		t.Fatal(err)
	}
	if again.Login.LastRefresh == nil || !strings.HasPrefix(*again.Login.LastRefresh, st.Now.Format("2006-01-02")) {
		t.Errorf("LastRefresh after the live refresh: %v, want the virtual day %s", again.Login.LastRefresh, st.Now.Format("2006-01-02"))
	}
	after := detail(t, s, flinks.DataRequest{RequestId: again.RequestId, DaysOfTransactions: "Days365"})
	checkBalances(t, after.Accounts)
	if got, want := newestDate(after), st.Now.Format("2006-01-02"); got != want {
		t.Errorf("newest transaction %s, want the virtual day %s", got, want)
	}
	newDays := map[string]bool{}
	oldNewest := before.Accounts[0].Transactions[0].Date
	for _, a := range after.Accounts {
		for _, tx := range a.Transactions {
			if tx.Date > oldNewest {
				newDays[tx.Date] = true
			}
		}
	}
	// Not every day has a transaction; a month of them has many.
	if len(newDays) < 15 {
		t.Errorf("transactions on %d days of the 30 passed, want most of them", len(newDays))
	}
	sameHistory(t, before, after)
}

// TestClockDueWebhookRetry: a delivery the receiver refused waits for the
// retry interval, on the virtual clock: advancing it sends the retry at
// once.
func TestClockDueWebhookRetry(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			var extra []string
			dir := t.TempDir()
			state := sqliteJobState(dir)
			if kind == "postgres" {
				url := pgtest.NewDatabase(t)
				extra, state = []string{"--database", url}, postgresJobState(url)
			}
			rcv := newReceiver(t, hookSecret, 1)
			s := startServerArgs(t, dir, nil, append(extra, "--refresh-at", "off", "--sandbox-webhook-url", rcv.url(),
				"--sandbox-webhook-secret", hookSecret, "--webhook-retry-interval", "30m")...)
			login := liveLogin(t, s, "greatday_nomfa").Login.Id
			rcv.waitRequest(30 * time.Second)
			// The refusal is recorded after the receiver answered: the job
			// snoozes for the retry interval once it is.
			deadline := time.Now().Add(30 * time.Second)
			for st, _ := state(t, "webhook", login); st != "scheduled"; st, _ = state(t, "webhook", login) {
				if time.Now().After(deadline) {
					t.Fatalf("the delivery job is %q 30s after the refusal, want scheduled", st)
				}
				time.Sleep(20 * time.Millisecond)
			}
			if n := len(rcv.all()); n != 1 {
				t.Fatalf("%d requests before the retry interval passed, want the first only", n)
			}
			s.advance(30 * time.Minute)
			got := rcv.waitFor(2, 10*time.Second)
			if got[0].json(t)["ResponseType"] != "KYC" || got[0].attempt != 2 || got[1].json(t)["ResponseType"] != "GetAccountsDetail" {
				t.Errorf("after the advance: %s#%d then %s#%d, want KYC#2 then GetAccountsDetail#1",
					got[0].json(t)["ResponseType"], got[0].attempt, got[1].json(t)["ResponseType"], got[1].attempt)
			}
		})
	}
}

// TestClockStart: --clock-start starts the clock elsewhere than now on a
// database whose clock was never moved, and a restart keeps the clock as
// it is, whatever --clock-start says then.
func TestClockStart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	clk := newClock()
	start := time.Date(2025, 6, 1, 9, 30, 0, 0, time.UTC) // before the base clock
	s := startServerArgs(t, dir, clk, "--clock-start", start.Format(time.RFC3339))
	st, err := s.sandbox().Clock(context.Background())
	if err != nil || !st.Now.Equal(start) || st.Offset() != start.Sub(clk.Now()) {
		t.Fatalf("Clock with --clock-start %s: %+v, %v", start, st, err)
	}
	auth := liveLogin(t, s, "greatday_nomfa")
	if auth.Login.LastRefresh == nil || !strings.HasPrefix(*auth.Login.LastRefresh, "2025-06-01") {
		t.Errorf("LastRefresh of a login on the started clock: %v, want 2025-06-01", auth.Login.LastRefresh)
	}
	s.advance(time.Hour)
	s.stop()

	s2 := startServerArgs(t, dir, clk, "--clock-start", "2030-01-01T00:00:00Z")
	if st, err := s2.sandbox().Clock(context.Background()); err != nil || !st.Now.Equal(start.Add(time.Hour)) {
		t.Errorf("Clock after a restart: %+v, %v; want %s", st, err, start.Add(time.Hour))
	}
	var out strings.Builder
	err = mainWith(s2, &out, "serve", "--clock-start", "tomorrow")
	if err == nil || !strings.Contains(err.Error(), "--clock-start") {
		t.Errorf("serve --clock-start tomorrow: %v, want a usage error naming the flag", err)
	}
}

// TestClockTwoProcesses: two processes on one PostgreSQL database read one
// clock; a session begun on one expires there when the other advances the
// clock.
func TestClockTwoProcesses(t *testing.T) {
	t.Parallel()
	url := pgtest.NewDatabase(t)
	args := []string{"--data", t.TempDir(), "--database", url, "--refresh-at", "off"}
	a := startProcess(t, args...)
	b := startProcess(t, args...)
	ctx := context.Background()
	cb, err := client.New(b.url, sandboxCustomer)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := cb.Authorize(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "Greatday", Password: "Everyday"})
	if err != nil || !resp.Challenged() {
		t.Fatalf("Authorize on b: %+v, %v", resp, err)
	}
	sa, _ := client.NewSandbox(a.url)
	sbb, _ := client.NewSandbox(b.url)
	if _, err := sa.AdvanceClock(ctx, 9*time.Minute); err != nil {
		t.Fatal(err)
	}
	// b re-reads the clock every 200ms.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		st, err := sbb.Clock(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Offset() == 9*time.Minute {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("b's clock 5s after a advanced it: offset %v, want 9m", st.Offset())
		}
	}
	_, err = cb.Answer(ctx, resp.RequestId, flinks.SecurityResponses{"What shape do people like most?": {"Triangle"}})
	if e := apiErr(t, err); e.Body.FlinksCode != flinks.CodeSessionNonexistent || !strings.Contains(e.Body.Message, "expired") {
		t.Errorf("answer on b after a advanced 9m: %+v, want SESSION_NONEXISTENT, expired", e.Body)
	}
	// And b moves the clock a reads.
	if _, err := sbb.AdvanceClock(ctx, time.Hour); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if st, err := sa.Clock(ctx); err == nil && st.Offset() == time.Hour+9*time.Minute {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a's clock did not follow b's advance within 5s")
		}
	}
}

// TestClockRefillsRateLimit: a customer's authorize tokens per minute,
// spent, are given back by a virtual minute, as by a real one.
func TestClockRefillsRateLimit(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	keys := s.addCustomer("--token-rate", "1")
	generate := func() rawResponse {
		return s.doWith(http.MethodPost, "/v3/"+keys.CustomerID+"/BankingServices/GenerateAuthorizeToken", "",
			http.Header{"Flinks-Auth-Key": {keys.Secret}})
	}
	if r := generate(); r.status != 200 {
		t.Fatalf("first token: %d %s", r.status, r.body)
	}
	if r := generate(); r.status != http.StatusForbidden || str(r.json, "FlinksCode") != "TOO_MANY_REQUESTS" {
		t.Fatalf("second token in the minute: %d %s, want 403 TOO_MANY_REQUESTS", r.status, r.body)
	}
	s.advance(time.Minute)
	if r := generate(); r.status != 200 {
		t.Errorf("token after a virtual minute: %d %s, want 200", r.status, r.body)
	}
}
