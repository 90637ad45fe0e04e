package store

import (
	"context"
	"time"
)

// SandboxQueries are the store's part of the sandbox control plane: the
// virtual clock every process of one database shares, and the reset of a
// customer's state. They are part of Queries, so that a reset and the
// writes of other parts of the control plane share one transaction.
type SandboxQueries interface {
	// ClockOffset reads the virtual clock's offset from the wall clock;
	// set is false (and the offset zero) while the clock was never moved.
	ClockOffset(ctx context.Context) (offset time.Duration, set bool, err error)
	// MoveClock sets the offset from from to to if the stored offset is
	// still from (an unset clock counts as 0), and moves every job waiting
	// for a time (River's scheduled and retryable jobs) to-from earlier:
	// a wait of the application is a wait on the virtual clock. A job whose
	// time is then at or before wallNow becomes available at once. It
	// returns ErrConflict when the offset is not from any more; it refuses
	// no direction, which is the caller's rule.
	MoveClock(ctx context.Context, from, to time.Duration, wallNow time.Time) error
	// StartClock sets the offset if the clock was never set, and reports
	// whether it did: the start of a clock elsewhere than now, which
	// another process or an earlier run may have made already.
	StartClock(ctx context.Context, offset time.Duration) (bool, error)
	// Reset deletes everything stored for the customer's use of the API,
	// leaving the customer itself, its keys and its webhook endpoint: its
	// logins (with their data keys and snapshots), sessions, authorize
	// tokens, webhook deliveries (with their attempts) and jobs. An empty
	// customerID resets every customer. It returns what it deleted.
	Reset(ctx context.Context, customerID string) (ResetCounts, error)
}

// ResetCounts counts the rows a Reset deleted.
type ResetCounts struct {
	Logins     int64 `json:"logins"`
	Sessions   int64 `json:"sessions"`
	Snapshots  int64 `json:"snapshots"`
	Tokens     int64 `json:"tokens"`
	Jobs       int64 `json:"jobs"`
	Deliveries int64 `json:"deliveries"`
}
