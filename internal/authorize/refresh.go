package authorize

import (
	"context"
	"errors"

	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/accounts"
	"github.com/bankfeed/bankfeed/internal/refresh"
	"github.com/bankfeed/bankfeed/internal/store"
)

// NightlyRefreshStatus lists the customer's logins with scheduled refresh
// on that the nightly refresh skips, and how their last refresh ended.
func (s *Service) NightlyRefreshStatus(ctx context.Context, customerID string) (*flinks.NightlyRefreshStatusResponse, error) {
	return refresh.Status(ctx, s.store, customerID, s.now())
}

// Refresh runs a scheduled refresh of a saved login: it logs in with the
// stored credentials, no person present (connector's Unattended mode),
// answers each question from the stored answers, fetches what the bank
// shows now and stores it as the login's snapshot, which cached sessions
// then read. A login that needs its user (a one-time challenge, a question
// without a stored answer, stored answers the bank now refuses) is not
// refreshed: the outcome is recorded on the login as QUESTION_NOT_FOUND,
// and the other failures of the bank under their own FlinksCode, for
// GetNightlyRefreshStatus and for the cached Authorize that replays it.
//
// Refresh returns an error only for a failure worth another attempt (the
// database, a connector that failed without saying why); on the final
// attempt such a failure is recorded as AGGREGATION_ERROR instead. A login
// deleted, unsaved or taken off the schedule since it was planned is left
// alone.
func (s *Service) Refresh(ctx context.Context, customerID, loginID string, final bool) error {
	login, err := s.store.Login(ctx, customerID, loginID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if !login.Saved || !login.ScheduledRefresh {
		return nil
	}
	e, ok := s.registry.lookup(login.Institution)
	if !ok {
		return s.refreshFailed(ctx, login, flinks.CodeDisabledInstitution, nil)
	}
	var ls loginSecret
	if err := s.openLogin(login, &ls); err != nil {
		return err
	}
	now := s.now()
	out, err := e.conn.Begin(ctx, connector.BeginRequest{
		Institution: e.inst.Name, Username: login.Username, Password: connector.Secret(ls.Password),
		Language: login.Language, Saved: ls.State, Unattended: true, Now: now,
	})
	var replayed map[string][]string
	for rounds := 0; err == nil && !out.Authorized(); rounds++ {
		if out.Rejected {
			return s.refreshFailed(ctx, login, flinks.CodeQuestionNotFound, replayed)
		}
		if rounds >= maxReplayRounds {
			s.log.Error("refresh: the connector asked too many rounds", "institution", e.inst.Name, "rounds", rounds)
			return s.refreshFailed(ctx, login, flinks.CodeAggregationError, nil)
		}
		replayed = make(map[string][]string, len(out.Challenges))
		for _, ch := range out.Challenges {
			v, ok := ls.Answers[ch.Prompt]
			if !ok || ch.OneTime {
				// Only its user can answer: the refresh stops here.
				return s.refreshFailed(ctx, login, flinks.CodeQuestionNotFound, nil)
			}
			replayed[ch.Prompt] = v
		}
		out, err = e.conn.Continue(ctx, connector.ContinueRequest{State: out.State, Answers: replayed, Unattended: true, Now: s.now()})
	}
	var ce *connector.Error
	switch {
	case errors.As(err, &ce) && ce.Kind == connector.InvalidSecurityResponse:
		// The stored answers no longer pass: forget them, so that the next
		// live login asks the user again.
		return s.refreshFailed(ctx, login, flinks.CodeQuestionNotFound, replayed)
	case errors.As(err, &ce):
		return s.refreshFailed(ctx, login, codeOf(ce.Kind), nil)
	case err != nil && !final:
		return err
	case err != nil:
		s.log.Error("refresh failed", "institution", e.inst.Name, "err", err)
		return s.refreshFailed(ctx, login, flinks.CodeAggregationError, nil)
	}

	fetcher, ok := e.conn.(connector.Fetcher)
	if !ok {
		s.log.Error("refresh: the connector cannot fetch data", "institution", e.inst.Name)
		return s.refreshFailed(ctx, login, flinks.CodeAggregationError, nil)
	}
	snap, err := fetcher.Fetch(ctx, connector.FetchRequest{State: out.State, Now: now, Days: accounts.HistoryDays(now)})
	if err != nil {
		if errors.As(err, &ce) {
			return s.refreshFailed(ctx, login, codeOf(ce.Kind), nil)
		}
		if !final {
			return err
		}
		s.log.Error("refresh: fetch failed", "institution", e.inst.Name, "err", err)
		return s.refreshFailed(ctx, login, flinks.CodeAggregationError, nil)
	}
	info := connector.LoginInfo{Username: login.Username, Type: login.Type}
	if out.Login != nil {
		info = *out.Login
	}
	// The login read at the start is written back unless it changed
	// meanwhile (its version), which spares a read in the transaction, the
	// refresh's bottleneck on SQLite's single writer; after a conflict it is
	// read again.
	cur, cls := login, ls
	return retryConflict(func() error {
		return s.store.InTx(ctx, func(q store.Queries) error {
			if cur == nil {
				var err error
				if cur, err = q.Login(ctx, customerID, loginID); errors.Is(err, store.ErrNotFound) {
					return nil // deleted meanwhile: nothing to write back
				} else if err != nil {
					return err
				}
				cls = loginSecret{}
				if err := s.openLogin(cur, &cls); err != nil {
					return err
				}
			}
			w := *cur
			defer func() { cur = nil }() // a retry reads the login again
			// What the bank now remembers of the device.
			cls.State = out.State
			if err := s.sealLogin(&w, cls); err != nil {
				return err
			}
			at := s.now()
			if info.Type != "" {
				w.Type = info.Type
			}
			w.LastRefresh, w.LastRefreshCode, w.LastAttempt, w.UpdatedAt = at, "", at, at
			w.TwoStep = false
			if err := q.UpdateLogin(ctx, &w); err != nil {
				return err
			}
			return q.PutSnapshot(ctx, customerID, loginID, now, snap)
		})
	})
}

// refreshFailed records a scheduled refresh's failure on the login, and
// forgets the stored answers the bank refused.
func (s *Service) refreshFailed(ctx context.Context, login *store.Login, code flinks.Code, refused map[string][]string) error {
	return retryConflict(func() error {
		return s.store.InTx(ctx, func(q store.Queries) error {
			cur, err := q.Login(ctx, login.CustomerID, login.ID)
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			if err != nil {
				return err
			}
			if len(refused) > 0 {
				var ls loginSecret
				if err := s.openLogin(cur, &ls); err != nil {
					return err
				}
				for prompt := range refused {
					delete(ls.Answers, prompt)
				}
				if err := s.sealLogin(cur, ls); err != nil {
					return err
				}
			}
			at := s.now()
			cur.LastRefreshCode, cur.LastAttempt, cur.UpdatedAt = string(code), at, at
			return q.UpdateLogin(ctx, cur)
		})
	})
}
