package bankfeedtest_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/bankfeedtest"
	"github.com/bankfeed/bankfeed/client"
	"github.com/bankfeed/bankfeed/flinks"
)

// answer answers the public sandbox's security questions.
func answer(_ context.Context, cs []flinks.SecurityChallenge) (flinks.SecurityResponses, error) {
	known := map[string]string{"What shape do people like most?": "Triangle", "What city were you born in?": "Montreal",
		"What is the best country on earth?": "Canada"}
	out := flinks.SecurityResponses{}
	for _, c := range cs {
		a, ok := known[c.Prompt]
		if !ok {
			return nil, fmt.Errorf("no answer to %q", c.Prompt)
		}
		out[c.Prompt] = []string{a}
	}
	return out, nil
}

// TestLogin logs in through the server New starts, MFA and all, and reads
// the data.
func TestLogin(t *testing.T) {
	t.Parallel()
	srv := bankfeedtest.New(t)
	ctx := context.Background()
	resp, err := srv.Client.AuthorizeWithMFA(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "Greatday",
		Password: "Everyday", Save: true}, answer)
	if err != nil || resp.Login == nil {
		t.Fatalf("Authorize: %+v, %v", resp, err)
	}
	detail, err := srv.Client.AccountsDetailReady(ctx, flinks.DataRequest{RequestId: resp.RequestId},
		client.PollInterval(20*time.Millisecond), client.PollDeadline(30*time.Second))
	if err != nil || len(detail.Accounts) == 0 {
		t.Fatalf("GetAccountsDetail: %+v, %v", detail, err)
	}
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Errorf("URL = %q, want a loopback address", srv.URL)
	}
}

// TestAdvanceClock expires a session waiting for its answer by advancing
// the server's clock, and starts the clock elsewhere than now.
func TestAdvanceClock(t *testing.T) {
	t.Parallel()
	start := time.Date(2027, 1, 15, 4, 0, 0, 0, time.UTC)
	stopped := func() time.Time { return time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC) }
	srv := bankfeedtest.New(t, bankfeedtest.WithClock(stopped), bankfeedtest.WithClockStart(start))
	ctx := context.Background()
	if st, err := srv.Sandbox.Clock(ctx); err != nil || !st.Now.Equal(start) {
		t.Fatalf("Clock: %+v, %v; want %s", st, err, start)
	}
	resp, err := srv.Client.Authorize(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "Greatday", Password: "Everyday"})
	if err != nil || !resp.Challenged() {
		t.Fatalf("Authorize: %+v, %v", resp, err)
	}
	if st, err := srv.Sandbox.AdvanceClock(ctx, 8*time.Minute); err != nil || !st.Now.Equal(start.Add(8*time.Minute)) {
		t.Fatalf("AdvanceClock: %+v, %v", st, err)
	}
	_, err = srv.Client.Answer(ctx, resp.RequestId, flinks.SecurityResponses{"What shape do people like most?": {"Triangle"}})
	var e *client.Error
	if !errors.As(err, &e) || e.Body.FlinksCode != flinks.CodeSessionNonexistent || !strings.Contains(e.Body.Message, "expired") {
		t.Errorf("answer after 8 virtual minutes: %v, want SESSION_NONEXISTENT, expired", err)
	}
}

// TestCreateLoginAndReset saves a login without MFA, reads it at once, and
// resets it away.
func TestCreateLoginAndReset(t *testing.T) {
	t.Parallel()
	srv := bankfeedtest.New(t)
	ctx := context.Background()
	l, err := srv.Sandbox.CreateLogin(ctx, client.NewLogin{Institution: "FlinksCapital", Username: "Greatday", Password: "Everyday"})
	if err != nil {
		t.Fatal(err)
	}
	if d, err := srv.Client.AccountsDetail(ctx, flinks.DataRequest{RequestId: l.RequestId}); err != nil || d.HttpStatusCode != 200 {
		t.Fatalf("GetAccountsDetail: %+v, %v", d, err)
	}
	res, err := srv.Sandbox.Reset(ctx, bankfeedtest.SandboxCustomerID)
	if err != nil || res.Deleted["logins"] != 1 {
		t.Fatalf("Reset: %+v, %v", res, err)
	}
	if _, err := srv.Client.AuthorizeCached(ctx, l.LoginId); err == nil {
		t.Error("the login opens after the reset")
	}
}

// TestStartClose runs a server outside a test's lifetime, and removes its
// directory on Close.
func TestStartClose(t *testing.T) {
	t.Parallel()
	srv, err := bankfeedtest.Start()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Sandbox.Clock(context.Background()); err != nil {
		t.Errorf("Clock: %v", err)
	}
	if err := srv.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := srv.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := srv.Sandbox.Clock(context.Background()); err == nil {
		t.Error("the server answers after Close")
	}
	if _, err := bankfeedtest.Start(bankfeedtest.WithArgs("--refresh-at", "25:00")); err == nil ||
		!strings.Contains(err.Error(), "--refresh-at") {
		t.Errorf("Start with a bad flag: %v, want the flag's error", err)
	}
}

// BenchmarkNew measures a server's start and stop: what each test that
// calls New pays. start-ms is the start alone, to the first request
// answered.
func BenchmarkNew(b *testing.B) {
	var starting time.Duration
	for b.Loop() {
		began := time.Now()
		srv, err := bankfeedtest.Start()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := srv.Sandbox.Clock(context.Background()); err != nil {
			b.Fatal(err)
		}
		starting += time.Since(began)
		if err := srv.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(starting.Microseconds())/1000/float64(b.N), "start-ms")
}

// Example starts a server, saves a login whose data is fetched without
// answering its security question, and reads its accounts. In a test,
// bankfeedtest.New(t) does the start and stops the server at the test's
// end.
func Example() {
	srv, err := bankfeedtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()

	login, err := srv.Sandbox.CreateLogin(ctx, client.NewLogin{Institution: "FlinksCapital", Username: "Greatday", Password: "Everyday"})
	if err != nil {
		log.Fatal(err)
	}
	detail, err := srv.Client.AccountsDetail(ctx, flinks.DataRequest{RequestId: login.RequestId})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(detail.HttpStatusCode, detail.Login.Username, detail.Accounts[0].Title)

	// Three days later, the RequestId has long expired.
	if _, err := srv.Sandbox.AdvanceClock(ctx, 72*time.Hour); err != nil {
		log.Fatal(err)
	}
	_, err = srv.Client.AccountsDetail(ctx, flinks.DataRequest{RequestId: login.RequestId})
	fmt.Println(err != nil)
	// Output:
	// 200 Greatday Chequing Account
	// true
}
