package jobs

import (
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/internal/refresh"
)

// TestClockedScheduleNext: River is told the wall time at which the
// application's clock, ahead of the wall's or behind it, reaches the
// start.
func TestClockedScheduleNext(t *testing.T) {
	t.Parallel()
	sched := refresh.Schedule{At: 4 * time.Hour}
	for name, skew := range map[string]time.Duration{"ahead": 50*time.Hour + 17*time.Minute, "behind": -300 * 24 * time.Hour, "none": 0} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := &clockedSchedule{sched: sched, now: func() time.Time { return time.Now().Add(skew) }}
			wall := time.Now()
			next := s.Next(wall)
			want := sched.Next(wall.Add(skew))
			// The skew is read at two instants: allow their distance.
			if d := next.Add(skew).Sub(want); d < -time.Second || d > time.Second {
				t.Errorf("Next(wall) + skew = %v, want the application's next start %v", next.Add(skew), want)
			}
		})
	}
}

// TestClockedScheduleTake: the job plans only at a start, once per start,
// and a clock standing still just before a start neither spins River nor
// plans the start twice.
func TestClockedScheduleTake(t *testing.T) {
	t.Parallel()
	sched := refresh.Schedule{At: 4 * time.Hour}
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
		s := &clockedSchedule{sched: sched, now: func() time.Time { return day.Add(tc.at) }}
		start, ok := s.take()
		if ok != tc.due || (ok && !start.Equal(day.Add(4*time.Hour))) {
			t.Errorf("take at %v = %v, %v; want due %v", tc.at, start, ok, tc.due)
		}
		if _, again := s.take(); again {
			t.Errorf("take at %v twice: planned the start twice", tc.at)
		}
	}

	stopped := day.Add(4*time.Hour - time.Microsecond)
	s := &clockedSchedule{sched: sched, now: func() time.Time { return stopped }}
	wall := time.Now()
	if d := s.Next(wall).Sub(wall); d < minWait {
		t.Errorf("Next a microsecond before the start waits %v, want at least %v", d, minWait)
	}
	if _, ok := s.take(); !ok {
		t.Fatal("take a microsecond before the start: not due")
	}
	if d := s.Next(wall).Sub(wall); d < 23*time.Hour {
		t.Errorf("Next after the start was planned, on a clock standing still, waits %v, want the next day's", d)
	}
}
