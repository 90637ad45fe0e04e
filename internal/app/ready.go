package app

import (
	"context"
	"errors"

	"github.com/bankfeed/bankfeed/internal/httpapi"
	"github.com/bankfeed/bankfeed/internal/store"
)

// readyChecks are the conditions of /readyz, in the order they run: the
// server is not draining for a shutdown, the database answers, it carries
// this build's migrations, the job workers run. Each failure is logged
// with its cause; the body says only what fails.
func (s *stack) readyChecks() []httpapi.ReadyCheck {
	return []httpapi.ReadyCheck{
		{Name: "serving", Check: func(context.Context) error {
			select {
			case <-s.stopping:
				return errors.New("shutting down")
			default:
				return nil
			}
		}},
		{Name: "database", Check: func(ctx context.Context) error {
			if err := s.store.Ping(ctx); err != nil {
				s.log.Warn("readiness: the database does not answer", "err", err)
				return errors.New("does not answer")
			}
			return nil
		}},
		{Name: "migrations", Check: func(ctx context.Context) error {
			err := s.store.Migrated(ctx)
			switch {
			case err == nil:
				return nil
			case errors.Is(err, store.ErrUnavailable), ctx.Err() != nil:
				return errors.New("could not be read")
			}
			s.log.Error("readiness: the database lacks migrations of this build", "err", err)
			return errors.New("not applied")
		}},
		{Name: "jobs", Check: func(context.Context) error {
			if r := s.running.Load(); r == nil || !(*r).Running() {
				return errors.New("the job workers are not running")
			}
			return nil
		}},
	}
}
