package refresh

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/institutions"
	"github.com/bankfeed/bankfeed/internal/secrets"
	"github.com/bankfeed/bankfeed/internal/session"
	"github.com/bankfeed/bankfeed/internal/store"
	"github.com/google/uuid"
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

// Config holds the dependencies of a Service.
type Config struct {
	Store        store.Store
	Secrets      *secrets.Keeper
	Institutions *institutions.Registry
	Logger       *slog.Logger
	// Now is the application's clock; time.Now when nil.
	Now func() time.Time
	// HistoryDays is how many days of transactions a fetch collects at
	// now: what the data endpoints' options need (accounts.HistoryDays).
	HistoryDays func(now time.Time) int
	// Notify, when set, is told of every fetch's and refresh's outcome
	// that someone may be waiting for (see Event), inside the transaction
	// that records it: what it writes (the webhook deliveries) exists
	// exactly when the outcome does.
	Notify func(ctx context.Context, q store.Queries, ev Event) error
	// Observe, when set, is told how each attempt of a fetch ("fetch") or
	// a scheduled refresh ("refresh") ended and how long it took, for the
	// metrics.
	Observe func(kind string, o Outcome, d time.Duration)
	// Fetched, when set, is told after each attempt of a fetch that ended
	// (its outcome committed), with the login fetched: the data calls of
	// this process waiting for it read their session again.
	Fetched func(customerID, loginID string)
}

// Outcome is how one attempt of a fetch or a refresh ended.
type Outcome string

// The outcomes of an attempt.
const (
	// Stored: the data was stored.
	Stored Outcome = "stored"
	// Failed: a failure was recorded, on the session or the login: the
	// bank's refusal, a refresh that needs its user, or the final
	// attempt's failure.
	Failed Outcome = "failed"
	// Errored: the attempt returned an error (the database, a connector
	// that failed without saying why); the jobs engine tries it again
	// while it has attempts left.
	Errored Outcome = "error"
	// Skipped: nothing to do; the session or login is gone, finished by
	// another attempt, or no longer scheduled.
	Skipped Outcome = "skipped"
)

// outcomeKey carries, in the context of one attempt, where its outcome is
// recorded.
type outcomeKey struct{}

// observed runs one attempt of a fetch or a refresh and tells
// Config.Observe how it ended: the outcome the attempt recorded with
// setOutcome in its transaction, Errored if it returned an error (its
// transaction then did not commit), Skipped if it recorded nothing.
func (s *Service) observed(ctx context.Context, kind string, attempt func(ctx context.Context) error) error {
	if s.observe == nil {
		return attempt(ctx)
	}
	start := time.Now()
	o := Skipped
	err := attempt(context.WithValue(ctx, outcomeKey{}, &o))
	if err != nil {
		o = Errored
	}
	s.observe(kind, o, time.Since(start))
	return err
}

// setOutcome records the outcome of the attempt running under ctx; the
// last one recorded counts, so that a transaction retried after a
// conflict records its own.
func setOutcome(ctx context.Context, o Outcome) {
	if p, ok := ctx.Value(outcomeKey{}).(*Outcome); ok {
		*p = o
	}
}

// Event is the outcome of a fetch or a scheduled refresh, for
// Config.Notify: the data stored, or a failure that needs the user.
type Event struct {
	CustomerID string
	LoginID    string
	// RequestID is the session the data is read with: the live
	// Authorize's, or for a scheduled refresh a new cached session made
	// for it; empty for a refresh that failed.
	RequestID string
	Tag       string
	// Refresh is set for a scheduled refresh, clear for the fetch after a
	// live Authorize.
	Refresh bool
	// Code is the FlinksCode of a failure; empty when the data was stored.
	Code flinks.Code
	At   time.Time
}

// Service runs the work that reaches a bank with no person waiting on the
// request: the fetch that follows a live Authorize, and the scheduled
// refresh of a saved login. It is safe for concurrent use.
type Service struct {
	store   store.Store
	secrets *secrets.Keeper
	banks   *institutions.Registry
	log     *slog.Logger
	now     func() time.Time
	days    func(now time.Time) int
	notify  func(ctx context.Context, q store.Queries, ev Event) error
	observe func(kind string, o Outcome, d time.Duration)
	fetched func(customerID, loginID string)
}

// NewService returns a Service.
func NewService(cfg Config) *Service {
	s := &Service{store: cfg.Store, secrets: cfg.Secrets, banks: cfg.Institutions, log: cfg.Logger, now: store.Clock(cfg.Now),
		days: cfg.HistoryDays, notify: cfg.Notify, observe: cfg.Observe, fetched: cfg.Fetched}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// Now returns the time on the application's clock, at the store's
// precision: what a pass plans and reports against.
func (s *Service) Now() time.Time { return s.now() }

// Fetch runs a FetchJob: it asks the connector for the login's data and
// stores it as the login's snapshot, then marks the session's data ready.
// A refusal of the bank is recorded on the session, which then answers data
// calls with its FlinksCode. Fetch returns an error only for a failure worth
// another attempt (the database, a connector that failed without saying
// why); on the final attempt such a failure is recorded as
// AGGREGATION_ERROR instead, so no session waits forever.
func (s *Service) Fetch(ctx context.Context, job FetchJob, final bool) error {
	err := s.observed(ctx, "fetch", func(ctx context.Context) error { return s.fetch(ctx, job, final) })
	if err == nil && s.fetched != nil {
		s.fetched(job.CustomerID, job.LoginID)
	}
	return err
}

func (s *Service) fetch(ctx context.Context, job FetchJob, final bool) error {
	sess, err := s.store.Session(ctx, job.CustomerID, job.SessionID)
	if errors.Is(err, store.ErrNotFound) {
		return nil // expired, or deleted with its login: nobody waits for it
	}
	if err != nil {
		return err
	}
	if !session.Fetch(sess.Fetch).Fetching() {
		return nil // an attempt already finished it
	}
	secret, err := s.secrets.OpenSession(sess)
	if err != nil {
		return err
	}
	e, ok := s.banks.Lookup(sess.Institution)
	if !ok {
		return s.fetchFailed(ctx, job, flinks.CodeDisabledInstitution)
	}
	fetcher, ok := e.Fetcher()
	if !ok {
		s.log.Error("fetch: the connector cannot fetch data", "institution", sess.Institution)
		return s.fetchFailed(ctx, job, flinks.CodeAggregationError)
	}
	now := s.now()
	snap, err := fetcher.Fetch(ctx, connector.FetchRequest{State: secret.State, Now: now, Days: s.days(now)})
	if err != nil {
		code, retry := s.classify("fetch", e, err, final)
		if retry != nil {
			return retry
		}
		return s.fetchFailed(ctx, job, code)
	}
	return store.RetryConflict(func() error {
		return s.store.InTx(ctx, func(q store.Queries) error {
			cur, err := q.Session(ctx, job.CustomerID, job.SessionID)
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			if err != nil {
				return err
			}
			m, err := session.Step(machineOf(cur), session.Fetched, s.now(), session.Rules{})
			if err != nil {
				return nil // another attempt finished it meanwhile
			}
			if err := q.PutSnapshot(ctx, job.CustomerID, job.LoginID, now, snap); err != nil {
				return err
			}
			// The connector state is no longer needed.
			cur.Fetch, cur.UpdatedAt, cur.Sealed = string(m.Fetch), m.LastRequest, nil
			if err := q.UpdateSession(ctx, cur); err != nil {
				return err
			}
			setOutcome(ctx, Stored)
			return s.tell(ctx, q, Event{CustomerID: job.CustomerID, LoginID: job.LoginID, RequestID: cur.ID, Tag: cur.Tag, At: m.LastRequest})
		})
	})
}

// tell passes ev to Config.Notify, if set.
func (s *Service) tell(ctx context.Context, q store.Queries, ev Event) error {
	if s.notify == nil {
		return nil
	}
	return s.notify(ctx, q, ev)
}

// fetchFailed records on the session that its fetch failed with code.
func (s *Service) fetchFailed(ctx context.Context, job FetchJob, code flinks.Code) error {
	return store.RetryConflict(func() error {
		return s.store.InTx(ctx, func(q store.Queries) error {
			cur, err := q.Session(ctx, job.CustomerID, job.SessionID)
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			if err != nil {
				return err
			}
			m, err := session.FailFetch(machineOf(cur), code, s.now())
			if err != nil {
				return nil // another attempt finished it meanwhile
			}
			cur.Fetch, cur.FetchCode, cur.Sealed = string(m.Fetch), string(m.FetchCode), nil
			if err := q.UpdateSession(ctx, cur); err != nil {
				return err
			}
			setOutcome(ctx, Failed)
			return s.tell(ctx, q, Event{CustomerID: job.CustomerID, LoginID: job.LoginID, RequestID: cur.ID, Tag: cur.Tag,
				Code: code, At: m.LastRequest})
		})
	})
}

// machineOf is the state machine of a stored session.
func machineOf(sess *store.Session) session.Machine {
	return session.Machine{State: session.State(sess.State), Attempts: sess.Attempts, LastRequest: sess.UpdatedAt,
		BusyUntil: sess.BusyUntil, Fetch: session.Fetch(sess.Fetch), FetchCode: flinks.Code(sess.FetchCode)}
}

// classify sorts a failure of the bank's side of a fetch or refresh: a
// refusal the connector named is recorded under its FlinksCode; any other
// failure is worth another attempt (retry is then err), except on the final
// attempt, where it is recorded as AGGREGATION_ERROR so that nobody waits
// forever.
func (s *Service) classify(what string, e institutions.Entry, err error, final bool) (code flinks.Code, retry error) {
	var ce *connector.Error
	if errors.As(err, &ce) {
		return ce.Kind.FlinksCode(), nil
	}
	if !final {
		return "", err
	}
	s.log.Error(what+" failed", "institution", e.Inst.Name, "err", err)
	return flinks.CodeAggregationError, nil
}

// NightlyRefreshStatus lists the customer's logins with scheduled refresh
// on that a pass now would skip, as GetNightlyRefreshStatus shows them.
func (s *Service) NightlyRefreshStatus(ctx context.Context, customerID string) ([]flinks.IneligibleCard, error) {
	return Status(ctx, s.store, customerID, s.now())
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
	return s.observed(ctx, "refresh", func(ctx context.Context) error { return s.refresh(ctx, customerID, loginID, final) })
}

func (s *Service) refresh(ctx context.Context, customerID, loginID string, final bool) error {
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
	e, ok := s.banks.Lookup(login.Institution)
	if !ok {
		return s.refreshFailed(ctx, login, flinks.CodeDisabledInstitution, nil)
	}
	ls, err := s.secrets.OpenLogin(login)
	if err != nil {
		return err
	}
	now := s.now()
	out, err := e.Conn.Begin(ctx, connector.BeginRequest{
		Institution: e.Inst.Name, Username: login.Username, Password: connector.Secret(ls.Password),
		Language: login.Language, Saved: ls.State, Unattended: true, Now: now,
	})
	replay := Replay{Conn: e.Conn, Stored: ls.Answers, Unattended: true, Now: s.now,
		Round: func(out connector.Outcome, _ map[string][]string) error {
			if out.Rejected && !out.Authorized() {
				return errRejected
			}
			return nil
		}}
	out, replayed, _, err := replay.Run(ctx, out, err, nil, false)
	var ce *connector.Error
	switch {
	case errors.Is(err, errRejected), errors.As(err, &ce) && ce.Kind == connector.InvalidSecurityResponse:
		// The stored answers no longer pass: forget them, so that the next
		// live login asks the user again.
		return s.refreshFailed(ctx, login, flinks.CodeQuestionNotFound, replayed)
	case errors.Is(err, ErrTooManyRounds):
		s.log.Error("refresh: the connector asked too many rounds", "institution", e.Inst.Name)
		return s.refreshFailed(ctx, login, flinks.CodeAggregationError, nil)
	case err != nil:
		code, retry := s.classify("refresh", e, err, final)
		if retry != nil {
			return retry
		}
		return s.refreshFailed(ctx, login, code, nil)
	case !out.Authorized():
		// Only its user can answer: the refresh stops here.
		return s.refreshFailed(ctx, login, flinks.CodeQuestionNotFound, nil)
	}

	fetcher, ok := e.Fetcher()
	if !ok {
		s.log.Error("refresh: the connector cannot fetch data", "institution", e.Inst.Name)
		return s.refreshFailed(ctx, login, flinks.CodeAggregationError, nil)
	}
	snap, err := fetcher.Fetch(ctx, connector.FetchRequest{State: out.State, Now: now, Days: s.days(now)})
	if err != nil {
		code, retry := s.classify("refresh: fetch", e, err, final)
		if retry != nil {
			return retry
		}
		return s.refreshFailed(ctx, login, code, nil)
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
	return store.RetryConflict(func() error {
		return s.store.InTx(ctx, func(q store.Queries) error {
			if cur == nil {
				var err error
				if cur, err = q.Login(ctx, customerID, loginID); errors.Is(err, store.ErrNotFound) {
					return nil // deleted meanwhile: nothing to write back
				} else if err != nil {
					return err
				}
				if cls, err = s.secrets.OpenLogin(cur); err != nil {
					return err
				}
			}
			w := *cur
			defer func() { cur = nil }() // a retry reads the login again
			// What the bank now remembers of the device.
			cls.State = out.State
			if err := s.secrets.SealLogin(&w, cls); err != nil {
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
			if err := q.PutSnapshot(ctx, customerID, loginID, now, snap); err != nil {
				return err
			}
			setOutcome(ctx, Stored)
			if s.notify == nil {
				return nil
			}
			// Whoever is told of the refresh gets a RequestId that reads
			// its data, as a cached Authorize would give.
			m, err := session.Step(session.Machine{}, session.OpenCached, at, session.Rules{})
			if err != nil {
				return err
			}
			sess := &store.Session{ID: uuid.NewString(), CustomerID: customerID, LoginID: loginID, Institution: w.Institution,
				Username: w.Username, Language: w.Language, Mode: "cached", CreatedAt: at}
			sess.State, sess.UpdatedAt, sess.Fetch = string(m.State), m.LastRequest, string(m.Fetch)
			if err := q.CreateSession(ctx, sess); err != nil {
				return err
			}
			return s.tell(ctx, q, Event{CustomerID: customerID, LoginID: loginID, RequestID: sess.ID, Refresh: true, At: at})
		})
	})
}

// refreshFailed records a scheduled refresh's failure on the login, and
// forgets the stored answers the bank refused.
func (s *Service) refreshFailed(ctx context.Context, login *store.Login, code flinks.Code, refused map[string][]string) error {
	return store.RetryConflict(func() error {
		return s.store.InTx(ctx, func(q store.Queries) error {
			cur, err := q.Login(ctx, login.CustomerID, login.ID)
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			if err != nil {
				return err
			}
			if len(refused) > 0 {
				if err := s.secrets.ForgetAnswers(cur, refused); err != nil {
					return err
				}
			}
			at := s.now()
			cur.LastRefreshCode, cur.LastAttempt, cur.UpdatedAt = string(code), at, at
			if err := q.UpdateLogin(ctx, cur); err != nil {
				return err
			}
			setOutcome(ctx, Failed)
			if tolerated[string(code)] {
				return nil // the bank's trouble, not the user's: the next pass tries again
			}
			return s.tell(ctx, q, Event{CustomerID: login.CustomerID, LoginID: login.ID, Refresh: true, Code: code, At: at})
		})
	})
}
