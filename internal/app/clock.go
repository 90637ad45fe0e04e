package app

import (
	"context"
	"fmt"
	"time"

	"github.com/bankfeed/bankfeed/internal/refresh"
)

// clockMoved does what a jump of the virtual clock must do besides moving
// it: a jump past the nightly schedule's start plans that night's pass, as
// it would have run, started at that night's start (River timed the
// periodic job on the wall clock, and will not fire it now).
func (s *stack) clockMoved(ctx context.Context, from, to time.Time) error {
	if s.cfg.schedule == nil {
		return nil
	}
	start, ok := s.cfg.schedule.Last(from, to)
	if !ok {
		return nil
	}
	job := refresh.PlanJob{WindowSeconds: int64(s.cfg.schedule.Window / time.Second), StartMicros: start.UnixMicro()}
	if err := s.store.Enqueue(ctx, job); err != nil {
		return fmt.Errorf("plan the nightly pass of %s: %w", start.Format(time.RFC3339), err)
	}
	s.log.Info("the clock passed the nightly refresh: pass planned", "start", start.Format(time.RFC3339))
	return nil
}

// limitClock is the clock of the rate limits: the wall's, moved with the
// virtual clock, so that a jump refills the limits as the time passed
// would have.
func (s *stack) limitClock() func() time.Time {
	if s.clock == nil {
		return time.Now
	}
	return func() time.Time { return time.Now().Add(s.clock.Offset()) }
}

// parseClockStart reads --clock-start: an RFC 3339 time, or empty for none.
func parseClockStart(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: --clock-start: %q is not an RFC 3339 time such as 2027-01-15T04:00:00Z", ErrUsage, v)
	}
	return t, nil
}
