package client

import (
	"context"
	"net/http"
	"time"
)

// ClockState is the sandbox's virtual clock.
type ClockState struct {
	Now time.Time `json:"now"`
	// OffsetSeconds is how far the virtual clock is ahead of the real one.
	OffsetSeconds float64 `json:"offset_seconds"`
}

// Offset returns OffsetSeconds as a duration.
func (c ClockState) Offset() time.Duration {
	return time.Duration(c.OffsetSeconds * float64(time.Second))
}

// Clock reads the virtual clock: the time every timer of the server
// (sessions, tokens, fetch delays, the nightly refresh, webhook retries)
// follows.
func (s *Sandbox) Clock(ctx context.Context) (ClockState, error) {
	var out ClockState
	err := s.do(ctx, http.MethodGet, "clock", nil, &out)
	return out, err
}

// AdvanceClock moves the virtual clock forward by d, not negative, and
// returns its new state. The duration is sent in Go's form ("72h0m0s").
func (s *Sandbox) AdvanceClock(ctx context.Context, d time.Duration) (ClockState, error) {
	var out ClockState
	in := struct {
		Advance string `json:"advance"`
	}{d.String()}
	err := s.do(ctx, http.MethodPost, "clock", in, &out)
	return out, err
}

// SetClock moves the virtual clock to t, which must not be before its time
// (the server answers 409 then).
func (s *Sandbox) SetClock(ctx context.Context, t time.Time) (ClockState, error) {
	var out ClockState
	in := struct {
		Set string `json:"set"`
	}{t.UTC().Format(time.RFC3339Nano)}
	err := s.do(ctx, http.MethodPost, "clock", in, &out)
	return out, err
}
