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

// TestResetIsolatesCustomers: a reset of one customer deletes its logins,
// sessions, snapshots, tokens, jobs and deliveries, and nothing of another
// customer's; the customers and their keys stay; a reset of every customer
// then takes the other's too.
func TestResetIsolatesCustomers(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t, hookSecret, 0)
	s := startServerArgs(t, "", nil, "--refresh-at", "off", "--sandbox-webhook-url", rcv.url(), "--sandbox-webhook-secret", hookSecret)
	ctx := context.Background()
	sb := s.sandbox()

	mine := liveLogin(t, s, "greatday_nomfa")
	detail(t, s, flinks.DataRequest{RequestId: mine.RequestId})
	rcv.waitFor(2, 30*time.Second) // the KYC and GetAccountsDetail deliveries
	pending, err := s.client.Authorize(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "Greatday", Password: "Everyday"})
	if err != nil || !pending.Challenged() {
		t.Fatalf("Authorize: %+v, %v", pending, err)
	}

	keys := s.addCustomer()
	other := s.clientWith(keys)
	theirs, err := other.AuthorizeWithMFA(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "greatday_nomfa",
		Password: "Everyday", Save: true}, answerSandbox)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.AccountsDetailReady(ctx, flinks.DataRequest{RequestId: theirs.RequestId}, fastPoll...); err != nil {
		t.Fatal(err)
	}
	unused := s.doWith(http.MethodPost, "/v3/"+keys.CustomerID+"/BankingServices/GenerateAuthorizeToken", "",
		http.Header{"Flinks-Auth-Key": {keys.Secret}})
	if unused.status != 200 {
		t.Fatalf("GenerateAuthorizeToken: %d %s", unused.status, unused.body)
	}

	// A fault rule of each customer: the reset removes the sandbox
	// customer's only.
	for _, c := range []string{sandboxCustomer, keys.CustomerID} {
		if _, err := sb.AddFault(ctx, client.FaultRule{CustomerID: c, Endpoint: "GetAccountsSummary", Status: 503}); err != nil {
			t.Fatalf("AddFault for %s: %v", c, err)
		}
	}

	res, err := sb.Reset(ctx, sandboxCustomer)
	if err != nil {
		t.Fatalf("Reset: %v", err)
	}
	if fs, err := sb.Faults(ctx); err != nil || len(fs) != 1 || fs[0].CustomerID != keys.CustomerID || res.Deleted["faults"] != 1 {
		t.Errorf("faults after the reset: %+v (%v), %d deleted; want the other customer's only", fs, err, res.Deleted["faults"])
	}
	d := res.Deleted
	if res.CustomerID != sandboxCustomer || d["logins"] != 1 || d["snapshots"] != 1 || d["deliveries"] != 2 || d["sessions"] < 2 ||
		d["jobs"] < 2 || d["tokens"] != 0 {
		t.Errorf("Reset of the sandbox customer: %+v; want 1 login, 1 snapshot, 2 deliveries, its 2 sessions or more, its fetch and delivery jobs", res)
	}
	_, err = s.client.AuthorizeCached(ctx, mine.Login.Id)
	if e := apiErr(t, err); e.Body.FlinksCode != flinks.CodeInvalidLogin {
		t.Errorf("cached Authorize of a reset login: %+v, want INVALID_LOGIN", e.Body)
	}
	_, err = s.client.Answer(ctx, pending.RequestId, flinks.SecurityResponses{"What shape do people like most?": {"Triangle"}})
	if e := apiErr(t, err); e.Body.FlinksCode != flinks.CodeSessionNonexistent {
		t.Errorf("answer to a reset session: %+v, want SESSION_NONEXISTENT", e.Body)
	}
	if log, err := sb.WebhookDeliveries(ctx, client.DeliveryFilter{CustomerID: sandboxCustomer}); err != nil || len(log) != 0 {
		t.Errorf("deliveries after the reset: %d, %v", len(log), err)
	}
	// The other customer keeps everything: its login, its data, its token.
	if _, err := other.AuthorizeCached(ctx, theirs.Login.Id); err != nil {
		t.Errorf("cached Authorize of the other customer's login: %v", err)
	}
	r := s.doWith(http.MethodPost, "/v3/"+keys.CustomerID+"/BankingServices/Authorize",
		`{"Institution": "FlinksCapital", "Username": "greatday_nomfa", "Password": "Everyday"}`,
		http.Header{"Flinks-Auth-Key": {str(unused.json, "Token")}})
	if r.status != 200 {
		t.Errorf("the other customer's unused token after the reset: %d %s", r.status, r.body)
	}
	// The sandbox customer still works, and still has its webhook.
	again := liveLogin(t, s, "greatday_nomfa")
	detail(t, s, flinks.DataRequest{RequestId: again.RequestId})
	rcv.waitFor(4, 30*time.Second)

	all, err := sb.Reset(ctx, "")
	if err != nil || all.CustomerID != "" || all.Deleted["logins"] != 2 {
		t.Errorf("Reset of every customer: %+v, %v; want both logins", all, err)
	}
	if _, err := other.AuthorizeCached(ctx, theirs.Login.Id); err == nil {
		t.Error("the other customer's login opens after a reset of every customer")
	}
	if r := s.doWith(http.MethodPost, "/v3/"+keys.CustomerID+"/BankingServices/GenerateAuthorizeToken", "",
		http.Header{"Flinks-Auth-Key": {keys.Secret}}); r.status != 200 {
		t.Errorf("the other customer's secret after a reset of every customer: %d %s", r.status, r.body)
	}
	if again, err := sb.Reset(ctx, ""); err != nil || again.Deleted["logins"] != 0 || again.Deleted["snapshots"] != 0 {
		t.Errorf("second reset of everything: %+v, %v; want nothing left", again, err)
	}
}

// TestResetRefusals: a reset of an unknown customer is a 404, an empty
// customer_id a 400; neither deletes anything.
func TestResetRefusals(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	auth := liveLogin(t, s, "greatday_nomfa")
	for body, want := range map[string]struct {
		status int
		msg    string
	}{
		`{"customer_id": "7a0c1b2d-0000-4000-8000-00000000dead"}`: {404, "No customer 7a0c1b2d-0000-4000-8000-00000000dead"},
		`{"customer_id": " "}`: {400, "customer_id is empty"},
		`{"customer_id": 7}`:   {400, "Field customer_id must be a string"},
		`{"customer_id": "x"`:  {400, "not valid JSON"},
	} {
		r := s.doBad(http.MethodPost, "/sandbox/v1/reset", body, nil)
		checkFlinksShape(t, r)
		if r.status != want.status || str(r.json, "FlinksCode") != "INVALID_REQUEST" || !strings.Contains(str(r.json, "Message"), want.msg) {
			t.Errorf("reset %s: %d %s, want %d saying %q", body, r.status, r.body, want.status, want.msg)
		}
	}
	if _, err := s.client.AuthorizeCached(context.Background(), auth.Login.Id); err != nil {
		t.Errorf("the login after refused resets: %v", err)
	}
}

// TestControlGuard: the clock, the reset and the logins are control calls like the
// others: 404 outside sandbox mode without an admin key, 401 without the
// key when one is set, served with it, and outside sandbox mode too.
func TestControlGuard(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	off := startServerArgs(t, dir, nil, "--sandbox=false", "--master-key-file", writeKeyFile(t, dir))
	calls := []struct{ method, path, body string }{
		{http.MethodGet, "/sandbox/v1/clock", ""},
		{http.MethodPost, "/sandbox/v1/clock", `{"advance": "1h"}`},
		{http.MethodPost, "/sandbox/v1/reset", ""},
		{http.MethodPost, "/sandbox/v1/logins", `{"institution": "FlinksCapital", "username": "greatday_nomfa", "password": "Everyday"}`},
	}
	for _, c := range calls {
		if r := off.do(c.method, c.path, c.body); r.status != 404 {
			t.Errorf("%s %s outside sandbox mode without an admin key: %d %s, want 404", c.method, c.path, r.status, r.body)
		}
	}
	keyed := startServerArgs(t, "", nil, "--admin-key", "the-admin-key")
	for _, c := range calls {
		if r := keyed.do(c.method, c.path, c.body); r.status != 401 || str(r.json, "FlinksCode") != "UNAUTHORIZED" {
			t.Errorf("%s %s without the admin key: %d %s, want 401", c.method, c.path, r.status, r.body)
		}
	}
	if st, err := keyed.sandbox().Clock(context.Background()); err == nil {
		t.Errorf("Clock without the admin key: %+v", st)
	}
	dir2 := t.TempDir()
	prod := startServerArgs(t, dir2, nil, "--sandbox=false", "--master-key-file", writeKeyFile(t, dir2), "--admin-key", "the-admin-key")
	sb, _ := client.NewSandbox(prod.url, client.WithAdminKey("the-admin-key"))
	if st, err := sb.AdvanceClock(context.Background(), time.Hour); err != nil || st.Offset() != time.Hour {
		t.Errorf("AdvanceClock with the admin key outside sandbox mode: %+v, %v", st, err)
	}
	if res, err := sb.Reset(context.Background(), ""); err != nil || res.Deleted["logins"] != 0 {
		t.Errorf("Reset with the admin key outside sandbox mode: %+v, %v", res, err)
	}
}
