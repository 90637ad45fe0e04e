package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/internal/store"
)

// testMarkCached checks that MarkCached moves LastCached forward only, and
// nothing else of the login: not its version, which a conversation in
// flight compares.
func testMarkCached(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreateLogin(t, s, fullLogin("cust-1", "login-1", "greatday"))
	before, err := s.Login(ctx, "cust-1", "login-1")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		at, want time.Time
	}{
		{at(time.Hour), at(time.Hour)},
		{at(time.Minute), at(time.Hour)}, // earlier: kept
		{at(2 * time.Hour), at(2 * time.Hour)},
	} {
		if err := s.MarkCached(ctx, "cust-1", "login-1", tc.at); err != nil {
			t.Fatalf("MarkCached: %v", err)
		}
		got, err := s.Login(ctx, "cust-1", "login-1")
		if err != nil {
			t.Fatal(err)
		}
		want := *before
		want.LastCached = tc.want
		checkLogin(t, "Login after MarkCached", got, &want)
	}
	if err := s.MarkCached(ctx, "cust-2", "login-1", at(0)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("MarkCached of another customer's login: %v, want store.ErrNotFound", err)
	}
	if err := s.MarkCached(ctx, "cust-1", "login-missing", at(0)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("MarkCached of a missing login: %v, want store.ErrNotFound", err)
	}
}

// testScheduledLogins checks the planner's pages: saved logins with
// scheduled refresh only, in byte order of their ids, of one customer or
// of all.
func testScheduledLogins(t *testing.T, s store.Store) {
	ctx := t.Context()
	var want1, wantAll []string
	for i, c := range []struct {
		customer           string
		saved, scheduled   bool
		expectedInSchedule bool
	}{
		{"cust-1", true, true, true},
		{"cust-2", true, true, true},
		{"cust-1", true, false, false},
		{"cust-1", false, true, false}, // nothing to log in with
		{"cust-1", true, true, true},
		{"cust-2", false, false, false},
		{"cust-1", true, true, true},
	} {
		// Ids whose byte order differs from a case-folding collation's.
		id := fmt.Sprintf("%c-login-%d", "bBaAcCd"[i], i)
		l := minimalLogin(c.customer, id, id)
		l.Saved, l.ScheduledRefresh = c.saved, c.scheduled
		mustCreateLogin(t, s, l)
		if c.expectedInSchedule {
			wantAll = append(wantAll, id)
			if c.customer == "cust-1" {
				want1 = append(want1, id)
			}
		}
	}
	slices.Sort(want1)
	slices.Sort(wantAll)
	pages := func(customer string, limit int) []string {
		t.Helper()
		var out []string
		after := ""
		for range 20 {
			page, err := s.ScheduledLogins(ctx, store.ScheduledQuery{CustomerID: customer, AfterID: after, Limit: limit})
			if err != nil {
				t.Fatalf("ScheduledLogins: %v", err)
			}
			if len(page) > limit {
				t.Fatalf("a page of %d logins, limit %d", len(page), limit)
			}
			if len(page) == 0 {
				return out
			}
			for _, l := range page {
				if customer != "" && l.CustomerID != customer {
					t.Errorf("login %s of %s in the pages of %s", l.ID, l.CustomerID, customer)
				}
				out = append(out, l.ID)
			}
			after = page[len(page)-1].ID
		}
		t.Fatal("ScheduledLogins does not end")
		return nil
	}
	for _, limit := range []int{1, 2, 100} {
		if got := pages("", limit); !slices.Equal(got, wantAll) {
			t.Errorf("every customer, pages of %d: %q, want %q", limit, got, wantAll)
		}
		if got := pages("cust-1", limit); !slices.Equal(got, want1) {
			t.Errorf("cust-1, pages of %d: %q, want %q", limit, got, want1)
		}
	}
	// The logins come back whole.
	l := fullLogin("cust-3", "login-full", "full")
	mustCreateLogin(t, s, l)
	got, err := s.ScheduledLogins(ctx, store.ScheduledQuery{CustomerID: "cust-3", Limit: 10})
	if err != nil || len(got) != 1 {
		t.Fatalf("ScheduledLogins of cust-3 = %d logins, %v", len(got), err)
	}
	checkLogin(t, "ScheduledLogins", got[0], l)
}
