package accounts

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/detailjson"
	"github.com/bankfeed/bankfeed/internal/institutions"
	"github.com/bankfeed/bankfeed/internal/session"
	"github.com/bankfeed/bankfeed/internal/store"
)

// Op names a data endpoint; the *Async twin of an endpoint has the same Op.
type Op string

// The data endpoints.
const (
	OpAccountsDetail  Op = "GetAccountsDetail"
	OpAccountsSummary Op = "GetAccountsSummary"
	OpStatements      Op = "GetStatements"
)

// Call is one call of a data endpoint.
type Call struct {
	Op Op
	// Request is the body; nil for a GET of an *Async endpoint, which
	// continues the call that was answered 202 with that call's options.
	Request *flinks.DataRequest
	// RequestID is the RequestId of the path of an *Async endpoint; empty
	// for the direct endpoints, whose body carries it.
	RequestID string
	// Async marks the *Async twin: while the data is being fetched it
	// answers OPERATION_PENDING even where the direct call says
	// OPERATION_DISPATCHED.
	Async bool
}

// Config holds the dependencies of a Service.
type Config struct {
	Store        store.Store
	Institutions *institutions.Registry
	// Now is the application's clock; time.Now when nil.
	Now func() time.Time
	// Cache, when set, keeps GetAccountsDetail's accounts (cache.go).
	Cache *Cache
	// FetchWait is how long a direct data call waits for a fetch in
	// progress before it answers 202; 0 answers at once.
	FetchWait time.Duration
}

// Service serves the data endpoints from the snapshots in the store. It is
// safe for concurrent use.
type Service struct {
	store store.Store
	banks *institutions.Registry
	now   func() time.Time
	cache *Cache
	// fetchWait and fetches: the wait of a direct call for its fetch.
	fetchWait time.Duration
	fetches   waiters
}

// NewService returns a Service.
func NewService(cfg Config) *Service {
	return &Service{store: cfg.Store, banks: cfg.Institutions, now: store.Clock(cfg.Now), cache: cfg.Cache,
		fetchWait: cfg.FetchWait}
}

// Data is what a data call answers with, besides the accounts: the
// session it read, its login and institution.
type Data struct {
	RequestID   string
	Tag         string
	Institution connector.Institution
	Login       *store.Login
	// AccountsJSON is, from AccountsDetail, the JSON of the accounts
	// (detailjson.AppendAccounts) when they are a copy the cache keeps:
	// encoded once, for every call the copy answers. Nil otherwise.
	AccountsJSON []byte
}

// view is what a data call reads.
type view struct {
	Data
	opts Options
	snap *connector.Snapshot
	// For GetAccountsDetail with a cache: the cached copy (a hit), or the
	// key to keep the accounts shaped from snap under (a miss).
	detail *cacheEntry
	key    *cacheKey
}

// AccountsDetail serves GetAccountsDetail and GetAccountsDetailAsync.
func (s *Service) AccountsDetail(ctx context.Context, customerID string, call Call) (*Data, []flinks.AccountDetail, error) {
	call.Op = OpAccountsDetail
	v, err := s.read(ctx, customerID, call, func(o Options) store.SnapshotQuery { return o.Query })
	if err != nil {
		return nil, nil, err
	}
	if v.detail != nil {
		v.AccountsJSON = v.detail.json
		return &v.Data, v.detail.accts, nil
	}
	accts := Detail(v.snap, v.opts)
	if v.key != nil {
		// Accounts that cannot be encoded are not kept: writing the body
		// reports the error.
		if b, err := detailjson.AppendAccounts(nil, accts); err == nil {
			v.AccountsJSON = b
			s.cache.put(*v.key, accts, b)
		}
	}
	return &v.Data, accts, nil
}

// AccountsSummary serves GetAccountsSummary and GetAccountsSummaryAsync.
func (s *Service) AccountsSummary(ctx context.Context, customerID string, call Call) (*Data, []flinks.AccountSummary, error) {
	call.Op = OpAccountsSummary
	v, err := s.read(ctx, customerID, call, func(o Options) store.SnapshotQuery {
		return store.SnapshotQuery{Accounts: o.Query.Accounts, NoTransactions: true}
	})
	if err != nil {
		return nil, nil, err
	}
	return &v.Data, Summary(v.snap, v.opts), nil
}

// Statements serves GetStatements and GetStatementsAsync.
func (s *Service) Statements(ctx context.Context, customerID string, call Call) (*Data, []flinks.AccountStatements, error) {
	call.Op = OpStatements
	// A statement lists its whole month: read every transaction stored.
	v, err := s.read(ctx, customerID, call, func(o Options) store.SnapshotQuery {
		return store.SnapshotQuery{Accounts: o.Query.Accounts}
	})
	if err != nil {
		return nil, nil, err
	}
	name := v.Institution.DisplayName
	if name == "" {
		name = v.Institution.Name
	}
	byAccount, err := Statements(v.snap, name, v.opts, s.now())
	if err != nil {
		return nil, nil, err
	}
	return &v.Data, byAccount, nil
}

// errPending is a data call that came before its data: answered 202 once
// the call's options are kept.
type errPending struct{ sess *store.Session }

func (errPending) Error() string { return "accounts: the data is being fetched" }

// read checks a data call against its session and reads the data it asks
// for, all at one instant of the database (one read transaction, or the
// one statement a copy needs: readOnce), so that a fetch that ends
// meanwhile (its snapshot and the end of its session written together) is
// seen whole or not at all. query says what to read for the call's options.
//
// A direct call (not *Async) that comes while its data is being fetched
// waits for the fetch, up to Config.FetchWait, as Flinks' own direct calls
// wait before they answer OPERATION_DISPATCHED: woken by the end of a
// fetch of its login in this process (FetchDone), or every fetchPoll for
// another process's.
func (s *Service) read(ctx context.Context, customerID string, call Call, query func(Options) store.SnapshotQuery) (*view, error) {
	var deadline <-chan time.Time
	var wake <-chan struct{} // nil until the call listens for its login's fetch
	stop := func() {}
	defer func() { stop() }()
	for {
		v, err := s.readOnce(ctx, customerID, call, query)
		var p errPending
		if !errors.As(err, &p) {
			return v, err
		}
		if call.Async || s.fetchWait <= 0 {
			return nil, s.pending(ctx, p.sess, call)
		}
		if deadline == nil {
			t := time.NewTimer(s.fetchWait)
			defer t.Stop()
			deadline = t.C
		}
		if wake == nil {
			// Listen, then read again: a fetch that ended since the read
			// above is seen by the next one.
			stop()
			wake, stop = s.fetches.listen(loginKey{customerID, p.sess.LoginID})
			continue
		}
		select {
		case <-wake:
			wake = nil
		case <-time.After(fetchPoll):
		case <-deadline:
			return nil, s.pending(ctx, p.sess, call)
		case <-ctx.Done():
			return nil, s.pending(context.WithoutCancel(ctx), p.sess, call)
		}
	}
}

// fetchPoll is how often a waiting data call reads its session again, for
// a fetch another process runs.
const fetchPoll = 100 * time.Millisecond

// waiters are the data calls waiting for the fetch of a login: the end of
// one wakes those of its login only, not every call waiting in the process
// (64 live logins at once each woke the 63 others at every fetch's end).
type waiters struct {
	mu sync.Mutex
	m  map[loginKey]*waitList
}

// waitList is the calls waiting for one login's fetch; ch closes when it
// ends.
type waitList struct {
	ch chan struct{}
	n  int
}

// listen returns a channel that the end of the login's next fetch closes,
// and the function that stops listening.
func (w *waiters) listen(k loginKey) (<-chan struct{}, func()) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.m == nil {
		w.m = map[loginKey]*waitList{}
	}
	l := w.m[k]
	if l == nil {
		l = &waitList{ch: make(chan struct{})}
		w.m[k] = l
	}
	l.n++
	return l.ch, func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		if l.n--; l.n == 0 && w.m[k] == l {
			delete(w.m, k)
		}
	}
}

// wake wakes the calls waiting for the login's fetch.
func (w *waiters) wake(k loginKey) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if l := w.m[k]; l != nil {
		close(l.ch)
		delete(w.m, k)
	}
}

// FetchDone tells the data calls waiting for a fetch of the login that one
// of this process ended (stored or failed): they read their session again.
func (s *Service) FetchDone(customerID, loginID string) {
	s.fetches.wake(loginKey{customerID, loginID})
}

// readOnce is one read of read. A call that a copy of its accounts may
// answer first reads its session, login and snapshot version in one
// statement (store.SessionView), outside any transaction: one instant of
// the database, which is all a copy needs. Every other call, and one
// whose copy is missing, is read whole in one read transaction.
func (s *Service) readOnce(ctx context.Context, customerID string, call Call, query func(Options) store.SnapshotQuery) (*view, error) {
	id := strings.TrimSpace(call.RequestID)
	if id == "" && call.Request != nil {
		id = strings.TrimSpace(call.Request.RequestId)
	}
	if id == "" {
		return nil, &flinks.Error{FlinksCode: flinks.CodeInvalidRequest, Message: "RequestId is required: send the RequestId of an authorized session.",
			ValidationDetails: map[string][]string{"RequestId": {"required"}}}
	}
	now := s.now()
	if s.cache != nil && call.Op == OpAccountsDetail {
		sv, err := s.store.SessionView(ctx, customerID, id)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		// No such session, or no login: the transaction below says which.
		if err == nil {
			v := &view{}
			if hit, err := s.check(v, sv, call, now); hit || err != nil {
				return v, err
			}
		}
	}
	v := &view{}
	err := s.store.ReadTx(ctx, func(q store.Queries) error {
		sv, err := q.SessionView(ctx, customerID, id)
		if errors.Is(err, store.ErrNotFound) {
			var sess *store.Session
			if sess, err = q.Session(ctx, customerID, id); errors.Is(err, store.ErrNotFound) {
				return &flinks.Error{FlinksCode: flinks.CodeSessionNonexistent,
					Message: "Inputs session id or card if were not found: the RequestId is unknown."}
			}
			sv = &store.SessionView{Session: sess}
		}
		if err != nil {
			return err
		}
		if hit, err := s.check(v, sv, call, now); hit || err != nil {
			return err
		}
		sess := sv.Session
		v.snap, _, err = q.Snapshot(ctx, customerID, sess.LoginID, query(v.opts))
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		// A cached session of a login whose first fetch has not finished,
		// or failed.
		busy, err := q.LoginFetching(ctx, customerID, sess.LoginID)
		if err != nil {
			return err
		}
		if busy {
			return errPending{sess}
		}
		return sessionError(sess, &flinks.Error{FlinksCode: flinks.CodeSessionNonexistent,
			Message: "Inputs session id or card if were not found: no data has been collected for this login yet; authorize it live (MostRecentCached: false)."})
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// check checks a data call against its session and login (sv.Login nil:
// the session has none, or it was deleted), filling v with what they say.
// It reports a hit when a copy of the accounts, of the snapshot version
// sv read, answers the call; v.key is then set when the copy can be kept.
func (s *Service) check(v *view, sv *store.SessionView, call Call, now time.Time) (hit bool, err error) {
	sess := sv.Session
	m := machineOf(sess)
	_, readErr := session.Step(m, session.Read, now, session.Rules{})
	if readErr != nil && (m.State != session.Authorized || session.Expired(m, now)) {
		return false, sessionError(sess, readErr)
	}
	req := call.Request
	if req == nil {
		req = storedRequest(sess, call.Op)
	}
	if v.opts, err = Parse(req, now); err != nil {
		return false, sessionError(sess, err)
	}
	if readErr != nil {
		if m.Fetch.Fetching() {
			return false, errPending{sess}
		}
		return false, sessionError(sess, readErr) // the fetch failed
	}
	v.RequestID, v.Tag = sess.ID, sess.Tag
	if v.Login = sv.Login; v.Login == nil {
		return false, sessionError(sess, &flinks.Error{FlinksCode: flinks.CodeSessionNonexistent,
			Message: "Inputs session id or card if were not found: the login of this RequestId was deleted."})
	}
	e, ok := s.banks.Lookup(sess.Institution)
	if !ok {
		return false, sessionError(sess, &flinks.Error{FlinksCode: flinks.CodeDisabledInstitution,
			Message: "The institution " + sess.Institution + " of this login is no longer served."})
	}
	v.Institution = e.Inst
	if s.cache == nil || call.Op != OpAccountsDetail || !sv.HasSnapshot {
		return false, nil
	}
	k, ok := keyOf(sess.CustomerID, sess.LoginID, v.opts)
	if !ok {
		return false, nil
	}
	k.version = sv.SnapshotVersion
	if e := s.cache.get(k); e != nil {
		v.detail = e
		return true, nil
	}
	v.key = &k
	return false, nil
}

// pending answers a data call that came before its data: 202, and the
// call's options are kept for the *Async calls that continue it.
func (s *Service) pending(ctx context.Context, sess *store.Session, call Call) error {
	code, msg := flinks.CodeOperationPending, "Your operation is still processing"
	if sess.Fetch == string(session.FetchDispatched) && !call.Async {
		code, msg = flinks.CodeOperationDispatched, "Your operations had been dispatched to background process for long running jobs"
	}
	if call.Request != nil {
		if err := s.keepRequest(ctx, sess, call); err != nil {
			return err
		}
	}
	return sessionError(sess, &flinks.Error{FlinksCode: code, Message: msg})
}

// keepRequest stores the options of a call answered 202 on its session.
func (s *Service) keepRequest(ctx context.Context, sess *store.Session, call Call) error {
	body, err := json.Marshal(call.Request)
	if err != nil {
		return err
	}
	return store.RetryConflict(func() error {
		cur, err := s.store.Session(ctx, sess.CustomerID, sess.ID)
		if err != nil {
			return err
		}
		reqs := map[Op]json.RawMessage{}
		if len(cur.Requests) > 0 {
			if err := json.Unmarshal(cur.Requests, &reqs); err != nil {
				return err
			}
		}
		if string(reqs[call.Op]) == string(body) {
			return nil
		}
		reqs[call.Op] = body
		if cur.Requests, err = json.Marshal(reqs); err != nil {
			return err
		}
		return s.store.UpdateSession(ctx, cur)
	})
}

// storedRequest returns the options kept for op on the session, or the
// defaults.
func storedRequest(sess *store.Session, op Op) *flinks.DataRequest {
	req := &flinks.DataRequest{RequestId: sess.ID}
	var reqs map[Op]json.RawMessage
	if json.Unmarshal(sess.Requests, &reqs) == nil && reqs[op] != nil {
		// Written by keepRequest from a decoded request: it decodes.
		_ = json.Unmarshal(reqs[op], req)
	}
	return req
}

// sessionError adds the session's identity to a client error.
func sessionError(sess *store.Session, err error) error {
	var fe *flinks.Error
	if errors.As(err, &fe) {
		fe.RequestId, fe.Institution = sess.ID, sess.Institution
		if fe.Tag == "" {
			fe.Tag = sess.Tag
		}
	}
	return err
}

// machineOf is the state machine of a stored session.
func machineOf(sess *store.Session) session.Machine {
	return session.Machine{State: session.State(sess.State), Attempts: sess.Attempts, LastRequest: sess.UpdatedAt,
		BusyUntil: sess.BusyUntil, Fetch: session.Fetch(sess.Fetch), FetchCode: flinks.Code(sess.FetchCode)}
}
