package refresh_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/refresh"
	"github.com/bankfeed/bankfeed/internal/store"
)

var now = time.Date(2026, time.November, 24, 4, 0, 0, 0, time.UTC)

// eligible is a login every rule lets through: saved weeks ago, scheduled,
// refreshed yesterday, reopened from cache yesterday.
func eligible() *store.Login {
	return &store.Login{
		ID: "login-1", CustomerID: "cust-1", Saved: true, ScheduledRefresh: true,
		CreatedAt: now.AddDate(0, -2, 0), LastRefresh: now.Add(-24 * time.Hour), LastAttempt: now.Add(-24 * time.Hour),
		LastCached: now.Add(-20 * time.Hour),
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	day := 24 * time.Hour
	tests := []struct {
		name   string
		change func(l *store.Login)
		want   refresh.Reason
	}{
		{"every rule met", func(*store.Login) {}, refresh.Eligible},
		{"schedule off", func(l *store.Login) { l.ScheduledRefresh = false }, refresh.NotScheduled},
		{"no credentials kept", func(l *store.Login) { l.Saved = false }, refresh.NotScheduled},
		{"two-step login", func(l *store.Login) { l.TwoStep = true }, refresh.TwoStep},
		{"success exactly 7 days ago", func(l *store.Login) { l.LastRefresh = now.Add(-7 * day) }, refresh.Eligible},
		{"success 7 days and a second ago", func(l *store.Login) { l.LastRefresh = now.Add(-7*day - time.Second) }, refresh.NoRecentSuccess},
		{"never refreshed", func(l *store.Login) { l.LastRefresh = time.Time{} }, refresh.NoRecentSuccess},
		{"cached call 8 days ago", func(l *store.Login) { l.LastCached = now.Add(-8 * day) }, refresh.NoRecentRead},
		{"never reopened from cache, saved 8 days ago", func(l *store.Login) {
			l.LastCached, l.CreatedAt = time.Time{}, now.Add(-8*day)
		}, refresh.NoRecentRead},
		{"never reopened from cache, saved 2 days ago", func(l *store.Login) {
			l.LastCached, l.CreatedAt = time.Time{}, now.Add(-2*day)
		}, refresh.Eligible},
		{"stored answers no longer suffice", func(l *store.Login) { l.LastRefreshCode = "QUESTION_NOT_FOUND" }, refresh.LastRefreshFailed},
		{"password changed", func(l *store.Login) { l.LastRefreshCode = "INVALID_PASSWORD" }, refresh.LastRefreshFailed},
		{"disabled login", func(l *store.Login) { l.LastRefreshCode = "DISABLED_LOGIN" }, refresh.LastRefreshFailed},
		{"new account", func(l *store.Login) { l.LastRefreshCode = "NEW_ACCOUNT" }, refresh.LastRefreshFailed},
		// The two-step rule comes first: it is the one the user can act on.
		{"two-step and stale", func(l *store.Login) { l.TwoStep, l.LastRefresh = true, time.Time{} }, refresh.TwoStep},
	}
	for _, code := range []string{"RETRY_LATER", "AGGREGATION_ERROR", "SESSION_EXPIRED", "DISABLED_INSTITUTION",
		"UNAUTHORIZED", "SESSION_NONEXISTENT", "BANK MAINTENANCE_RETRY_LATER"} {
		tests = append(tests, struct {
			name   string
			change func(l *store.Login)
			want   refresh.Reason
		}{"tolerated " + code, func(l *store.Login) { l.LastRefreshCode = code }, refresh.Eligible})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := eligible()
			tc.change(l)
			if got := refresh.Check(l, now, false); got != tc.want {
				t.Errorf("Check = %q, want %q", got, tc.want)
			}
			// A customer with a webhook endpoint is pushed its data: the
			// rule of a recent cached call is waived, and no other.
			want := tc.want
			if want == refresh.NoRecentRead {
				want = refresh.Eligible
			}
			if got := refresh.Check(l, now, true); got != want {
				t.Errorf("Check with a webhook = %q, want %q", got, want)
			}
		})
	}
}

func TestCard(t *testing.T) {
	t.Parallel()
	str := func(s string) *string { return &s }
	tests := []struct {
		name   string
		change func(l *store.Login)
		want   flinks.IneligibleCard
	}{
		{"completed", func(*store.Login) {},
			flinks.IneligibleCard{LoginId: "login-1", LastRefreshDate: str("2026-11-23T04:00:00.0000000"), LastRefreshState: "Completed"}},
		{"two-step", func(l *store.Login) { l.TwoStep = true },
			flinks.IneligibleCard{LoginId: "login-1", LastRefreshDate: str("2026-11-23T04:00:00.0000000"), LastRefreshState: "AnsweringSecurityChallenge"}},
		{"question without a stored answer, tried later than the last success", func(l *store.Login) {
			l.LastRefreshCode, l.LastAttempt = "QUESTION_NOT_FOUND", now.Add(-time.Hour)
		}, flinks.IneligibleCard{LoginId: "login-1", LastRefreshDate: str("2026-11-24T03:00:00.0000000"),
			LastRefreshState: "AnsweringSecurityChallenge", LastRefreshErrorCode: str("QUESTION_NOT_FOUND")}},
		{"error", func(l *store.Login) { l.LastRefreshCode = "INVALID_PASSWORD" },
			flinks.IneligibleCard{LoginId: "login-1", LastRefreshDate: str("2026-11-23T04:00:00.0000000"), LastRefreshState: "Error",
				LastRefreshErrorCode: str("INVALID_PASSWORD")}},
		{"no attempt recorded: the last success", func(l *store.Login) { l.LastAttempt = time.Time{} },
			flinks.IneligibleCard{LoginId: "login-1", LastRefreshDate: str("2026-11-23T04:00:00.0000000"), LastRefreshState: "Completed"}},
		{"never", func(l *store.Login) { l.LastAttempt, l.LastRefresh = time.Time{}, time.Time{} },
			flinks.IneligibleCard{LoginId: "login-1", LastRefreshState: "Completed"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := eligible()
			tc.change(l)
			got := refresh.Card(l)
			if fmt.Sprint(deref(got)) != fmt.Sprint(deref(tc.want)) {
				t.Errorf("Card = %v, want %v", deref(got), deref(tc.want))
			}
		})
	}
}

func deref(c flinks.IneligibleCard) []string {
	s := func(p *string) string {
		if p == nil {
			return "<nil>"
		}
		return *p
	}
	return []string{c.LoginId, s(c.LastRefreshDate), c.LastRefreshState, s(c.LastRefreshErrorCode)}
}

// TestOffsetSpreads checks that a pass spreads its logins over the whole
// window, about evenly, each login always at the same offset, and that a
// window of zero runs everything at once.
func TestOffsetSpreads(t *testing.T) {
	t.Parallel()
	const n, buckets = 10000, 10
	window := 4 * time.Hour
	var count [buckets]int
	for i := range n {
		id := fmt.Sprintf("3f2a%04d-login", i)
		off := refresh.Offset(id, window)
		if off < 0 || off >= window {
			t.Fatalf("Offset(%s) = %v, outside [0, %v)", id, off, window)
		}
		if again := refresh.Offset(id, window); again != off {
			t.Fatalf("Offset(%s) = %v, then %v", id, off, again)
		}
		count[off*buckets/window]++
	}
	for i, c := range count {
		// Uniform: n/buckets = 1000 each; 20% off would be a bad hash.
		if c < 800 || c > 1200 {
			t.Errorf("tenth %d of the window holds %d of %d logins: %v", i, c, n, count)
		}
	}
	if off := refresh.Offset("login-1", 0); off != 0 {
		t.Errorf("Offset in a window of 0 = %v, want 0", off)
	}
}

func TestScheduleNext(t *testing.T) {
	t.Parallel()
	s := refresh.Schedule{At: 4 * time.Hour, Window: 4 * time.Hour}
	at := func(d, h, m int) time.Time { return time.Date(2026, time.November, d, h, m, 0, 0, time.UTC) }
	tests := []struct {
		from, want time.Time
	}{
		{at(24, 3, 59), at(24, 4, 0)},
		{at(24, 4, 0), at(25, 4, 0)}, // strictly after
		{at(24, 4, 1), at(25, 4, 0)},
		{at(24, 0, 0), at(24, 4, 0)},
		{time.Date(2026, time.December, 31, 23, 0, 0, 0, time.UTC), time.Date(2027, time.January, 1, 4, 0, 0, 0, time.UTC)},
		// Another zone: the schedule is in UTC.
		{time.Date(2026, time.November, 24, 0, 30, 0, 0, time.FixedZone("EST", -5*3600)), at(25, 4, 0)},
	}
	for _, tc := range tests {
		if got := s.Next(tc.from); !got.Equal(tc.want) {
			t.Errorf("Next(%v) = %v, want %v", tc.from, got, tc.want)
		}
	}
}

func TestScheduleLast(t *testing.T) {
	t.Parallel()
	s := refresh.Schedule{At: 4 * time.Hour}
	at := func(d, h, m int) time.Time { return time.Date(2026, time.November, d, h, m, 0, 0, time.UTC) }
	tests := []struct {
		from, to, want time.Time
		ok             bool
	}{
		{at(24, 15, 0), at(25, 3, 59), time.Time{}, false},
		{at(24, 15, 0), at(25, 4, 0), at(25, 4, 0), true}, // at the start: passed
		{at(24, 15, 0), at(25, 15, 0), at(25, 4, 0), true},
		{at(24, 4, 0), at(24, 5, 0), time.Time{}, false},   // from the start: already run
		{at(24, 15, 0), at(27, 15, 0), at(27, 4, 0), true}, // three nights: the last
		{at(24, 15, 0), at(24, 15, 0), time.Time{}, false},
	}
	for _, tc := range tests {
		got, ok := s.Last(tc.from, tc.to)
		if ok != tc.ok || !got.Equal(tc.want) {
			t.Errorf("Last(%v, %v) = %v, %v; want %v, %v", tc.from, tc.to, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParseTimeOfDay(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]time.Duration{"04:00": 4 * time.Hour, "00:00": 0, "23:59": 23*time.Hour + 59*time.Minute, " 7:05 ": 7*time.Hour + 5*time.Minute} {
		if got, err := refresh.ParseTimeOfDay(in); err != nil || got != want {
			t.Errorf("ParseTimeOfDay(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "4", "24:00", "12:60", "12:5", "-1:00", "noon", "04:00:00"} {
		if _, err := refresh.ParseTimeOfDay(in); err == nil {
			t.Errorf("ParseTimeOfDay(%q) succeeded", in)
		}
	}
}
