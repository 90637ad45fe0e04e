package jobs

import (
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/internal/refresh"
)

// TestClockedSchedule: River is told the wall time at which the
// application's clock, ahead or behind the wall's, reaches the start, and
// the job fires only when the application's clock is at a start.
func TestClockedSchedule(t *testing.T) {
	t.Parallel()
	sched := refresh.Schedule{At: 4 * time.Hour}
	for name, skew := range map[string]time.Duration{"ahead": 50*time.Hour + 17*time.Minute, "behind": -300 * 24 * time.Hour, "none": 0} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := clockedSchedule{sched: sched, now: func() time.Time { return time.Now().Add(skew) }}
			wall := time.Now()
			next := s.Next(wall)
			want := sched.Next(wall.Add(skew))
			// The skew is read at two instants: allow their distance.
			if d := next.Add(skew).Sub(want); d < -time.Second || d > time.Second {
				t.Errorf("Next(wall) + skew = %v, want the application's next start %v", next.Add(skew), want)
			}
		})
	}
	day := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		at  time.Duration
		due bool
	}{
		{4 * time.Hour, true},
		{4*time.Hour + 30*time.Second, true},
		{4*time.Hour - 30*time.Second, true},
		{4*time.Hour + 2*time.Minute, false},
		{15 * time.Hour, false},
	} {
		s := clockedSchedule{sched: sched, now: func() time.Time { return day.Add(tc.at) }}
		if got := s.due(); got != tc.due {
			t.Errorf("due at %v = %v, want %v", tc.at, got, tc.due)
		}
	}
}
