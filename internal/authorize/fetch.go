package authorize

import (
	"context"
	"errors"

	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/accounts"
	"github.com/bankfeed/bankfeed/internal/store"
)

// FetchJob is the durable job that collects a login's data after a live
// Authorize. It is inserted in the transaction that authorizes the session,
// so a session waiting for data always has a job that will bring it. Its
// JSON names the login, so that DeleteCard takes the job with the login.
type FetchJob struct {
	CustomerID string `json:"customer_id"`
	SessionID  string `json:"session_id"`
	LoginID    string `json:"login_id"`
}

// Kind names the job for the jobs engine.
func (FetchJob) Kind() string { return "fetch" }

// Fetch runs a FetchJob: it asks the connector for the login's data and
// stores it as the login's snapshot, then marks the session's data ready.
// A refusal of the bank is recorded on the session, which then answers data
// calls with its FlinksCode. Fetch returns an error only for a failure worth
// another attempt (the database, a connector that failed without saying
// why); on the final attempt such a failure is recorded as
// AGGREGATION_ERROR instead, so no session waits forever.
func (s *Service) Fetch(ctx context.Context, job FetchJob, final bool) error {
	sess, err := s.store.Session(ctx, job.CustomerID, job.SessionID)
	if errors.Is(err, store.ErrNotFound) {
		return nil // expired, or deleted with its login: nobody waits for it
	}
	if err != nil {
		return err
	}
	if !fetching(sess) {
		return nil // an attempt already finished it
	}
	var secret sessionSecret
	if err := s.open(sess.Sealed, sessionAAD(sess), &secret); err != nil {
		return err
	}
	e, ok := s.registry.lookup(sess.Institution)
	if !ok {
		return s.fetchFailed(ctx, job, flinks.CodeDisabledInstitution)
	}
	fetcher, ok := e.conn.(connector.Fetcher)
	if !ok {
		s.log.Error("fetch: the connector cannot fetch data", "institution", sess.Institution)
		return s.fetchFailed(ctx, job, flinks.CodeAggregationError)
	}
	now := s.now()
	snap, err := fetcher.Fetch(ctx, connector.FetchRequest{State: secret.State, Now: now, Days: accounts.HistoryDays(now)})
	if err != nil {
		var ce *connector.Error
		if errors.As(err, &ce) {
			return s.fetchFailed(ctx, job, codeOf(ce.Kind))
		}
		if !final {
			return err
		}
		s.log.Error("fetch failed", "institution", sess.Institution, "err", err)
		return s.fetchFailed(ctx, job, flinks.CodeAggregationError)
	}
	return retryConflict(func() error {
		return s.store.InTx(ctx, func(q store.Queries) error {
			cur, err := q.Session(ctx, job.CustomerID, job.SessionID)
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			if err != nil || !fetching(cur) {
				return err
			}
			if err := q.PutSnapshot(ctx, job.CustomerID, job.LoginID, now, snap); err != nil {
				return err
			}
			// The data is ready: the RequestId serves it for AuthorizedIdle
			// from now, and the connector state is no longer needed.
			cur.Fetch, cur.Sealed, cur.UpdatedAt = store.FetchDone, nil, s.now()
			return q.UpdateSession(ctx, cur)
		})
	})
}

// fetchFailed records on the session that its fetch failed with code.
func (s *Service) fetchFailed(ctx context.Context, job FetchJob, code flinks.Code) error {
	return retryConflict(func() error {
		cur, err := s.store.Session(ctx, job.CustomerID, job.SessionID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil || !fetching(cur) {
			return err
		}
		cur.Fetch, cur.FetchCode, cur.Sealed = store.FetchFailed, string(code), nil
		return s.store.UpdateSession(ctx, cur)
	})
}

func fetching(sess *store.Session) bool {
	return sess.Fetch == store.FetchPending || sess.Fetch == store.FetchDispatched
}
