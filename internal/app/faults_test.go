package app_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/client"
	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/faults"
	"github.com/bankfeed/bankfeed/internal/store/pgstore/pgtest"
)

// sandboxOf returns a control client of s.
func sandboxOf(t *testing.T, s *server, opts ...client.SandboxOption) *client.Sandbox {
	t.Helper()
	sb, err := client.NewSandbox(s.url, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return sb
}

// addFault adds a rule, failing the test if the server refuses it.
func addFault(t *testing.T, sb *client.Sandbox, rule client.FaultRule) *client.Fault {
	t.Helper()
	f, err := sb.AddFault(context.Background(), rule)
	if err != nil {
		t.Fatalf("AddFault %+v: %v", rule, err)
	}
	return f
}

// faultByID finds a rule in the list.
func faultByID(t *testing.T, sb *client.Sandbox, id string) client.Fault {
	t.Helper()
	fs, err := sb.Faults(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if f.ID == id {
			return f
		}
	}
	t.Fatalf("rule %s not listed in %+v", id, fs)
	return client.Fault{}
}

// TestFaultsByEndpoint: a rule on one endpoint fails that endpoint with
// bankfeed's own error body, leaves the others alone, counts what it did,
// and stops once removed.
func TestFaultsByEndpoint(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	sb := sandboxOf(t, s)
	ctx := context.Background()
	auth := liveLogin(t, s, "greatday_nomfa")
	detail(t, s, flinks.DataRequest{RequestId: auth.RequestId})

	f := addFault(t, sb, client.FaultRule{Endpoint: "getaccountssummary", Status: 503, FlinksCode: "RETRY_LATER"})
	if f.Endpoint != "GetAccountsSummary" || f.Status != 503 || f.FlinksCode != "RETRY_LATER" || f.Probability != 1 || f.ID == "" {
		t.Errorf("rule as added: %+v", f)
	}
	r := s.post("GetAccountsSummary", `{"RequestId": "`+auth.RequestId+`"}`)
	checkFlinksShape(t, r)
	if r.status != 503 || str(r.json, "FlinksCode") != "RETRY_LATER" || str(r.json, "RequestId") != auth.RequestId ||
		r.header.Get("X-Bankfeed-Fault") != f.ID {
		t.Errorf("faulted GetAccountsSummary: %d %s (fault header %q)", r.status, r.body, r.header.Get("X-Bankfeed-Fault"))
	}
	// The same message as the database's own 503.
	if msg := str(r.json, "Message"); !strings.Contains(msg, "database is unavailable") {
		t.Errorf("Message = %q", msg)
	}
	_, err := s.client.AccountsSummary(ctx, flinks.DataRequest{RequestId: auth.RequestId})
	if e := apiErr(t, err); e.StatusCode != 503 || e.Body.FlinksCode != flinks.CodeRetryLater {
		t.Errorf("SDK: %+v", e)
	}
	// Another endpoint is untouched, and is not counted.
	detail(t, s, flinks.DataRequest{RequestId: auth.RequestId})
	if got := faultByID(t, sb, f.ID); got.Matched != 2 || got.Fired != 2 {
		t.Errorf("counts after two faulted calls and one other: matched %d, fired %d", got.Matched, got.Fired)
	}

	// A status alone takes bankfeed's code for it; a code alone its status.
	g := addFault(t, sb, client.FaultRule{Endpoint: "Institutions", FlinksCode: "too_many_requests"})
	if g.Status != 403 || g.FlinksCode != "TOO_MANY_REQUESTS" {
		t.Errorf("code alone: %+v", g)
	}
	r = s.do(http.MethodGet, "/v3/"+sandboxCustomer+"/BankingServices/Institutions", "")
	checkFlinksShape(t, r)
	if r.status != 403 || str(r.json, "FlinksCode") != "TOO_MANY_REQUESTS" {
		t.Errorf("faulted Institutions: %d %s", r.status, r.body)
	}

	if err := sb.RemoveFault(ctx, f.ID); err != nil {
		t.Fatal(err)
	}
	if err := sb.RemoveFault(ctx, f.ID); apiErr(t, err).StatusCode != 404 {
		t.Errorf("removing a removed rule: %v", err)
	}
	if _, err := s.client.AccountsSummary(ctx, flinks.DataRequest{RequestId: auth.RequestId}); err != nil {
		t.Errorf("GetAccountsSummary after the rule was removed: %v", err)
	}
	addFault(t, sb, client.FaultRule{Endpoint: "GetAccountsDetail", Status: 500})
	if n, err := sb.ClearFaults(ctx, ""); err != nil || n != 2 {
		t.Errorf("ClearFaults = %d, %v, want 2", n, err)
	}
	if fs, err := sb.Faults(ctx); err != nil || len(fs) != 0 {
		t.Errorf("Faults after ClearFaults = %+v, %v", fs, err)
	}
	detail(t, s, flinks.DataRequest{RequestId: auth.RequestId})
}

// TestFaultsByInstitutionAndLogin: rules selecting an institution or a
// login apply to the requests of that login, whether they name it by
// LoginId, by a session's RequestId or, on Authorize, by institution.
func TestFaultsByInstitutionAndLogin(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	sb := sandboxOf(t, s)
	ctx := context.Background()
	capital := liveLogin(t, s, "greatday_nomfa")
	other := liveLogin(t, s, "Greatday")
	rbc, err := s.client.AuthorizeWithMFA(ctx, flinks.AuthorizeRequest{Institution: "RBC", Username: "Greatday", Password: "Everyday",
		Save: true}, answerSandbox)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []*flinks.AuthorizeResponse{capital, other, rbc} {
		detail(t, s, flinks.DataRequest{RequestId: a.RequestId})
	}

	byInst := addFault(t, sb, client.FaultRule{Institution: "rbc", FlinksCode: "RETRY_LATER"})
	if byInst.Institution != "RBC" || byInst.Status != 401 {
		t.Errorf("rule as added: %+v", byInst)
	}
	// By the session's RequestId.
	_, err = s.client.AccountsDetail(ctx, flinks.DataRequest{RequestId: rbc.RequestId})
	if e := apiErr(t, err); e.StatusCode != 401 || e.Body.FlinksCode != flinks.CodeRetryLater || e.Body.RequestId != rbc.RequestId {
		t.Errorf("RBC's data call: %+v", e)
	}
	// By the LoginId of a reopen, and by the Institution of a new login.
	if _, err := s.client.Authorize(ctx, flinks.AuthorizeRequest{LoginId: rbc.Login.Id, MostRecentCached: true}); apiErr(t, err).Body.FlinksCode != flinks.CodeRetryLater {
		t.Errorf("RBC's cached reopen: %v", err)
	}
	if _, err := s.client.Authorize(ctx, flinks.AuthorizeRequest{Institution: "RBC", Username: "Greatday", Password: "Everyday"}); apiErr(t, err).Body.FlinksCode != flinks.CodeRetryLater {
		t.Errorf("a new RBC login: %v", err)
	}
	detail(t, s, flinks.DataRequest{RequestId: capital.RequestId})
	if got := faultByID(t, sb, byInst.ID); got.Matched != 3 || got.Fired != 3 {
		t.Errorf("institution rule counts: %+v", got)
	}
	if err := sb.RemoveFault(ctx, byInst.ID); err != nil {
		t.Fatal(err)
	}

	byLogin := addFault(t, sb, client.FaultRule{LoginID: other.Login.Id, Endpoint: "GetAccountsDetail", Status: 500})
	_, err = s.client.AccountsDetail(ctx, flinks.DataRequest{RequestId: other.RequestId})
	if e := apiErr(t, err); e.StatusCode != 500 || e.Body.FlinksCode != flinks.CodeAggregationError {
		t.Errorf("the login's data call: %+v", e)
	}
	// The Async twin is an endpoint of its own.
	if _, err := s.client.AccountsDetailAsync(ctx, other.RequestId); err != nil {
		t.Errorf("GetAccountsDetailAsync of the login: %v", err)
	}
	detail(t, s, flinks.DataRequest{RequestId: capital.RequestId})
	detail(t, s, flinks.DataRequest{RequestId: rbc.RequestId})
	if got := faultByID(t, sb, byLogin.ID); got.Matched != 1 || got.Fired != 1 {
		t.Errorf("login rule counts: %+v", got)
	}
}

// faultPattern makes n GET /Institutions calls and returns which failed,
// as a string of x (faulted) and . (served).
func faultPattern(t *testing.T, s *server, n int) string {
	t.Helper()
	var b strings.Builder
	for range n {
		r := s.do(http.MethodGet, "/v3/"+sandboxCustomer+"/BankingServices/Institutions?take=1", "")
		switch {
		case r.status == 503 && str(r.json, "FlinksCode") == "RETRY_LATER":
			b.WriteByte('x')
		case r.status == 200:
			b.WriteByte('.')
		default:
			t.Fatalf("Institutions: %d %s", r.status, r.body)
		}
	}
	return b.String()
}

// TestFaultsSeedReproducible runs the same seeded rule on two servers, one
// after the other: it fires on the same requests on both, those that
// faults.Fires names, and another seed fires on others.
func TestFaultsSeedReproducible(t *testing.T) {
	t.Parallel()
	const n = 60
	rule := client.FaultRule{Endpoint: "Institutions", Status: 503, Probability: client.Ptr(0.3), Seed: client.Ptr(int64(7))}
	var runs []string
	for range 2 {
		s := startServer(t, "", nil)
		// Requests before the rule exists do not count towards its sequence.
		faultPattern(t, s, 3)
		addFault(t, sandboxOf(t, s), rule)
		runs = append(runs, faultPattern(t, s, n))
		s.stop()
	}
	var want strings.Builder
	for i := int64(1); i <= n; i++ {
		if faults.Fires(7, i, 0.3) {
			want.WriteByte('x')
		} else {
			want.WriteByte('.')
		}
	}
	if runs[0] != runs[1] {
		t.Errorf("two runs of seed 7 differ:\n%s\n%s", runs[0], runs[1])
	}
	if runs[0] != want.String() {
		t.Errorf("run of seed 7:\n%s\nwant, by faults.Fires:\n%s", runs[0], want.String())
	}
	if fired := strings.Count(runs[0], "x"); fired < 6 || fired > 30 {
		t.Errorf("seed 7 at 0.3 fired %d times in %d", fired, n)
	}
	s := startServer(t, "", nil)
	other := rule
	other.Seed = client.Ptr(int64(8))
	addFault(t, sandboxOf(t, s), other)
	if got := faultPattern(t, s, n); got == runs[0] {
		t.Errorf("seeds 7 and 8 fire on the same requests: %s", got)
	}
}

// TestFaultsTimes: a rule with times fires that often, then lets requests
// through, still counting them.
func TestFaultsTimes(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	sb := sandboxOf(t, s)
	f := addFault(t, sb, client.FaultRule{Endpoint: "Institutions", Status: 503, Times: client.Ptr(int64(3))})
	if got := faultPattern(t, s, 6); got != "xxx..." {
		t.Errorf("times 3: %s, want xxx...", got)
	}
	if got := faultByID(t, sb, f.ID); got.Times != 3 || got.Matched != 6 || got.Fired != 3 {
		t.Errorf("counts: %+v", got)
	}
}

// TestFaultLatency: a rule's latency is real waiting before the answer,
// and a client that gives up ends the wait.
func TestFaultLatency(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	sb := sandboxOf(t, s)
	ctx := context.Background()
	slow := addFault(t, sb, client.FaultRule{Endpoint: "Institutions", Latency: "300ms"})
	start := time.Now()
	if _, err := s.client.Institutions(ctx, 0, 1); err != nil {
		t.Fatalf("delayed Institutions: %v", err)
	}
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Errorf("a 300ms latency answered in %v", d)
	}
	if err := sb.RemoveFault(ctx, slow.ID); err != nil {
		t.Fatal(err)
	}

	// Latency, then the error.
	addFault(t, sb, client.FaultRule{Endpoint: "GetAccountsSummary", Latency: "200ms", Status: 503})
	start = time.Now()
	_, err := s.client.AccountsSummary(ctx, flinks.DataRequest{RequestId: "00000000-0000-0000-0000-000000000000"})
	if e := apiErr(t, err); e.StatusCode != 503 || time.Since(start) < 200*time.Millisecond {
		t.Errorf("latency and error: %+v after %v", e, time.Since(start))
	}

	addFault(t, sb, client.FaultRule{Endpoint: "Institutions", Latency: "5m"})
	cctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	start = time.Now()
	_, err = s.client.Institutions(cctx, 0, 1)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a cancelled request: %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the cancelled request took %v", d)
	}
	// The server let the handler go: its graceful stop does not wait the
	// five minutes out.
	stopped := make(chan struct{})
	go func() { s.stop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(20 * time.Second):
		t.Fatal("the server did not stop within 20s: the cancelled wait still runs")
	}
}

// TestFaultValidation: a rule that is not valid is refused with a 400
// naming the field.
func TestFaultValidation(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	for _, tc := range []struct {
		body, field string
	}{
		{`{}`, "status"},
		{`{"endpoint": "GetAccountsDetail"}`, "status"},
		{`{"endpoint": "GetAccountz", "status": 503}`, "endpoint"},
		{`{"institution": "Nowhere Bank", "status": 503}`, "institution"},
		{`{"status": 200}`, "status"},
		{`{"status": 418}`, "status"},
		{`{"status": 999}`, "status"},
		{`{"flinks_code": "NOT_A_CODE"}`, "flinks_code"},
		{`{"flinks_code": "OPERATION_PENDING"}`, "flinks_code"},
		{`{"status": 400, "flinks_code": "RETRY_LATER"}`, "status"},
		{`{"latency": "soon"}`, "latency"},
		{`{"latency": "-1s"}`, "latency"},
		{`{"latency": "6m"}`, "latency"},
		{`{"status": 503, "probability": 0}`, "probability"},
		{`{"status": 503, "probability": 1.5}`, "probability"},
		{`{"status": 503, "times": 0}`, "times"},
		{`{"status": 503, "latencyy": "2s"}`, "latencyy"},
		{`{"status": "503"}`, ""},
		{`[]`, ""},
	} {
		r := s.doBad(http.MethodPost, "/sandbox/v1/faults", tc.body, nil)
		checkFlinksShape(t, r)
		if r.status != 400 || str(r.json, "FlinksCode") != "INVALID_REQUEST" {
			t.Errorf("%s: %d %s", tc.body, r.status, r.body)
			continue
		}
		if tc.field != "" {
			details, _ := r.json["ValidationDetails"].(map[string]any)
			if _, ok := details[tc.field]; !ok {
				t.Errorf("%s: ValidationDetails %v do not name %s", tc.body, details, tc.field)
			}
		}
	}
	if fs, err := sandboxOf(t, s).Faults(context.Background()); err != nil || len(fs) != 0 {
		t.Errorf("refused rules were kept: %+v, %v", fs, err)
	}
	// The pairs bankfeed answers are accepted.
	for _, body := range []string{`{"status": 503, "flinks_code": "RETRY_LATER"}`, `{"flinks_code": "RETRY_LATER"}`,
		`{"status": 413}`, `{"latency": "1ms", "probability": 1, "seed": -3, "times": 1}`} {
		if r := s.do(http.MethodPost, "/sandbox/v1/faults", body); r.status != http.StatusCreated {
			t.Errorf("%s: %d %s", body, r.status, r.body)
		}
	}
}

// TestFaultsControlGuard: the fault calls are behind the control surface's
// guard: 401 without the admin key, 404 outside sandbox mode without one.
func TestFaultsControlGuard(t *testing.T) {
	t.Parallel()
	s := startServerArgs(t, "", nil, "--admin-key", "the-admin-key")
	_, err := sandboxOf(t, s).AddFault(context.Background(), client.FaultRule{Status: 503})
	if e := apiErr(t, err); e.StatusCode != 401 {
		t.Errorf("without the key: %+v", e)
	}
	if _, err := sandboxOf(t, s, client.WithAdminKey("the-admin-key")).AddFault(context.Background(), client.FaultRule{Status: 503}); err != nil {
		t.Errorf("with the key: %v", err)
	}
	dir := t.TempDir()
	off := startServerArgs(t, dir, nil, "--sandbox=false", "--master-key-file", writeKeyFile(t, dir))
	if _, err := sandboxOf(t, off).Faults(context.Background()); apiErr(t, err).StatusCode != 404 {
		t.Errorf("outside sandbox mode: %v", err)
	}
}

// TestFaultsTwoProcesses runs two servers on one PostgreSQL database: a
// rule added through one applies on the other at once, and its times are
// one budget for both.
func TestFaultsTwoProcesses(t *testing.T) {
	t.Parallel()
	args := []string{"--data", t.TempDir(), "--database", pgtest.NewDatabase(t), "--refresh-at", "off"}
	a := startProcess(t, args...)
	b := startProcess(t, args...)
	sa, _ := client.NewSandbox(a.url)
	sbB, _ := client.NewSandbox(b.url)
	ctx := context.Background()
	f, err := sa.AddFault(ctx, client.FaultRule{Endpoint: "Institutions", Status: 503, Times: client.Ptr(int64(4))})
	if err != nil {
		t.Fatal(err)
	}
	var pattern strings.Builder
	for i := range 8 {
		p := a
		if i%2 == 1 {
			p = b
		}
		c, _ := client.New(p.url, sandboxCustomer)
		_, err := c.Institutions(ctx, 0, 1)
		switch {
		case err == nil:
			pattern.WriteByte('.')
		case apiErr(t, err).StatusCode == 503:
			pattern.WriteByte('x')
		default:
			t.Fatal(err)
		}
	}
	if got := pattern.String(); got != "xxxx...." {
		t.Errorf("alternating between the processes: %s, want xxxx....", got)
	}
	fs, err := sbB.Faults(ctx)
	if err != nil || len(fs) != 1 || fs[0].ID != f.ID || fs[0].Matched != 8 || fs[0].Fired != 4 {
		t.Errorf("the rule as the other process lists it: %+v, %v", fs, err)
	}
	if err := sbB.RemoveFault(ctx, f.ID); err != nil {
		t.Fatal(err)
	}
	if fs, _ := sa.Faults(ctx); len(fs) != 0 {
		t.Errorf("removed through one process, still listed by the other: %+v", fs)
	}
}
