package authorize

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/accounts"
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

// DataCall is one call of a data endpoint.
type DataCall struct {
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

// dataView is what a data call reads: its session, login, institution,
// options and the login's data.
type dataView struct {
	sess  *store.Session
	login *store.Login
	entry entry
	opts  accounts.Options
	snap  *connector.Snapshot
}

// AccountsDetail serves GetAccountsDetail and GetAccountsDetailAsync.
func (s *Service) AccountsDetail(ctx context.Context, customerID string, call DataCall) (*flinks.AccountsDetailResponse, error) {
	call.Op = OpAccountsDetail
	v, err := s.dataView(ctx, customerID, call, func(o accounts.Options) store.SnapshotQuery { return o.Query })
	if err != nil {
		return nil, err
	}
	return &flinks.AccountsDetailResponse{
		HttpStatusCode: 200, Accounts: accounts.Detail(v.snap, v.opts),
		InstitutionName: v.entry.inst.Name, Login: loginOf(v.login), InstitutionId: v.entry.inst.ID,
		Institution: v.entry.inst.Name, RequestId: v.sess.ID, Tag: v.sess.Tag,
	}, nil
}

// AccountsSummary serves GetAccountsSummary and GetAccountsSummaryAsync.
func (s *Service) AccountsSummary(ctx context.Context, customerID string, call DataCall) (*flinks.AccountsSummaryResponse, error) {
	call.Op = OpAccountsSummary
	v, err := s.dataView(ctx, customerID, call, func(o accounts.Options) store.SnapshotQuery {
		return store.SnapshotQuery{Accounts: o.Query.Accounts, NoTransactions: true}
	})
	if err != nil {
		return nil, err
	}
	return &flinks.AccountsSummaryResponse{
		HttpStatusCode: 200, Accounts: accounts.Summary(v.snap, v.opts), Links: summaryLinks,
		InstitutionName: v.entry.inst.Name, Login: loginOf(v.login), InstitutionId: v.entry.inst.ID,
		Institution: v.entry.inst.Name, RequestId: v.sess.ID, Tag: v.sess.Tag,
	}, nil
}

var summaryLinks = []flinks.Link{
	{Rel: "AccountsDetail", Href: "/GetAccountsDetail"},
	{Rel: "Statements", Href: "/GetStatements"},
}

// Statements serves GetStatements and GetStatementsAsync.
func (s *Service) Statements(ctx context.Context, customerID string, call DataCall) (*flinks.StatementsResponse, error) {
	call.Op = OpStatements
	// A statement lists its whole month: read every transaction stored.
	v, err := s.dataView(ctx, customerID, call, func(o accounts.Options) store.SnapshotQuery {
		return store.SnapshotQuery{Accounts: o.Query.Accounts}
	})
	if err != nil {
		return nil, err
	}
	name := v.entry.inst.DisplayName
	if name == "" {
		name = v.entry.inst.Name
	}
	byAccount, err := accounts.Statements(v.snap, name, v.opts, s.now())
	if err != nil {
		return nil, err
	}
	return &flinks.StatementsResponse{
		HttpStatusCode: 200, StatementsByAccount: byAccount, Login: loginOf(v.login),
		Institution: v.entry.inst.Name, RequestId: v.sess.ID, Tag: v.sess.Tag,
	}, nil
}

// dataView checks a data call against its session and reads the data it
// asks for; query says what to read for the call's options.
func (s *Service) dataView(ctx context.Context, customerID string, call DataCall, query func(accounts.Options) store.SnapshotQuery) (*dataView, error) {
	id := strings.TrimSpace(call.RequestID)
	if id == "" && call.Request != nil {
		id = strings.TrimSpace(call.Request.RequestId)
	}
	if id == "" {
		return nil, &flinks.Error{FlinksCode: flinks.CodeInvalidRequest, Message: "RequestId is required: send the RequestId of an authorized session.",
			ValidationDetails: map[string][]string{"RequestId": {"required"}}}
	}
	sess, err := s.store.Session(ctx, customerID, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, &flinks.Error{FlinksCode: flinks.CodeSessionNonexistent,
			Message: "Inputs session id or card if were not found: the RequestId is unknown."}
	}
	if err != nil {
		return nil, err
	}
	if err := s.checkDataSession(sess); err != nil {
		return nil, err
	}
	req := call.Request
	if req == nil {
		req = storedRequest(sess, call.Op)
	}
	now := s.now()
	opts, err := accounts.Parse(req, now)
	if err != nil {
		return nil, s.sessionError(sess, err)
	}
	v := &dataView{sess: sess, opts: opts}

	switch sess.Fetch {
	case store.FetchPending, store.FetchDispatched:
		return nil, s.pending(ctx, sess, call)
	case store.FetchFailed:
		return nil, s.sessionError(sess, &flinks.Error{FlinksCode: flinks.Code(sess.FetchCode),
			Message: "The institution's data could not be collected for this RequestId (" + sess.FetchCode + "); authorize again."})
	}
	if v.login, err = s.store.Login(ctx, customerID, sess.LoginID); errors.Is(err, store.ErrNotFound) {
		return nil, s.sessionError(sess, &flinks.Error{FlinksCode: flinks.CodeSessionNonexistent,
			Message: "Inputs session id or card if were not found: the login of this RequestId was deleted."})
	} else if err != nil {
		return nil, err
	}
	var ok bool
	if v.entry, ok = s.registry.lookup(sess.Institution); !ok {
		return nil, s.sessionError(sess, &flinks.Error{FlinksCode: flinks.CodeDisabledInstitution,
			Message: "The institution " + sess.Institution + " of this login is no longer served."})
	}
	v.snap, _, err = s.store.Snapshot(ctx, customerID, sess.LoginID, query(opts))
	if errors.Is(err, store.ErrNotFound) {
		// A cached session of a login whose first fetch has not finished,
		// or failed.
		busy, berr := s.store.LoginFetching(ctx, customerID, sess.LoginID)
		if berr != nil {
			return nil, berr
		}
		if busy {
			return nil, s.pending(ctx, sess, call)
		}
		// The fetch may have finished between the two reads: its snapshot
		// and the end of its session are written together, so a second
		// read tells.
		v.snap, _, err = s.store.Snapshot(ctx, customerID, sess.LoginID, query(opts))
		if errors.Is(err, store.ErrNotFound) {
			return nil, s.sessionError(sess, &flinks.Error{FlinksCode: flinks.CodeSessionNonexistent,
				Message: "Inputs session id or card if were not found: no data has been collected for this login yet; authorize it live (MostRecentCached: false)."})
		}
	}
	if err != nil {
		return nil, err
	}
	return v, nil
}

// checkDataSession refuses a data call on a session that is not authorized
// or has expired.
func (s *Service) checkDataSession(sess *store.Session) error {
	idle := s.now().Sub(sess.UpdatedAt)
	switch State(sess.State) {
	case Authorized:
		if idle > AuthorizedIdle {
			return s.sessionError(sess, errExpired(AuthorizedIdle))
		}
		return nil
	case Challenged, Answering:
		if idle > ChallengeIdle {
			return s.sessionError(sess, errExpired(ChallengeIdle))
		}
		return s.sessionError(sess, &flinks.Error{FlinksCode: flinks.CodeUnauthorized,
			Message: "This RequestId is not authorized yet: answer its security challenges with Authorize first."})
	}
	return s.sessionError(sess, &flinks.Error{FlinksCode: flinks.CodeSessionNonexistent,
		Message: "Inputs session id or card if were not found: the Authorize of this RequestId failed."})
}

// pending answers a data call that came before its data: 202, and the
// call's options are kept for the *Async calls that continue it.
func (s *Service) pending(ctx context.Context, sess *store.Session, call DataCall) error {
	code, msg := flinks.CodeOperationPending, "Your operation is still processing"
	if sess.Fetch == store.FetchDispatched && !call.Async {
		code, msg = flinks.CodeOperationDispatched, "Your operations had been dispatched to background process for long running jobs"
	}
	if call.Request != nil {
		if err := s.keepRequest(ctx, sess, call); err != nil {
			return err
		}
	}
	return s.sessionError(sess, &flinks.Error{FlinksCode: code, Message: msg})
}

// keepRequest stores the options of a call answered 202 on its session.
func (s *Service) keepRequest(ctx context.Context, sess *store.Session, call DataCall) error {
	body, err := json.Marshal(call.Request)
	if err != nil {
		return err
	}
	return retryConflict(func() error {
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
func (s *Service) sessionError(sess *store.Session, err error) error {
	var fe *flinks.Error
	if errors.As(err, &fe) {
		fe.RequestId, fe.Institution = sess.ID, sess.Institution
		if fe.Tag == "" {
			fe.Tag = sess.Tag
		}
	}
	return err
}

// loginOf is the Login of a response.
func loginOf(login *store.Login) *flinks.Login {
	l := &flinks.Login{Username: login.Username, IsScheduledRefresh: login.ScheduledRefresh, Id: login.ID}
	if !login.LastRefresh.IsZero() {
		v := login.LastRefresh.UTC().Format(flinks.TimeLayout)
		l.LastRefresh = &v
	}
	if login.Type != "" {
		v := login.Type
		l.Type = &v
	}
	return l
}
