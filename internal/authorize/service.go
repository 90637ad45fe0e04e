package authorize

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/institutions"
	"github.com/bankfeed/bankfeed/internal/refresh"
	"github.com/bankfeed/bankfeed/internal/secrets"
	"github.com/bankfeed/bankfeed/internal/session"
	"github.com/bankfeed/bankfeed/internal/store"
	"github.com/google/uuid"
)

// Session modes, as stored.
const (
	modeLive   = "live"   // credentials
	modeReopen = "reopen" // LoginId, MostRecentCached false
	modeCached = "cached" // LoginId, MostRecentCached true
)

// cachedMarkEvery is how stale a login's LastCached may grow before a
// cached reopen records itself: precise enough for a rule counted in days.
const cachedMarkEvery = time.Hour

// Config holds the dependencies of a Service.
type Config struct {
	Store        store.Store
	Secrets      *secrets.Keeper
	Institutions *institutions.Registry
	Logger       *slog.Logger
	// Now is the application's clock; time.Now when nil.
	Now func() time.Time
	// MaxAttempts is the number of wrong answers after which a session
	// fails; 3 when zero.
	MaxAttempts int
}

// Service runs Authorize conversations. It is safe for concurrent use.
type Service struct {
	store   store.Store
	secrets *secrets.Keeper
	banks   *institutions.Registry
	log     *slog.Logger
	now     func() time.Time
	rules   session.Rules
}

// New returns a Service.
func New(cfg Config) *Service {
	s := &Service{store: cfg.Store, secrets: cfg.Secrets, banks: cfg.Institutions, log: cfg.Logger, now: store.Clock(cfg.Now),
		rules: session.Rules{MaxAttempts: cfg.MaxAttempts}}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.rules.MaxAttempts <= 0 {
		s.rules.MaxAttempts = 3
	}
	return s
}

// Result is how an Authorize request ended when it did not fail: with a
// round of challenges for the client (a 203), or with an authorized
// session (a 200).
type Result struct {
	RequestID   string
	Tag         string
	Institution connector.Institution
	// Challenges is the round the client must answer; empty when the
	// session is authorized.
	Challenges []connector.Challenge
	// Login is the login the session authorized; nil while challenged.
	Login *store.Login
}

// Authorized reports whether the session is authorized (a 200).
func (r *Result) Authorized() bool { return r.Login != nil }

// conversation is one request's view of a session while it is worked on.
type conversation struct {
	sess    *store.Session
	stored  bool // whether sess exists in the store yet
	machine session.Machine
	secret  secrets.Session
	entry   institutions.Entry
	// login is the saved login a reopen works on; nil for a new login.
	login       *store.Login
	loginSecret secrets.Login
}

// Authorize serves one /Authorize request for the customer. It returns a
// Result, or an error: a *flinks.Error for every outcome a client must
// handle, anything else for a failure of the server.
func (s *Service) Authorize(ctx context.Context, customerID string, req *flinks.AuthorizeRequest) (*Result, error) {
	switch {
	case req.RequestId != "":
		return s.answer(ctx, customerID, req)
	case req.LoginId != "" && bool(req.MostRecentCached):
		return s.cached(ctx, customerID, req)
	case req.LoginId != "":
		return s.reopen(ctx, customerID, req)
	default:
		return s.login(ctx, customerID, req)
	}
}

// login begins a live login with credentials.
func (s *Service) login(ctx context.Context, customerID string, req *flinks.AuthorizeRequest) (*Result, error) {
	details := map[string][]string{}
	for field, value := range map[string]string{"Institution": req.Institution, "Username": req.Username, "Password": req.Password} {
		if strings.TrimSpace(value) == "" {
			details[field] = []string{"required"}
		}
	}
	if len(details) > 0 {
		msg := "Send Institution, Username and Password for a live login, LoginId to reopen a saved login, or RequestId and SecurityResponses to answer a challenge."
		if req.MostRecentCached {
			msg = "A cached Authorize (MostRecentCached: true) needs the LoginId of a saved login."
			details = map[string][]string{"LoginId": {"required with MostRecentCached: true"}}
		}
		return nil, &flinks.Error{FlinksCode: flinks.CodeInvalidRequest, Message: msg, ValidationDetails: details, Tag: req.Tag}
	}
	e, ok := s.banks.Lookup(req.Institution)
	if !ok {
		return nil, &flinks.Error{FlinksCode: flinks.CodeInvalidRequest, Tag: req.Tag,
			Message:           "Unknown institution " + session.Quote(req.Institution) + "; this server serves " + s.banks.Names() + ".",
			ValidationDetails: map[string][]string{"Institution": {"unknown institution"}}}
	}
	lang, err := language(req.Language)
	if err != nil {
		return nil, withTag(err, req.Tag)
	}
	now := s.now()
	c := &conversation{
		sess: &store.Session{
			ID: uuid.NewString(), CustomerID: customerID, Institution: e.Inst.Name, Username: strings.TrimSpace(req.Username),
			Language: lang, Tag: req.Tag, Mode: modeLive, Save: bool(req.Save), ScheduleRefresh: bool(req.ScheduleRefresh),
			CreatedAt: now,
		},
		entry: e,
	}
	if err := s.transition(c, session.Open); err != nil {
		return nil, err
	}
	c.secret.ListQuestions = bool(req.WithMfaQuestions)
	if req.Save {
		// Kept, sealed, only until the login is saved at the end.
		c.secret.Password = req.Password
	}
	out, err := e.Conn.Begin(ctx, connector.BeginRequest{
		Institution: e.Inst.Name, Username: c.sess.Username, Password: connector.Secret(req.Password), Language: lang, Now: now,
	})
	return s.proceed(ctx, c, nil, out, err)
}

// reopen logs in again to a saved login with its stored credentials.
func (s *Service) reopen(ctx context.Context, customerID string, req *flinks.AuthorizeRequest) (*Result, error) {
	login, e, err := s.savedLogin(ctx, customerID, req)
	if err != nil {
		return nil, err
	}
	ls, err := s.secrets.OpenLogin(login)
	if err != nil {
		return nil, err
	}
	now := s.now()
	c := &conversation{
		sess: &store.Session{
			ID: uuid.NewString(), CustomerID: customerID, LoginID: login.ID, Institution: e.Inst.Name, Username: login.Username,
			Language: login.Language, Tag: req.Tag, Mode: modeReopen, Save: bool(req.Save), CreatedAt: now,
		},
		entry:       e,
		login:       login,
		loginSecret: ls,
	}
	if err := s.transition(c, session.Open); err != nil {
		return nil, err
	}
	c.secret.ListQuestions = bool(req.WithMfaQuestions)
	out, err := e.Conn.Begin(ctx, connector.BeginRequest{
		Institution: e.Inst.Name, Username: login.Username, Password: connector.Secret(ls.Password),
		Language: login.Language, Saved: ls.State, Now: now,
	})
	return s.proceed(ctx, c, nil, out, err)
}

// cached opens a session over a saved login's latest data, without the bank.
func (s *Service) cached(ctx context.Context, customerID string, req *flinks.AuthorizeRequest) (*Result, error) {
	login, e, err := s.savedLogin(ctx, customerID, req)
	if err != nil {
		return nil, err
	}
	now := s.now()
	sess := &store.Session{
		ID: uuid.NewString(), CustomerID: customerID, LoginID: login.ID, Institution: e.Inst.Name, Username: login.Username,
		Language: login.Language, Tag: req.Tag, Mode: modeCached, CreatedAt: now,
	}
	// No conversation: nothing is sealed, and the bank is not asked.
	m, err := session.Step(session.Machine{}, session.OpenCached, now, s.rules)
	if err != nil {
		return nil, err
	}
	putMachine(sess, m)
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return nil, err
	}
	// Scheduled refresh keeps a login only while its data is read (a cached
	// call within 7 days, reference section 11). Recorded coarsely: at most
	// one write an hour per login on this hot path.
	if now.Sub(login.LastCached) >= cachedMarkEvery {
		if err := s.store.MarkCached(ctx, customerID, login.ID, now); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	if login.LastRefreshCode != "" {
		// As Flinks does: a cached call replays the outcome of the last live
		// refresh, with a RequestId that still serves the older data.
		return nil, &flinks.Error{FlinksCode: flinks.Code(login.LastRefreshCode), RequestId: sess.ID, Institution: e.Inst.Name, Tag: req.Tag,
			Message: "The last live refresh of this login failed with " + login.LastRefreshCode + "; the RequestId serves the data of the last successful refresh."}
	}
	return &Result{RequestID: sess.ID, Tag: sess.Tag, Institution: e.Inst, Login: login}, nil
}

// savedLogin finds the customer's saved login named by req.LoginId.
func (s *Service) savedLogin(ctx context.Context, customerID string, req *flinks.AuthorizeRequest) (*store.Login, institutions.Entry, error) {
	invalid := &flinks.Error{FlinksCode: flinks.CodeInvalidLogin, Tag: req.Tag,
		Message: "The LoginId provided is either invalid or does not belong to the CustomerId."}
	login, err := s.store.Login(ctx, customerID, strings.TrimSpace(req.LoginId))
	if errors.Is(err, store.ErrNotFound) {
		return nil, institutions.Entry{}, invalid
	}
	if err != nil {
		return nil, institutions.Entry{}, err
	}
	if !login.Saved {
		invalid.Message = "The LoginId was authorized without Save: true, so it cannot be reopened; authorize with credentials and Save: true."
		return nil, institutions.Entry{}, invalid
	}
	e, ok := s.banks.Lookup(login.Institution)
	if !ok {
		return nil, institutions.Entry{}, &flinks.Error{FlinksCode: flinks.CodeDisabledInstitution, Tag: req.Tag,
			Message: "The institution " + login.Institution + " of this login is no longer served."}
	}
	return login, e, nil
}

// answer takes the answers to a session's current round; an empty
// SecurityResponses shows the round again.
func (s *Service) answer(ctx context.Context, customerID string, req *flinks.AuthorizeRequest) (*Result, error) {
	sess, err := s.store.Session(ctx, customerID, strings.TrimSpace(req.RequestId))
	if errors.Is(err, store.ErrNotFound) {
		return nil, &flinks.Error{FlinksCode: flinks.CodeSessionNonexistent, Tag: req.Tag,
			Message: "Inputs session id or card if were not found: the RequestId is unknown."}
	}
	if err != nil {
		return nil, err
	}
	if req.Tag != "" {
		sess.Tag = req.Tag
	}
	c := &conversation{sess: sess, stored: true, machine: machineOf(sess)}
	now := s.now()
	ev := session.Answer
	if len(req.SecurityResponses) == 0 {
		ev = session.Show
	}
	next, err := session.Step(c.machine, ev, now, s.rules)
	if err != nil {
		return nil, s.decorate(c, err)
	}
	e, ok := s.banks.Lookup(sess.Institution)
	if !ok {
		return nil, s.decorate(c, &flinks.Error{FlinksCode: flinks.CodeDisabledInstitution,
			Message: "The institution " + sess.Institution + " is no longer served."})
	}
	c.entry = e
	if c.secret, err = s.secrets.OpenSession(sess); err != nil {
		return nil, err
	}
	shown := c.secret.Shown()
	if ev == session.Show {
		c.machine = next
		if err := s.save(ctx, c); err != nil {
			return nil, s.decorate(c, err)
		}
		return s.challengedResult(c, shown), nil
	}
	answers, err := session.Match(shown, req.SecurityResponses)
	if err != nil {
		return nil, s.decorate(c, err)
	}
	for prompt, v := range c.secret.Prefilled {
		answers[prompt] = v
	}

	// Claim the session: of concurrent answers, exactly one gets past here.
	c.machine = next
	if err := s.save(ctx, c); err != nil {
		return nil, s.decorate(c, err)
	}
	if sess.LoginID != "" {
		if err := s.loadLogin(ctx, c); err != nil {
			return nil, err
		}
	}
	out, err := e.Conn.Continue(ctx, connector.ContinueRequest{State: c.secret.State, Answers: answers, Now: now})
	return s.proceed(ctx, c, answers, out, err)
}

// proceed moves a conversation on after the connector answered: it answers
// rounds it holds stored answers for, and ends in a round for the client,
// an authorization or an error. answered holds the answers of the round
// just sent, if any.
func (s *Service) proceed(ctx context.Context, c *conversation, answered map[string][]string, out connector.Outcome, err error) (*Result, error) {
	replayed := len(answered) > 0 && len(c.secret.Prefilled) == len(c.secret.Round) // the client was asked nothing
	rounds := 0
	var roundErr error // a failure of the server in Round, not of the connector
	replay := refresh.Replay{Conn: c.entry.Conn, Stored: c.loginSecret.Answers, Now: s.now,
		Round: func(out connector.Outcome, answered map[string][]string) error {
			s.log.Debug("connector answered", "request_id", c.sess.ID, "institution", c.entry.Inst.Name, "round", rounds,
				"challenges", len(out.Challenges), "authorized", out.Authorized(), "rejected", out.Rejected)
			rounds++
			if out.Rejected {
				// A wrong answer the bank answered with another round: keep
				// nothing of it, and forget stored answers that led here.
				if roundErr = s.eraseAnswers(ctx, c, c.secret.Prefilled); roundErr != nil {
					return roundErr
				}
			} else if len(answered) > 0 {
				c.secret.Collect(answered)
			}
			if !out.Authorized() {
				// The round to answer next, from storage or by the client.
				c.secret.SetRound(out.State, out.Challenges)
				c.secret.Prefilled = refresh.StoredAnswers(out.Challenges, c.loginSecret.Answers)
			}
			return nil
		}}
	out, answered, replayed, err = replay.Run(ctx, out, err, answered, replayed)
	var ce *connector.Error
	switch {
	case roundErr != nil:
		return nil, roundErr
	case errors.As(err, &ce) && ce.Kind == connector.InvalidSecurityResponse && len(answered) > 0:
		return s.rejected(ctx, c, ce, replayed)
	case errors.As(err, &ce):
		return s.failed(ctx, c, ce)
	case err != nil:
		return nil, fmt.Errorf("authorize: connector %s: %w", c.entry.Inst.Name, err)
	case out.Authorized():
		return s.authorized(ctx, c, out)
	}
	return s.challenged(ctx, c)
}

// challenged persists a new round and returns it.
func (s *Service) challenged(ctx context.Context, c *conversation) (*Result, error) {
	if err := s.transition(c, session.Challenge); err != nil {
		return nil, err
	}
	if err := s.save(ctx, c); err != nil {
		return nil, s.decorate(c, err)
	}
	return s.challengedResult(c, c.secret.Shown()), nil
}

// rejected handles a wrong answer: the round may be answered again until the
// attempts run out. Stored answers that were part of the round are erased,
// since one of them may be the wrong one; when the client was asked nothing,
// the wrong answer was a stored one and the round is shown in full.
func (s *Service) rejected(ctx context.Context, c *conversation, ce *connector.Error, replayed bool) (*Result, error) {
	erase := c.secret.Prefilled
	c.secret.Prefilled = nil
	if replayed {
		if err := s.eraseAnswers(ctx, c, erase); err != nil {
			return nil, err
		}
		return s.challenged(ctx, c)
	}
	if err := s.transition(c, session.Reject); err != nil {
		return nil, err
	}
	if c.machine.State == session.Failed {
		c.secret = secrets.Session{}
	}
	err := s.store.InTx(ctx, func(q store.Queries) error {
		if len(erase) > 0 && c.login != nil {
			if err := s.eraseAnswersTx(ctx, q, c, erase); err != nil {
				return err
			}
		}
		return s.saveTx(ctx, q, c)
	})
	if err != nil {
		return nil, s.decorate(c, err)
	}
	left := s.rules.MaxAttempts - c.machine.Attempts
	attempts := "attempts"
	if left == 1 {
		attempts = "attempt"
	}
	msg := fmt.Sprintf("The answer is not valid; %d %s left. Answer again, or send an empty SecurityResponses to see the challenges.", left, attempts)
	if c.machine.State == session.Failed {
		msg = "The answer is not valid, and no attempts are left; start a new session with Authorize."
	}
	return nil, s.decorate(c, &flinks.Error{FlinksCode: flinks.CodeInvalidSecurityResponse, Message: msg})
}

// failed ends the conversation with the connector's error.
func (s *Service) failed(ctx context.Context, c *conversation, ce *connector.Error) (*Result, error) {
	code := ce.Kind.FlinksCode()
	if err := s.transition(c, session.Fail); err != nil {
		return nil, err
	}
	c.secret = secrets.Session{}
	err := s.store.InTx(ctx, func(q store.Queries) error {
		if c.login != nil {
			login, err := q.Login(ctx, c.login.CustomerID, c.login.ID)
			if err != nil {
				return err
			}
			login.LastRefreshCode, login.LastAttempt, login.UpdatedAt = string(code), s.now(), s.now()
			if err := q.UpdateLogin(ctx, login); err != nil {
				return err
			}
		}
		if c.stored {
			return s.saveTx(ctx, q, c)
		}
		return nil
	})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	msg := ce.Message
	if msg == "" {
		msg = "The institution refused the login: " + ce.Kind.String() + "."
	}
	return nil, s.decorate(c, &flinks.Error{FlinksCode: code, Message: msg})
}

// authorized ends the conversation with a login: it saves what Save asks
// for, and enqueues the fetch of the login's data in the same transaction.
func (s *Service) authorized(ctx context.Context, c *conversation, out connector.Outcome) (*Result, error) {
	info := connector.LoginInfo{Username: c.sess.Username}
	if out.Login != nil {
		info = *out.Login
	}
	ev := session.Authorize
	if info.SlowFetch {
		ev = session.AuthorizeDispatched
	}
	if err := s.transition(c, ev); err != nil {
		return nil, err
	}
	var login *store.Login
	err := store.RetryConflict(func() error {
		return s.store.InTx(ctx, func(q store.Queries) error {
			var err error
			login, err = s.recordLogin(ctx, q, c, out, info)
			if err != nil {
				return err
			}
			c.sess.LoginID = login.ID
			// The password goes no further than the login; the connector's
			// state stays, sealed, for the fetch of the login's data.
			c.secret = secrets.Session{State: out.State}
			if err := s.saveTx(ctx, q, c); err != nil {
				return err
			}
			return q.Enqueue(ctx, refresh.FetchJob{CustomerID: c.sess.CustomerID, SessionID: c.sess.ID, LoginID: login.ID})
		})
	})
	if err != nil {
		return nil, s.decorate(c, err)
	}
	return s.authorizedResult(c, login), nil
}

// recordLogin creates or updates the login an authorized conversation
// produced.
func (s *Service) recordLogin(ctx context.Context, q store.Queries, c *conversation, out connector.Outcome, info connector.LoginInfo) (*store.Login, error) {
	now := s.now()
	var login *store.Login
	var err error
	if c.sess.LoginID != "" {
		login, err = q.Login(ctx, c.sess.CustomerID, c.sess.LoginID)
	} else {
		login, err = q.LoginByUsername(ctx, c.sess.CustomerID, c.sess.Institution, usernameKey(c.sess.Username))
	}
	isNew := errors.Is(err, store.ErrNotFound)
	if err != nil && !isNew {
		return nil, err
	}
	if isNew {
		if c.sess.Mode == modeReopen {
			// DeleteCard removed the login while it was being reopened.
			return nil, &flinks.Error{FlinksCode: flinks.CodeInvalidLogin, Message: "The login was deleted during this session."}
		}
		login = &store.Login{
			ID: uuid.NewString(), CustomerID: c.sess.CustomerID, Institution: c.sess.Institution,
			Username: c.sess.Username, UsernameKey: usernameKey(c.sess.Username), Language: c.sess.Language,
			ScheduledRefresh: c.sess.ScheduleRefresh, CreatedAt: now,
		}
	}
	login.Type = info.Type
	login.LastRefresh, login.LastRefreshCode, login.LastAttempt, login.UpdatedAt = now, "", now, now
	login.TwoStep = c.secret.OneTime
	if !c.sess.Save && login.Saved && len(login.Sealed) > 0 {
		// Without Save the credentials and answers stay as they were, but
		// what the bank now remembers of the device (the connector's state)
		// is kept: it changed whether or not the client saves.
		ls, err := s.secrets.OpenLogin(login)
		if err != nil {
			return nil, err
		}
		ls.State = out.State
		if err = s.secrets.SealLogin(login, ls); err != nil {
			return nil, err
		}
	}
	if c.sess.Save {
		ls, err := s.secrets.OpenLogin(login)
		if err != nil {
			return nil, err
		}
		if c.secret.Password != "" {
			ls.Password = c.secret.Password
		}
		ls.State = out.State
		if len(c.secret.Collected) > 0 && ls.Answers == nil {
			ls.Answers = make(map[string][]string)
		}
		for prompt, v := range c.secret.Collected {
			ls.Answers[prompt] = v
		}
		if c.secret.ListQuestions {
			if ls.Questions, err = s.listQuestions(ctx, c, out.State); err != nil {
				return nil, err
			}
		}
		login.Saved = true
		if login.Language == "" || c.sess.Mode == modeLive {
			login.Language = c.sess.Language
		}
		if err = s.secrets.SealLogin(login, ls); err != nil {
			return nil, err
		}
	}
	if isNew {
		return login, q.CreateLogin(ctx, login)
	}
	return login, q.UpdateLogin(ctx, login)
}

// listQuestions asks the connector for the login's security questions; a
// connector that cannot list them records none.
func (s *Service) listQuestions(ctx context.Context, c *conversation, state []byte) ([]string, error) {
	lister, ok := c.entry.Conn.(connector.QuestionLister)
	if !ok {
		return []string{}, nil
	}
	qs, err := lister.Questions(ctx, connector.QuestionsRequest{State: state, Language: c.sess.Language})
	if err != nil {
		return nil, fmt.Errorf("authorize: list questions of %s: %w", c.entry.Inst.Name, err)
	}
	if qs == nil {
		qs = []string{}
	}
	return qs, nil
}

// eraseAnswers removes stored answers that the bank no longer accepts.
func (s *Service) eraseAnswers(ctx context.Context, c *conversation, prompts map[string][]string) error {
	if c.login == nil || len(prompts) == 0 {
		return nil
	}
	return s.store.InTx(ctx, func(q store.Queries) error { return s.eraseAnswersTx(ctx, q, c, prompts) })
}

func (s *Service) eraseAnswersTx(ctx context.Context, q store.Queries, c *conversation, prompts map[string][]string) error {
	login, err := q.Login(ctx, c.login.CustomerID, c.login.ID)
	if err != nil {
		return err
	}
	if err := s.secrets.ForgetAnswers(login, prompts); err != nil {
		return err
	}
	for prompt := range prompts {
		delete(c.loginSecret.Answers, prompt)
	}
	login.UpdatedAt = s.now()
	return q.UpdateLogin(ctx, login)
}

// loadLogin reads the saved login a reopen session works on.
func (s *Service) loadLogin(ctx context.Context, c *conversation) error {
	login, err := s.store.Login(ctx, c.sess.CustomerID, c.sess.LoginID)
	if errors.Is(err, store.ErrNotFound) {
		return s.decorate(c, &flinks.Error{FlinksCode: flinks.CodeInvalidLogin, Message: "The login was deleted during this session."})
	}
	if err != nil {
		return err
	}
	c.login = login
	c.loginSecret, err = s.secrets.OpenLogin(login)
	return err
}

// transition applies an event to the conversation's machine.
func (s *Service) transition(c *conversation, ev session.Event) error {
	next, err := session.Step(c.machine, ev, s.now(), s.rules)
	if err != nil {
		return err
	}
	c.machine = next
	return nil
}

// save persists the conversation's session.
func (s *Service) save(ctx context.Context, c *conversation) error {
	return s.saveTx(ctx, s.store, c)
}

func (s *Service) saveTx(ctx context.Context, q store.Queries, c *conversation) error {
	sess := c.sess
	putMachine(sess, c.machine)
	if err := s.secrets.SealSession(sess, &c.secret); err != nil {
		return err
	}
	if !c.stored {
		if err := q.CreateSession(ctx, sess); err != nil {
			return err
		}
		c.stored = true
		return nil
	}
	err := q.UpdateSession(ctx, sess)
	if errors.Is(err, store.ErrConflict) {
		// Another request moved the session since this one read it.
		cur, rerr := q.Session(ctx, sess.CustomerID, sess.ID)
		if rerr == nil && session.State(cur.State) == session.Authorized {
			return &flinks.Error{FlinksCode: flinks.CodeAlreadyAuthorized, Message: "This RequestId was authorized by another request."}
		}
		return &flinks.Error{FlinksCode: flinks.CodeConcurrentSession, Message: "Another request answered this RequestId at the same time; send an empty SecurityResponses to see where it stands."}
	}
	return err
}

// putMachine writes the machine's fields of a stored session.
func putMachine(sess *store.Session, m session.Machine) {
	sess.State, sess.Attempts, sess.BusyUntil, sess.UpdatedAt = string(m.State), m.Attempts, m.BusyUntil, m.LastRequest
	sess.Fetch, sess.FetchCode = string(m.Fetch), string(m.FetchCode)
}

// machineOf is the state machine of a stored session.
func machineOf(sess *store.Session) session.Machine {
	return session.Machine{State: session.State(sess.State), Attempts: sess.Attempts, LastRequest: sess.UpdatedAt,
		BusyUntil: sess.BusyUntil, Fetch: session.Fetch(sess.Fetch), FetchCode: flinks.Code(sess.FetchCode)}
}

// decorate adds the session's identity to a client error.
func (s *Service) decorate(c *conversation, err error) error {
	var fe *flinks.Error
	if !errors.As(err, &fe) {
		return err
	}
	if fe.RequestId == "" && c.stored {
		fe.RequestId = c.sess.ID
	}
	if fe.Institution == "" {
		fe.Institution = c.sess.Institution
	}
	if fe.Tag == "" {
		fe.Tag = c.sess.Tag
	}
	return fe
}

func withTag(err error, tag string) error {
	var fe *flinks.Error
	if errors.As(err, &fe) && fe.Tag == "" {
		fe.Tag = tag
	}
	return err
}

func (s *Service) challengedResult(c *conversation, shown []connector.Challenge) *Result {
	inst := c.entry.Inst
	inst.Name = c.sess.Institution
	return &Result{RequestID: c.sess.ID, Tag: c.sess.Tag, Institution: inst, Challenges: shown}
}

func (s *Service) authorizedResult(c *conversation, login *store.Login) *Result {
	return &Result{RequestID: c.sess.ID, Tag: c.sess.Tag, Institution: c.entry.Inst, Login: login}
}

// usernameKey is the form in which usernames identify a login: banks match
// usernames case-insensitively.
func usernameKey(username string) string { return strings.ToLower(strings.TrimSpace(username)) }

// language reads the Language of a request: "en" (the default) or "fr",
// with region forms such as "fr-CA" accepted.
func language(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	base, _, _ := strings.Cut(strings.ReplaceAll(s, "_", "-"), "-")
	switch base {
	case "", "en":
		return "en", nil
	case "fr":
		return "fr", nil
	}
	return "", &flinks.Error{FlinksCode: flinks.CodeInvalidRequest, Message: "Language must be \"en\" or \"fr\".",
		ValidationDetails: map[string][]string{"Language": {"must be en or fr"}}}
}
