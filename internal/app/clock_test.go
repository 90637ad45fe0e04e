package app_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/app"
)

// TestRefreshFarFromToday runs the whole scheduled-refresh flow on a clock a
// year away from the real date, ahead and behind: a live login saved with
// scheduled refresh, its fetch, a cached read, days passing, `bankfeed
// refresh --now`, and the cached read of the refreshed data. Every rule of
// the flow compares times that the components wrote with the time they
// read: a component that read the wall clock where it was given a clock
// would find the login a year stale, or a year in the future, and plan
// nothing.
func TestRefreshFarFromToday(t *testing.T) {
	t.Parallel()
	for name, offset := range map[string]time.Duration{"a year ahead": 365 * 24 * time.Hour, "a year behind": -365 * 24 * time.Hour} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			clk := &clock{now: time.Now().UTC().Add(offset).Truncate(time.Second)}
			s := startServerArgs(t, "", clk, "--refresh-at", "off")
			ctx := context.Background()

			resp, err := s.client.Authorize(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "Greatday",
				Password: "Everyday", Save: true, ScheduleRefresh: true})
			_, resp, err = walk(t, s, resp, err, false)
			login := wantAuthorized(t, resp, err, "FlinksCapital").Login.Id
			detail(t, s, flinks.DataRequest{RequestId: resp.RequestId})

			clk.Advance(2 * 24 * time.Hour)
			cached, err := s.client.AuthorizeCached(ctx, login)
			if err != nil {
				t.Fatalf("cached reopen: %v", err)
			}
			detail(t, s, flinks.DataRequest{RequestId: cached.RequestId})

			var out bytes.Buffer
			args := []string{"refresh", "--now", "--data", s.dataDir}
			if err := app.Main(ctx, args, func(string) string { return "" }, &out, testLogWriter{t}, app.WithClock(clk.Now)); err != nil {
				t.Fatalf("bankfeed refresh --now: %v", err)
			}
			for _, want := range []string{"1 logins planned, 0 ineligible", "refreshed 1, need the user 0, failed 0"} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("refresh --now printed %q, want it to say %q", out.String(), want)
				}
			}
			cached, err = s.client.AuthorizeCached(ctx, login)
			today := clk.Now().UTC().Format("2006-01-02")
			if err != nil || cached.Login.LastRefresh == nil || !strings.HasPrefix(*cached.Login.LastRefresh, today) {
				t.Fatalf("LastRefresh after the refresh: %+v, %v; want the clock's day %s", cached.Login, err, today)
			}
			d := detail(t, s, flinks.DataRequest{RequestId: cached.RequestId})
			newest := ""
			for _, a := range d.Accounts {
				for _, tx := range a.Transactions {
					newest = max(newest, tx.Date)
				}
			}
			if newest != today {
				t.Errorf("newest transaction after the refresh is of %s, want the clock's day %s", newest, today)
			}
		})
	}
}

// TestDataExpiryBoundary checks that a data call sees the expiry /Authorize
// sees: an authorized RequestId idle for exactly 30 minutes is expired, and
// one a microsecond younger still serves.
func TestDataExpiryBoundary(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := startServer(t, "", clk)
	ctx := context.Background()
	auth := liveLogin(t, s, "greatday_nomfa")
	// The fetch ends on the fixed clock: the session serves its data for
	// 30 minutes from now.
	detail(t, s, flinks.DataRequest{RequestId: auth.RequestId})

	clk.Advance(30*time.Minute - time.Microsecond)
	if _, err := s.client.AccountsSummary(ctx, flinks.DataRequest{RequestId: auth.RequestId}); err != nil {
		t.Fatalf("a microsecond before 30 minutes: %v, want the data", err)
	}
	clk.Advance(time.Microsecond)
	_, err := s.client.AccountsSummary(ctx, flinks.DataRequest{RequestId: auth.RequestId})
	if e := apiErr(t, err); e.StatusCode != 400 || e.Body.FlinksCode != flinks.CodeSessionNonexistent || !strings.Contains(e.Body.Message, "expired") {
		t.Errorf("at exactly 30 minutes: %d %+v, want SESSION_NONEXISTENT, expired", e.StatusCode, e.Body)
	}
	// /Authorize agrees.
	_, err = s.client.Authorize(ctx, flinks.AuthorizeRequest{RequestId: auth.RequestId, SecurityResponses: flinks.SecurityResponses{"x": {"y"}}})
	if e := apiErr(t, err); e.Body.FlinksCode != flinks.CodeSessionNonexistent || !strings.Contains(e.Body.Message, "expired") {
		t.Errorf("Authorize at exactly 30 minutes: %+v, want SESSION_NONEXISTENT, expired", e.Body)
	}
}
