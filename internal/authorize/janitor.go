package authorize

import (
	"context"
	"log/slog"
	"time"
)

// Retention is how long a session is kept after its last request. It is
// longer than any idle timeout, so an expired RequestId is still told apart
// from one that never existed for a while.
const Retention = time.Hour

// Sweep deletes sessions idle for longer than Retention, and logins
// authorized without Save whose sessions are all gone: Save: false keeps a
// login only as long as a session can use it.
func (s *Service) Sweep(ctx context.Context) error {
	cutoff := s.now().Add(-Retention)
	sessions, err := s.store.DeleteSessionsIdleSince(ctx, cutoff)
	if err != nil {
		return err
	}
	logins, err := s.store.DeleteUnsavedLogins(ctx, cutoff)
	if err != nil {
		return err
	}
	if sessions > 0 || logins > 0 {
		s.log.Info("swept", "sessions", sessions, "unsaved_logins", logins)
	}
	return nil
}

// Janitor runs sweeps periodically until stopped.
type Janitor struct {
	sweeps   []func(context.Context) error
	interval time.Duration
	log      *slog.Logger
	cancel   context.CancelFunc
	done     chan struct{}
}

// NewJanitor returns a Janitor running each of sweeps every interval.
func NewJanitor(interval time.Duration, log *slog.Logger, sweeps ...func(context.Context) error) *Janitor {
	return &Janitor{sweeps: sweeps, interval: interval, log: log}
}

// Start begins sweeping in the background.
func (j *Janitor) Start(ctx context.Context) {
	ctx, j.cancel = context.WithCancel(context.WithoutCancel(ctx))
	j.done = make(chan struct{})
	go func() {
		defer close(j.done)
		t := time.NewTicker(j.interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				for _, sweep := range j.sweeps {
					if err := sweep(ctx); err != nil && ctx.Err() == nil {
						j.log.Error("sweep failed", "err", err)
					}
				}
			}
		}
	}()
}

// Stop ends sweeping and waits for a sweep in progress, or for ctx.
func (j *Janitor) Stop(ctx context.Context) error {
	if j.cancel == nil {
		return nil
	}
	j.cancel()
	select {
	case <-j.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
