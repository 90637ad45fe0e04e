package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/client"
	"github.com/bankfeed/bankfeed/flinks"
)

// TestCreateLogin saves a login through the control surface, its security
// question answered by the sandbox itself: the RequestId returned reads the
// data at once, the login reopens from cache with its data, and a live
// reopen needs no answer (it was stored, as with Save).
func TestCreateLogin(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	ctx := context.Background()
	got, err := s.sandbox().CreateLogin(ctx, client.NewLogin{Institution: "FlinksCapital", Username: "Greatday", Password: "Everyday"})
	if err != nil || got.LoginId == "" || got.RequestId == "" {
		t.Fatalf("CreateLogin: %+v, %v", got, err)
	}
	// At once: no 202 to poll.
	d, err := s.client.AccountsDetail(ctx, flinks.DataRequest{RequestId: got.RequestId})
	if err != nil || d.HttpStatusCode != 200 || len(d.Accounts) == 0 || d.Login.Id != got.LoginId {
		t.Fatalf("GetAccountsDetail of the returned RequestId: %+v, %v; want 200 with the accounts", d, err)
	}
	cached, err := s.client.AuthorizeCached(ctx, got.LoginId)
	if err != nil || cached.HttpStatusCode != 200 {
		t.Fatalf("cached Authorize of the created login: %+v, %v", cached, err)
	}
	again, err := s.client.AccountsDetail(ctx, flinks.DataRequest{RequestId: cached.RequestId})
	if err != nil || again.HttpStatusCode != 200 || !jsonEqual(t, again.Accounts, d.Accounts) {
		t.Errorf("GetAccountsDetail after the cached Authorize: %v; want the same accounts", err)
	}
	live, err := s.client.AuthorizeLive(ctx, got.LoginId, true)
	if err != nil || live.HttpStatusCode != 200 {
		t.Errorf("live reopen of the created login: %+v, %v; want 200 with the stored answer", live, err)
	}
}

// TestCreateLoginAnswers: a challenge the sandbox cannot answer by itself
// (a SecurID) is named in the refusal; given in answers, it passes, and
// the bank's known question after it is answered by the sandbox.
func TestCreateLoginAnswers(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	ctx := context.Background()
	sb := s.sandbox()
	_, err := sb.CreateLogin(ctx, client.NewLogin{Institution: "National", Username: "Greatday", Password: "Everyday"})
	if e := apiErr(t, err); e.StatusCode != 400 || e.Body.FlinksCode != flinks.CodeInvalidRequest ||
		!strings.Contains(e.Body.Message, `"Enter your SecurID"`) || !strings.Contains(e.Body.Message, "answers") {
		t.Errorf("CreateLogin of a SecurID login without answers: %d %+v", e.StatusCode, e.Body)
	}
	got, err := sb.CreateLogin(ctx, client.NewLogin{Institution: "National", Username: "Greatday", Password: "Everyday",
		Answers: map[string][]string{"Enter your SecurID": {"482913"}}})
	if err != nil {
		t.Fatalf("CreateLogin with the SecurID: %v", err)
	}
	if d, err := s.client.AccountsDetail(ctx, flinks.DataRequest{RequestId: got.RequestId}); err != nil || d.HttpStatusCode != 200 {
		t.Errorf("GetAccountsDetail: %+v, %v", d, err)
	}
	// A wrong answer given is the bank's refusal.
	_, err = sb.CreateLogin(ctx, client.NewLogin{Institution: "FlinksCapital", Username: "greatday_rotating", Password: "Everyday",
		Answers: map[string][]string{"What shape do people like most?": {"Circle"}, "What city were you born in?": {"Paris"},
			"What is the best country on earth?": {"France"}}})
	if e := apiErr(t, err); e.StatusCode != 401 || e.Body.FlinksCode != flinks.CodeInvalidSecurityResponse {
		t.Errorf("CreateLogin with a wrong answer: %d %+v, want 401 INVALID_SECURITY_RESPONSE", e.StatusCode, e.Body)
	}
}

// TestCreateLoginWaitsForFetch: a bank that takes 3 seconds to hand over
// the data (test_pending) makes the call wait, not the data calls after it.
func TestCreateLoginWaitsForFetch(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	ctx := context.Background()
	began := time.Now()
	got, err := s.sandbox().CreateLogin(ctx, client.NewLogin{Institution: "FlinksCapital", Username: "test_pending", Password: "Everyday"})
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(began); took < 3*time.Second {
		t.Errorf("CreateLogin of test_pending answered in %v, before the bank's 3s", took)
	}
	if d, err := s.client.AccountsDetail(ctx, flinks.DataRequest{RequestId: got.RequestId}); err != nil || d.HttpStatusCode != 200 {
		t.Errorf("GetAccountsDetail: %+v, %v; want 200 at once", d, err)
	}
}

// TestCreateLoginForCustomer saves a login for another customer: it is
// that customer's, reopened with its keys, and unknown to the sandbox
// customer; refusals are precise.
func TestCreateLoginForCustomer(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	ctx := context.Background()
	keys := s.addCustomer()
	got, err := s.sandbox().CreateLogin(ctx, client.NewLogin{CustomerID: strings.ToUpper(keys.CustomerID), Institution: "FlinksCapital",
		Username: "greatday_nomfa", Password: "Everyday", ScheduleRefresh: true})
	if err != nil {
		t.Fatal(err)
	}
	other := s.clientWith(keys)
	if d, err := other.AccountsDetail(ctx, flinks.DataRequest{RequestId: got.RequestId}); err != nil || d.HttpStatusCode != 200 {
		t.Errorf("the customer's GetAccountsDetail: %+v, %v", d, err)
	}
	if _, err := s.client.AuthorizeCached(ctx, got.LoginId); apiErr(t, err).Body.FlinksCode != flinks.CodeInvalidLogin {
		t.Errorf("the sandbox customer reopening another's login: %v, want INVALID_LOGIN", err)
	}
	for body, want := range map[string]struct {
		status int
		code   string
		msg    string
	}{
		`{"customer_id": "7a0c1b2d-0000-4000-8000-00000000dead", "institution": "FlinksCapital", "username": "Greatday", "password": "Everyday"}`: {
			404, "INVALID_REQUEST", "No customer 7a0c1b2d-0000-4000-8000-00000000dead"},
		`{"institution": "FlinksCapital", "username": "Greatday", "password": "nope"}`: {401, "INVALID_PASSWORD", ""},
		`{"institution": "FlinksCapital", "password": "Everyday"}`:                     {400, "INVALID_REQUEST", ""},
		`{"institution": "Nowhere", "username": "Greatday", "password": "Everyday"}`:   {0, "", ""},
		`{"answers": ["x"]}`: {400, "INVALID_REQUEST", "Field answers must be an object"},
	} {
		r := s.doBad(http.MethodPost, "/sandbox/v1/logins", body, nil)
		checkFlinksShape(t, r)
		if want.status == 0 {
			// An unknown institution: whatever Authorize answers it, a
			// client error.
			if r.status < 400 || r.status >= 500 {
				t.Errorf("logins %s: %d %s, want a client error", body, r.status, r.body)
			}
			continue
		}
		if r.status != want.status || str(r.json, "FlinksCode") != want.code || !strings.Contains(str(r.json, "Message"), want.msg) {
			t.Errorf("logins %s: %d %s, want %d %s %q", body, r.status, r.body, want.status, want.code, want.msg)
		}
	}
}
