package authorize

import (
	"context"
	"time"
)

// Retention is how long a session is kept after its last request. It is
// longer than any idle timeout, so an expired RequestId is still told apart
// from one that never existed for a while.
const Retention = time.Hour

// Sweep deletes sessions idle for longer than Retention, and logins
// authorized without Save whose sessions are all gone: Save: false keeps a
// login only as long as a session can use it. The jobs engine runs it
// periodically, on one process.
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
