package storetest

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/internal/store"
)

// RunSandbox runs the conformance suite of store.Sandbox, the fault rules
// and the journal, against the stores open returns, which must implement
// it; like Run, each subtest opens a fresh store and Run closes it.
func RunSandbox(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store, sb store.Sandbox)
	}{
		{"FaultRoundTrip", testFaultRoundTrip},
		{"MatchFaultBudget", testMatchFaultBudget},
		{"JournalQuery", testJournalQuery},
		{"JournalBound", testJournalBound},
		{"DeleteLoginJournal", testDeleteLoginJournal},
		{"SandboxLogins", testSandboxLogins},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			sb, ok := s.(store.Sandbox)
			if !ok {
				t.Fatalf("%T does not implement store.Sandbox", s)
			}
			tc.fn(t, s, sb)
		})
	}
}

func fault(id, customerID string) *store.Fault {
	return &store.Fault{ID: id, Endpoint: "GetAccountsDetail", Institution: "FlinksCapital", LoginID: "login-" + id,
		CustomerID: customerID, Status: 503, FlinksCode: "RETRY_LATER", Latency: 1500 * time.Millisecond, Probability: 0.25,
		Seed: -7, Times: 5, Matched: 2, Fired: 1, CreatedAt: at(0)}
}

func testFaultRoundTrip(t *testing.T, _ store.Store, sb store.Sandbox) {
	ctx := t.Context()
	// Made out of id order: the list keeps the order of making.
	for _, f := range []*store.Fault{fault("f-2", "cust-1"), fault("f-1", "cust-2"), fault("f-3", "cust-1")} {
		if err := sb.CreateFault(ctx, f); err != nil {
			t.Fatalf("CreateFault %s: %v", f.ID, err)
		}
	}
	if err := sb.CreateFault(ctx, fault("f-1", "cust-1")); !errors.Is(err, store.ErrConflict) {
		t.Errorf("CreateFault of a taken id: %v, want store.ErrConflict", err)
	}
	fs, err := sb.Faults(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 3 || fs[0].ID != "f-2" || fs[1].ID != "f-1" || fs[2].ID != "f-3" {
		t.Fatalf("Faults = %v, want f-2, f-1, f-3", faultIDs(fs))
	}
	want := fault("f-2", "cust-1")
	want.CreatedAt = want.CreatedAt.UTC()
	if *fs[0] != *want {
		t.Errorf("Faults[0] = %+v, want %+v", *fs[0], *want)
	}
	if err := sb.DeleteFault(ctx, "f-1"); err != nil {
		t.Errorf("DeleteFault: %v", err)
	}
	if err := sb.DeleteFault(ctx, "f-1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteFault again: %v, want store.ErrNotFound", err)
	}
	if err := sb.CreateFault(ctx, fault("f-4", "cust-2")); err != nil {
		t.Fatal(err)
	}
	if n, err := sb.DeleteFaults(ctx, "cust-1"); err != nil || n != 2 {
		t.Errorf("DeleteFaults(cust-1) = %d, %v, want 2", n, err)
	}
	if fs, _ := sb.Faults(ctx); len(fs) != 1 || fs[0].ID != "f-4" {
		t.Errorf("after DeleteFaults(cust-1): %v, want f-4", faultIDs(fs))
	}
	if n, err := sb.DeleteFaults(ctx, ""); err != nil || n != 1 {
		t.Errorf("DeleteFaults() = %d, %v, want 1", n, err)
	}
	if _, err := sb.MatchFault(ctx, "f-4", func(int64) bool { return true }); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("MatchFault of a deleted rule: %v, want store.ErrNotFound", err)
	}
}

func faultIDs(fs []*store.Fault) []string {
	var ids []string
	for _, f := range fs {
		ids = append(ids, f.ID)
	}
	return ids
}

// testMatchFaultBudget matches a rule from many goroutines at once: every
// match gets its own number, and no more than Times fire.
func testMatchFaultBudget(t *testing.T, _ store.Store, sb store.Sandbox) {
	ctx := t.Context()
	f := &store.Fault{ID: "budget", Status: 503, FlinksCode: "RETRY_LATER", Probability: 1, Times: 7, CreatedAt: at(0)}
	if err := sb.CreateFault(ctx, f); err != nil {
		t.Fatal(err)
	}
	const workers, each = 8, 5
	var fired atomic.Int64
	var mu sync.Mutex
	seen := map[int64]bool{}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				ok, err := sb.MatchFault(ctx, "budget", func(n int64) bool {
					mu.Lock()
					defer mu.Unlock()
					if seen[n] {
						t.Errorf("request number %d given twice", n)
					}
					seen[n] = true
					return n%2 == 0 // the even ones
				})
				if err != nil {
					t.Error(err)
					return
				}
				if ok {
					fired.Add(1)
				}
			}
		})
	}
	wg.Wait()
	fs, err := sb.Faults(ctx)
	if err != nil || len(fs) != 1 {
		t.Fatalf("Faults = %v, %v", fs, err)
	}
	if fs[0].Matched != workers*each || fs[0].Fired != 7 || fired.Load() != 7 {
		t.Errorf("matched %d, fired %d (callers told %d), want %d and 7", fs[0].Matched, fs[0].Fired, fired.Load(), workers*each)
	}
	// fires is asked until the budget is spent: of the even numbers, the
	// seventh is 14.
	for n := int64(1); n <= 14; n++ {
		if !seen[n] {
			t.Errorf("request number %d never given", n)
		}
	}
	if len(seen) != 14 {
		t.Errorf("fires asked about %d requests, want 14: once Times are spent it is not asked", len(seen))
	}
}

func entry(customerID, loginID, requestID string, clock time.Duration) *store.JournalEntry {
	return &store.JournalEntry{Kind: store.JournalRequest, CustomerID: customerID, LoginID: loginID, RequestID: requestID,
		Method: "POST", Path: "/v3/" + customerID + "/BankingServices/Authorize", Status: 200, FlinksCode: "",
		Duration: 1234 * time.Microsecond, At: at(clock), Clock: at(clock + time.Hour),
		RequestBody: []byte(`{"LoginId":"` + loginID + `"}`), ResponseBody: []byte{0, 1, 0xff}}
}

func testJournalQuery(t *testing.T, _ store.Store, sb store.Sandbox) {
	ctx := t.Context()
	es := []*store.JournalEntry{
		entry("cust-1", "login-1", "req-1", 0),
		entry("cust-1", "login-2", "req-2", time.Second),
		entry("cust-2", "login-3", "req-3", 2*time.Second),
		{Kind: store.JournalEvent, CustomerID: "cust-1", LoginID: "login-1", RequestID: "req-1", Event: "fetch done",
			Detail: "3 accounts", At: at(3 * time.Second), Clock: at(3*time.Second + time.Hour)},
	}
	if err := sb.AppendJournal(ctx, es[:2], 100); err != nil {
		t.Fatal(err)
	}
	if err := sb.AppendJournal(ctx, es[2:], 100); err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(es); i++ {
		if es[i].Seq <= es[i-1].Seq {
			t.Fatalf("Seq %d after %d: not increasing", es[i].Seq, es[i-1].Seq)
		}
	}
	seqs := func(got []*store.JournalEntry) string {
		var out []int64
		for _, e := range got {
			out = append(out, e.Seq)
		}
		return fmt.Sprint(out)
	}
	want := func(idx ...int) string {
		var out []int64
		for _, i := range idx {
			out = append(out, es[i].Seq)
		}
		return fmt.Sprint(out)
	}
	for _, tc := range []struct {
		q    store.JournalQuery
		want string
	}{
		{store.JournalQuery{}, want(3, 2, 1, 0)},
		{store.JournalQuery{Limit: 2}, want(3, 2)},
		{store.JournalQuery{CustomerID: "cust-1"}, want(3, 1, 0)},
		{store.JournalQuery{LoginID: "login-1"}, want(3, 0)},
		{store.JournalQuery{RequestID: "req-2"}, want(1)},
		{store.JournalQuery{CustomerID: "cust-2", LoginID: "login-1"}, want()},
		{store.JournalQuery{AfterSeq: es[1].Seq}, want(3, 2)},
		{store.JournalQuery{Since: at(time.Second + time.Hour)}, want(3, 2, 1)},
	} {
		got, err := sb.Journal(ctx, tc.q)
		if err != nil {
			t.Fatal(err)
		}
		if seqs(got) != tc.want {
			t.Errorf("Journal(%+v) = %s, want %s", tc.q, seqs(got), tc.want)
		}
	}
	got, err := sb.Journal(ctx, store.JournalQuery{RequestID: "req-1"})
	if err != nil || len(got) != 2 {
		t.Fatalf("Journal(req-1) = %v, %v", got, err)
	}
	w := *es[0]
	w.At, w.Clock = w.At.UTC(), w.Clock.UTC()
	if g := *got[1]; fmt.Sprint(g) != fmt.Sprint(w) {
		t.Errorf("entry read back:\n%+v\nwant\n%+v", g, w)
	}
	if g, w := *got[0], *es[3]; g.Event != w.Event || g.Detail != w.Detail || g.Kind != store.JournalEvent || g.RequestBody != nil {
		t.Errorf("event read back: %+v", g)
	}
}

func testJournalBound(t *testing.T, _ store.Store, sb store.Sandbox) {
	ctx := t.Context()
	for i := range 5 {
		batch := []*store.JournalEntry{entry("c", "l", fmt.Sprint("a", i), 0), entry("c", "l", fmt.Sprint("b", i), 0)}
		if err := sb.AppendJournal(ctx, batch, 3); err != nil {
			t.Fatal(err)
		}
	}
	got, err := sb.Journal(ctx, store.JournalQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].RequestID != "b4" || got[1].RequestID != "a4" || got[2].RequestID != "b3" {
		t.Errorf("after 10 entries kept to 3: %d entries, newest %v", len(got), got)
	}
	// A batch larger than a store writes in one statement keeps its order.
	var big []*store.JournalEntry
	for i := range 150 {
		big = append(big, entry("c", "l", fmt.Sprint("big", i), 0))
	}
	if err := sb.AppendJournal(ctx, big, 1000); err != nil {
		t.Fatal(err)
	}
	got, err = sb.Journal(ctx, store.JournalQuery{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 153 {
		t.Fatalf("after 150 more kept to 1000: %d entries", len(got))
	}
	for i, e := range big {
		if r := got[149-i]; r.Seq != e.Seq || r.RequestID != e.RequestID {
			t.Fatalf("entry %d of the batch read back as %s (seq %d), was given seq %d", i, r.RequestID, r.Seq, e.Seq)
		}
	}
}

func testDeleteLoginJournal(t *testing.T, s store.Store, sb store.Sandbox) {
	ctx := t.Context()
	mustCreateLogin(t, s, fullLogin("cust-1", "login-1", "a"))
	mustCreateLogin(t, s, fullLogin("cust-1", "login-2", "b"))
	mustCreateSession(t, s, fullSession("cust-1", "req-1", "login-1"))
	// The first round of the conversation that made login-1 names only its
	// session; another customer's entry naming login-1 stays.
	es := []*store.JournalEntry{entry("cust-1", "", "req-1", 0), entry("cust-1", "login-1", "req-9", 0),
		entry("cust-1", "login-2", "req-2", 0), entry("cust-2", "login-1", "req-1", 0)}
	if err := sb.AppendJournal(ctx, es, 100); err != nil {
		t.Fatal(err)
	}
	// The login's entries include those of its session without its id.
	mine, err := sb.Journal(ctx, store.JournalQuery{LoginID: "login-1", CustomerID: "cust-1"})
	if err != nil || len(mine) != 2 || mine[0].Seq != es[1].Seq || mine[1].Seq != es[0].Seq {
		t.Errorf("Journal(login-1) = %+v, %v, want the entries of its session and of itself", mine, err)
	}
	if err := s.DeleteLogin(ctx, "cust-1", "login-1"); err != nil {
		t.Fatal(err)
	}
	got, err := sb.Journal(ctx, store.JournalQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Seq != es[3].Seq || got[1].Seq != es[2].Seq {
		t.Errorf("after DeleteLogin: %+v, want the entries of login-2 and of the other customer", got)
	}
	if err := s.DeleteLogin(ctx, "cust-1", "nobody"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteLogin of no login: %v", err)
	}
	if got, _ := sb.Journal(ctx, store.JournalQuery{}); len(got) != 2 {
		t.Errorf("a DeleteLogin that found nothing deleted entries: %d left", len(got))
	}
}

func testSandboxLogins(t *testing.T, s store.Store, sb store.Sandbox) {
	ctx := t.Context()
	l1, l2, l3 := fullLogin("cust-1", "login-1", "a"), fullLogin("cust-1", "login-2", "b"), fullLogin("cust-2", "login-3", "c")
	l2.CreatedAt, l3.CreatedAt = l1.CreatedAt.Add(time.Minute), l1.CreatedAt.Add(2*time.Minute)
	for _, l := range []*store.Login{l1, l2, l3} {
		mustCreateLogin(t, s, l)
	}
	ids := func(ls []*store.Login) string {
		var out []string
		for _, l := range ls {
			out = append(out, l.ID)
			if l.Sealed != nil || l.DataKey != nil {
				t.Errorf("SandboxLogins read the sealed values of %s", l.ID)
			}
		}
		return fmt.Sprint(out)
	}
	if got, err := sb.SandboxLogins(ctx, "", 10); err != nil || ids(got) != "[login-3 login-2 login-1]" {
		t.Errorf("SandboxLogins(all) = %s, %v", ids(got), err)
	}
	if got, err := sb.SandboxLogins(ctx, "cust-1", 1); err != nil || ids(got) != "[login-2]" {
		t.Errorf("SandboxLogins(cust-1, 1) = %s, %v", ids(got), err)
	}
	got, err := sb.SandboxLogins(ctx, "cust-2", 10)
	if err != nil || len(got) != 1 || got[0].Institution != l3.Institution || !got[0].LastRefresh.Equal(l3.LastRefresh) || !got[0].ScheduledRefresh {
		t.Errorf("SandboxLogins(cust-2) = %+v, %v", got, err)
	}
	old, recent := fullSession("cust-1", "req-1", "login-1"), fullSession("cust-1", "req-2", "login-1")
	recent.CreatedAt = old.CreatedAt.Add(time.Minute)
	for _, ss := range []*store.Session{old, recent, fullSession("cust-1", "req-3", "login-2")} {
		mustCreateSession(t, s, ss)
	}
	sessions, err := sb.LoginSessions(ctx, "cust-1", "login-1", 10)
	if err != nil || len(sessions) != 2 || sessions[0].ID != "req-2" || sessions[1].ID != "req-1" {
		t.Fatalf("LoginSessions = %+v, %v", sessions, err)
	}
	if g := sessions[1]; g.State != old.State || g.Mode != old.Mode || g.Fetch != old.Fetch || g.FetchCode != old.FetchCode ||
		g.Attempts != old.Attempts || !g.CreatedAt.Equal(old.CreatedAt) || g.Sealed != nil {
		t.Errorf("LoginSessions read back %+v", g)
	}
	if got, err := sb.LoginSessions(ctx, "cust-2", "login-1", 10); err != nil || len(got) != 0 {
		t.Errorf("another customer's LoginSessions = %+v, %v", got, err)
	}
}
