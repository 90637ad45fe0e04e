package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
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

// journalOf reads the journal through the SDK, failing the test on error.
func journalOf(t *testing.T, sb *client.Sandbox, f client.JournalFilter) []client.JournalEntry {
	t.Helper()
	es, err := sb.Journal(context.Background(), f)
	if err != nil {
		t.Fatalf("Journal %+v: %v", f, err)
	}
	return es
}

// requests keeps the request entries of es whose path ends with op.
func requests(es []client.JournalEntry, op string) []client.JournalEntry {
	var out []client.JournalEntry
	for _, e := range es {
		if e.Kind == "request" && strings.HasSuffix(strings.SplitN(e.Path, "?", 2)[0], op) {
			out = append(out, e)
		}
	}
	return out
}

// events lists the event names of es, oldest first.
func events(es []client.JournalEntry) []string {
	var out []string
	for i := len(es) - 1; i >= 0; i-- {
		if es[i].Kind == "event" {
			out = append(out, es[i].Event)
		}
	}
	return out
}

// journalUnknown is journal.Unknown, as the journal shows it in a path.
const journalUnknown = "[unknown id]"

// settle waits until the journal stops growing: the events of a fetch job
// are recorded as its transaction commits, which may be just after the
// answer that showed its data.
func settle(t *testing.T, sb *client.Sandbox) {
	t.Helper()
	last := int64(-1)
	for range 100 {
		es := journalOf(t, sb, client.JournalFilter{Limit: 1})
		newest := int64(0)
		if len(es) > 0 {
			newest = es[0].ID
		}
		if newest == last {
			return
		}
		last = newest
		time.Sleep(150 * time.Millisecond)
	}
	t.Fatal("the journal did not settle in 15s")
}

// TestJournalRecordsRequests: every API request is in the journal, newest
// first, with its customer, session, login, status, FlinksCode, duration,
// both clocks and its bodies, beside the events it caused; the filters
// select.
func TestJournalRecordsRequests(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	sb := sandboxOf(t, s)
	ctx := context.Background()
	before := time.Now().Add(-time.Second)
	auth := liveLogin(t, s, "Greatday")
	detail(t, s, flinks.DataRequest{RequestId: auth.RequestId})
	other := liveLogin(t, s, "greatday_nomfa")
	detail(t, s, flinks.DataRequest{RequestId: other.RequestId})
	settle(t, sb)
	bad := s.post("GetAccountsSummary", `{"RequestId": "not-a-session"}`)

	all := journalOf(t, sb, client.JournalFilter{Limit: 1000})
	if len(all) == 0 {
		t.Fatal("the journal is empty")
	}
	for i := 1; i < len(all); i++ {
		if all[i].ID >= all[i-1].ID {
			t.Fatalf("not newest first: %d after %d", all[i].ID, all[i-1].ID)
		}
	}
	newest := all[0]
	if newest.Kind != "request" || newest.Method != "POST" || newest.Status != bad.status || newest.FlinksCode != str(bad.json, "FlinksCode") ||
		newest.CustomerID != sandboxCustomer || !strings.HasSuffix(newest.Path, "/GetAccountsSummary") {
		t.Errorf("newest entry: %+v, want the failed GetAccountsSummary (%d %s)", newest, bad.status, bad.body)
	}
	// A RequestId that names no session is not kept.
	if !strings.Contains(string(newest.RequestBody), `"RequestId":"[unknown id]"`) || strings.Contains(string(newest.RequestBody), "not-a-session") ||
		!strings.Contains(string(newest.ResponseBody), str(bad.json, "FlinksCode")) {
		t.Errorf("bodies of the newest entry: %s / %s", newest.RequestBody, newest.ResponseBody)
	}
	if !newest.Clock.Equal(s.clock.Now()) {
		t.Errorf("clock = %v, want the server's clock %v", newest.Clock, s.clock.Now())
	}
	if newest.At.Before(before) || newest.At.After(time.Now().Add(time.Second)) {
		t.Errorf("at = %v, want the wall clock's now", newest.At)
	}

	// The login's conversation: the 203, the answer's 200, the data calls,
	// and the events of its session.
	mine := journalOf(t, sb, client.JournalFilter{LoginID: auth.Login.Id, Limit: 1000})
	auths := requests(mine, "/Authorize")
	if len(auths) != 2 || auths[1].Status != 203 || auths[0].Status != 200 || auths[0].LoginID != auth.Login.Id ||
		auths[0].RequestID != auth.RequestId || auths[0].DurationMs <= 0 {
		t.Errorf("the login's Authorize entries: %+v", auths)
	}
	if ds := requests(mine, "/GetAccountsDetail"); len(ds) == 0 || ds[0].LoginID != auth.Login.Id || ds[0].RequestID != auth.RequestId {
		t.Errorf("the login's GetAccountsDetail entries: %+v", ds)
	}
	evs := strings.Join(events(mine), ", ")
	for _, want := range []string{"session challenged", "session authorized", "fetch pending", "snapshot stored", "fetch done", "login created"} {
		if !strings.Contains(evs, want) {
			t.Errorf("the login's events %q lack %q", evs, want)
		}
	}
	for _, e := range mine {
		if e.LoginID != auth.Login.Id && e.RequestID != auth.RequestId {
			t.Errorf("login filter let through %+v", e)
		}
	}
	// By session, by customer, after an id, and a limit.
	for _, e := range journalOf(t, sb, client.JournalFilter{RequestID: other.RequestId}) {
		if e.RequestID != other.RequestId {
			t.Errorf("request filter let through %+v", e)
		}
	}
	if es := journalOf(t, sb, client.JournalFilter{CustomerID: "7a0c1b2d-0000-4000-8000-00000000dead"}); len(es) != 0 {
		t.Errorf("another customer's journal: %+v", es)
	}
	if es := journalOf(t, sb, client.JournalFilter{AfterID: all[2].ID}); len(es) != 2 || es[0].ID != all[0].ID || es[1].ID != all[1].ID {
		t.Errorf("after id %d: %+v", all[2].ID, es)
	}
	if es := journalOf(t, sb, client.JournalFilter{Limit: 3}); len(es) != 3 || es[0].ID != all[0].ID {
		t.Errorf("limit 3: %d entries", len(es))
	}
	// Since, on the server's clock.
	s.clock.Advance(time.Hour)
	if _, err := s.client.Institutions(ctx, 0, 1); err != nil {
		t.Fatal(err)
	}
	if es := journalOf(t, sb, client.JournalFilter{Since: s.clock.Now()}); len(es) != 1 || !strings.Contains(es[0].Path, "/Institutions") {
		t.Errorf("since the clock's now: %+v", es)
	}
	for _, q := range []string{"?limit=0", "?limit=1001", "?since=yesterday", "?limit=x"} {
		r := s.doBad(http.MethodGet, "/sandbox/v1/journal"+q, "", nil)
		checkFlinksShape(t, r)
		if r.status != 400 {
			t.Errorf("journal%s: %d %s", q, r.status, r.body)
		}
	}
}

// TestJournalNoSecrets runs the flows of TestNoSecretLeaks, then searches
// what the journal answers, and the database that holds it, for every
// credential, answer, token and key.
func TestJournalNoSecrets(t *testing.T) {
	t.Parallel()
	dir, scenarios := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(scenarios, "vaultbank.json"), []byte(leakScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startServerArgs(t, dir, nil, "--scenarios", scenarios)
	keys := s.addCustomer()
	c := s.clientWith(keys)
	ctx := context.Background()
	const password, answer, choice = "Pw-Kq8vT3-NeverLogged", "Zyxwvut-Answer-4471", "Qwzcolour-Choice-8812"
	answers := func(_ context.Context, cs []flinks.SecurityChallenge) (flinks.SecurityResponses, error) {
		out := flinks.SecurityResponses{}
		for _, ch := range cs {
			if ch.Type == flinks.MultipleChoice {
				out[ch.Prompt] = []string{choice}
			} else {
				out[ch.Prompt] = []string{answer}
			}
		}
		return out, nil
	}
	resp, err := c.AuthorizeWithMFA(ctx, flinks.AuthorizeRequest{Institution: "VaultBank", Username: "leaktest", Password: password, Save: true}, answers)
	if err != nil || resp.Login == nil {
		t.Fatalf("%+v, %v", resp, err)
	}
	if _, err := c.AccountsDetailReady(ctx, flinks.DataRequest{RequestId: resp.RequestId}, fastPoll...); err != nil {
		t.Fatal(err)
	}
	if err := c.AnswerMFAQuestions(ctx, resp.Login.Id, []flinks.MFAQuestion{{Question: "Name of your first pet?", Answer: answer}}); err != nil {
		t.Logf("AnswerMFAQuestions: %v", err)
	}
	var tokens []string
	for range 2 {
		tok, err := c.GenerateAuthorizeToken(ctx, keys.Secret)
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, tok)
	}
	for _, body := range []string{
		`{"Institution":"VaultBank","Username":"leaktest","Password":"` + password + `"`,
		`{"Institution":"VaultBank","Username":"leaktest","Password":["` + password + `"]}`,
		`{"Institution":"VaultBank","Username":"leaktest","password":"` + password + `","AuthorizeToken":"` + tokens[1] + `"}`,
		`{"RequestId":"x","SecurityResponses":{"Name of your first pet?":["` + answer + `"]}}`,
	} {
		s.doBad("POST", bs(keys.CustomerID, "Authorize"), body, hdr("flinks-auth-key", tokens[0]))
	}
	journalBody := s.do(http.MethodGet, "/sandbox/v1/journal?limit=1000", "").body
	s.stop()
	db, err := os.ReadFile(filepath.Join(dir, "bankfeed.db"))
	if err != nil {
		t.Fatal(err)
	}
	wal, _ := os.ReadFile(filepath.Join(dir, "bankfeed.db-wal"))
	secrets := map[string]string{"password": password, "MFA answer": answer, "multiple-choice answer": choice,
		"secret key": keys.Secret, "x-api-key": keys.APIKey, "token 1": tokens[0], "token 2": tokens[1]}
	for where, data := range map[string][]byte{"the journal's answer": journalBody, "the database": db, "the WAL": wal} {
		for what, secret := range secrets {
			if bytes.Contains(bytes.ToLower(data), bytes.ToLower([]byte(secret))) {
				t.Errorf("%s holds the %s", where, what)
			}
		}
	}
	// The search finds what it looks for: the journal holds the flows, with
	// the username, which is not secret, and the redactions.
	for _, want := range []string{"leaktest", "[redacted]", "Name of your first pet?", "/GenerateAuthorizeToken", "body not kept: not JSON"} {
		if !bytes.Contains(journalBody, []byte(want)) {
			t.Errorf("the journal lacks %q: it did not record the flows searched", want)
		}
	}
}

// TestJournalBound: the journal keeps the newest --journal-size entries.
func TestJournalBound(t *testing.T) {
	t.Parallel()
	s := startServerArgs(t, "", nil, "--journal-size", "5")
	for range 12 {
		if _, err := s.client.Institutions(context.Background(), 0, 1); err != nil {
			t.Fatal(err)
		}
	}
	sb := sandboxOf(t, s)
	es := journalOf(t, sb, client.JournalFilter{Limit: 1000})
	if len(es) != 5 {
		t.Errorf("%d entries kept, want 5", len(es))
	}
	// And once more after more requests: the bound is kept, not reached
	// once.
	for range 7 {
		s.client.Institutions(context.Background(), 0, 1)
	}
	if es2 := journalOf(t, sb, client.JournalFilter{Limit: 1000}); len(es2) != 5 || es2[0].ID <= es[0].ID {
		t.Errorf("after 7 more: %d entries, newest %d (was %d)", len(es2), es2[0].ID, es[0].ID)
	}
}

// TestJournalOff: --journal-size 0 records nothing and the journal call
// says it is off.
func TestJournalOff(t *testing.T) {
	t.Parallel()
	s := startServerArgs(t, "", nil, "--journal-size", "0")
	liveLogin(t, s, "greatday_nomfa")
	r := s.do(http.MethodGet, "/sandbox/v1/journal", "")
	checkFlinksShape(t, r)
	if r.status != 404 {
		t.Errorf("journal when off: %d %s", r.status, r.body)
	}
}

// TestJournalDeleteCard: DeleteCard removes the login's entries, those of
// the conversation that made it included, and leaves another login's.
func TestJournalDeleteCard(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	sb := sandboxOf(t, s)
	gone := liveLogin(t, s, "Greatday")
	detail(t, s, flinks.DataRequest{RequestId: gone.RequestId})
	kept := liveLogin(t, s, "greatday_nomfa")
	detail(t, s, flinks.DataRequest{RequestId: kept.RequestId})
	settle(t, sb)
	before := journalOf(t, sb, client.JournalFilter{LoginID: gone.Login.Id, Limit: 1000})
	keptBefore := journalOf(t, sb, client.JournalFilter{LoginID: kept.Login.Id, Limit: 1000})
	if len(before) < 5 || len(keptBefore) < 5 {
		t.Fatalf("too few entries to see a deletion: %d and %d", len(before), len(keptBefore))
	}
	if _, err := s.client.DeleteCard(context.Background(), gone.Login.Id); err != nil {
		t.Fatal(err)
	}
	// Requests naming the login after its deletion are recorded, without
	// its ids: the DeleteCard itself, a reopen, a data call of its session.
	if _, err := s.client.AuthorizeCached(context.Background(), gone.Login.Id); err == nil {
		t.Fatal("a cached reopen of a deleted login passed")
	}
	if _, err := s.client.AccountsDetail(context.Background(), flinks.DataRequest{RequestId: gone.RequestId}); err == nil {
		t.Fatal("a data call of a deleted login's session passed")
	}
	if after := journalOf(t, sb, client.JournalFilter{LoginID: gone.Login.Id, Limit: 1000}); len(after) != 0 {
		t.Errorf("the deleted login's entries: %+v", after)
	}
	all := journalOf(t, sb, client.JournalFilter{Limit: 1000})
	for _, e := range all {
		raw, _ := json.Marshal(e)
		if bytes.Contains(raw, []byte(gone.Login.Id)) || bytes.Contains(raw, []byte(gone.RequestId)) {
			t.Errorf("an entry still names the deleted login or its session: %s", raw)
		}
	}
	if dc := requests(all, "/DeleteCard/"+journalUnknown); len(dc) != 1 || dc[0].Status != 200 {
		t.Errorf("the DeleteCard entry: %+v", dc)
	}
	if re := requests(all, "/Authorize"); len(re) == 0 || re[0].Status != 401 || !strings.Contains(string(re[0].RequestBody), journalUnknown) {
		t.Errorf("the reopen after the deletion: %+v", re)
	}
	if keptAfter := journalOf(t, sb, client.JournalFilter{LoginID: kept.Login.Id, Limit: 1000}); len(keptAfter) != len(keptBefore) {
		t.Errorf("the other login's entries: %d, were %d", len(keptAfter), len(keptBefore))
	}
}

// TestJournalSurvivesRestart: the journal is in the database.
func TestJournalSurvivesRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := startServer(t, dir, nil)
	auth := liveLogin(t, s, "greatday_nomfa")
	// Stopped without a read first: the stop writes what is pending.
	s.stop()
	s = startServer(t, dir, nil)
	es := journalOf(t, sandboxOf(t, s), client.JournalFilter{RequestID: auth.RequestId})
	if len(requests(es, "/Authorize")) != 1 {
		t.Errorf("after a restart: %+v", es)
	}
}

// TestJournalTwoProcesses: two servers on one PostgreSQL database show one
// journal.
func TestJournalTwoProcesses(t *testing.T) {
	t.Parallel()
	args := []string{"--data", t.TempDir(), "--database", pgtest.NewDatabase(t), "--refresh-at", "off"}
	a := startProcess(t, args...)
	b := startProcess(t, args...)
	ca, _ := client.New(a.url, sandboxCustomer)
	resp, err := ca.AuthorizeWithMFA(context.Background(), flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "greatday_nomfa",
		Password: "Everyday", Save: true}, answerSandbox)
	if err != nil {
		t.Fatal(err)
	}
	sbB, _ := client.NewSandbox(b.url)
	// A has written its entries within its flush interval (100ms).
	deadline := time.Now().Add(10 * time.Second)
	for {
		es := journalOf(t, sbB, client.JournalFilter{RequestID: resp.RequestId})
		if len(requests(es, "/Authorize")) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("process B's journal lacks A's Authorize after 10s: %+v", es)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Read through the raw endpoint too: the body is the shape documented.
	res, err := http.Get(b.url + "/sandbox/v1/journal?limit=1")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || !bytes.HasPrefix(body, []byte(`{"entries":[{"id":`)) {
		t.Errorf("journal body: %d %s", res.StatusCode, body)
	}
}

// TestJournalEvents: the journal shows the events of a login's life beyond
// its sessions: the webhook attempts of its fetches, and a live reopen's
// refresh.
func TestJournalEvents(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t, hookSecret, 0)
	s := startServerArgs(t, "", nil, "--refresh-at", "off", "--sandbox-webhook-url", rcv.url(), "--sandbox-webhook-secret", hookSecret)
	sb := sandboxOf(t, s)
	auth := liveLogin(t, s, "Greatday")
	rcv.waitFor(2, 30*time.Second)
	if live, err := s.client.AuthorizeLive(context.Background(), auth.Login.Id, true); err != nil || live.Challenged() {
		t.Fatalf("live reopen: %+v, %v", live, err)
	}
	// The reopen fetches again, and delivers again.
	rcv.waitFor(4, 30*time.Second)
	settle(t, sb)
	var attempts, refreshed int
	for _, e := range journalOf(t, sb, client.JournalFilter{LoginID: auth.Login.Id, Limit: 1000}) {
		switch {
		case e.Event == "webhook attempt" && strings.Contains(e.Detail, "attempt 1: status 200"):
			attempts++
		case e.Event == "login refreshed":
			refreshed++
		}
	}
	if attempts != 4 || refreshed != 1 {
		t.Errorf("%d webhook attempts (want 4: KYC and GetAccountsDetail after each fetch) and %d refreshes (want 1, the live reopen)",
			attempts, refreshed)
	}
}

// TestJournalNamesDataCallsLogin: a data call's entry names its login
// without the journal reading its session: its body, over the journal's
// limit, does not give the login, and the HTTP surface hands it over. The
// store's reads are counted through --metrics-addr, where the journal's
// one read of sessions is an operation of its own.
func TestJournalNamesDataCallsLogin(t *testing.T) {
	t.Parallel()
	metricsAddr := freeAddr(t)
	s := startServerArgs(t, "", nil, "--metrics-addr", metricsAddr, "--refresh-at", "off")
	sb := sandboxOf(t, s)
	ctx := context.Background()
	auth := liveLogin(t, s, "Greatday")
	detail(t, s, flinks.DataRequest{RequestId: auth.RequestId})
	cached, err := s.client.Authorize(ctx, flinks.AuthorizeRequest{LoginId: auth.Login.Id, MostRecentCached: true})
	if err != nil {
		t.Fatal(err)
	}
	settle(t, sb)
	// Past the second for which the journal trusts a session it saw (the
	// cached Authorize's), so that only the entry can name the login.
	time.Sleep(1100 * time.Millisecond)
	reads := func() float64 {
		n, _ := scrapeMetrics(t, metricsAddr).value(t, "bankfeed_db_operation_duration_seconds", "op", "SessionLogins")
		return n
	}
	before := reads()
	detail(t, s, flinks.DataRequest{RequestId: cached.RequestId})
	es := requests(journalOf(t, sb, client.JournalFilter{RequestID: cached.RequestId, Limit: 10}), "/GetAccountsDetail")
	if len(es) != 1 || es[0].LoginID != auth.Login.Id || es[0].Status != 200 {
		t.Fatalf("the cached session's GetAccountsDetail entries: %+v", es)
	}
	if after := reads(); after != before {
		t.Errorf("the journal read sessions %v times for the data call's entry, want none", after-before)
	}
}
