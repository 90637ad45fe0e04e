package authorize

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/store"
	"github.com/bankfeed/bankfeed/internal/vault"
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

// maxReplayRounds bounds the rounds answered from stored answers in one
// request, so a connector that loops cannot hold a request forever.
const maxReplayRounds = 10

// Config holds the dependencies of a Service.
type Config struct {
	Store      store.Store
	Vault      *vault.Ring
	Connectors []connector.Connector
	Logger     *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// MaxAttempts is the number of wrong answers after which a session
	// fails; 3 when zero.
	MaxAttempts int
}

// Service runs Authorize conversations. It is safe for concurrent use.
type Service struct {
	store    store.Store
	vault    *vault.Ring
	registry *registry
	log      *slog.Logger
	now      func() time.Time
	rules    Rules
}

// New returns a Service.
func New(cfg Config) (*Service, error) {
	reg, err := newRegistry(cfg.Connectors)
	if err != nil {
		return nil, err
	}
	s := &Service{store: cfg.Store, vault: cfg.Vault, registry: reg, log: cfg.Logger, now: cfg.Now,
		rules: Rules{MaxAttempts: cfg.MaxAttempts}}
	if s.now == nil {
		s.now = time.Now
	}
	// Stores keep microseconds: reading the clock at that precision makes a
	// time the same before and after a round trip through the database.
	clock := s.now
	s.now = func() time.Time { return clock().UTC().Truncate(time.Microsecond) }
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.rules.MaxAttempts <= 0 {
		s.rules.MaxAttempts = 3
	}
	return s, nil
}

// Institutions lists the institutions served, by InstitutionId.
func (s *Service) Institutions() []connector.Institution {
	return append([]connector.Institution(nil), s.registry.list...)
}

// institutionNames lists the names of the institutions served, for an
// error message; a long list is cut.
func (s *Service) institutionNames() string {
	const most = 20
	names := make([]string, 0, most)
	for i, inst := range s.registry.list {
		if i == most {
			names = append(names, fmt.Sprintf("and %d more", len(s.registry.list)-most))
			break
		}
		names = append(names, inst.Name)
	}
	return strings.Join(names, ", ")
}

// sessionSecret is what a session keeps sealed between rounds.
type sessionSecret struct {
	Password string `json:"p,omitempty"`
	// State is the connector's conversation state for Round.
	State []byte `json:"s,omitempty"`
	// Round is the current round as the connector asked it.
	Round []challenge `json:"r,omitempty"`
	// Prefilled holds stored answers for challenges of Round that are not
	// shown to the client.
	Prefilled map[string][]string `json:"f,omitempty"`
	// Collected holds the correct answers of passed rounds, stored on the
	// login at the end when the session saves.
	Collected map[string][]string `json:"a,omitempty"`
	// ListQuestions is the request's WithMfaQuestions: record the login's
	// security questions when it is saved.
	ListQuestions bool `json:"q,omitempty"`
	// OneTime records that a round of the conversation asked a one-time
	// challenge: the login is then two-step, and no scheduled refresh can
	// pass its login.
	OneTime bool `json:"o,omitempty"`
}

// challenge is connector.Challenge with explicit JSON names, so the sealed
// format does not depend on the public type's field names.
type challenge struct {
	Type      flinks.ChallengeType `json:"t"`
	Prompt    string               `json:"p"`
	Iterables []string             `json:"i,omitempty"`
	OneTime   bool                 `json:"o,omitempty"`
}

// loginSecret is what a saved login keeps sealed.
type loginSecret struct {
	Password string              `json:"p,omitempty"`
	Answers  map[string][]string `json:"a,omitempty"`
	// State is the connector's state of the last authorized login.
	State []byte `json:"s,omitempty"`
	// Questions are the login's security questions, recorded by a live
	// Authorize with WithMfaQuestions (the Enhanced MFA flow).
	Questions []string `json:"qs,omitempty"`
}

// conversation is one request's view of a session while it is worked on.
type conversation struct {
	sess    *store.Session
	stored  bool // whether sess exists in the store yet
	machine Machine
	secret  sessionSecret
	entry   entry
	// login is the saved login a reopen works on; nil for a new login.
	login       *store.Login
	loginSecret loginSecret
}

// Authorize serves one /Authorize request for the customer. It returns the
// body of a 200 or a 203 (HttpStatusCode says which), or an error: a
// *flinks.Error for every outcome a client must handle, anything else for a
// failure of the server.
func (s *Service) Authorize(ctx context.Context, customerID string, req *flinks.AuthorizeRequest) (*flinks.AuthorizeResponse, error) {
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
func (s *Service) login(ctx context.Context, customerID string, req *flinks.AuthorizeRequest) (*flinks.AuthorizeResponse, error) {
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
	e, ok := s.registry.lookup(req.Institution)
	if !ok {
		return nil, &flinks.Error{FlinksCode: flinks.CodeInvalidRequest, Tag: req.Tag,
			Message:           "Unknown institution " + quote(req.Institution) + "; this server serves " + s.institutionNames() + ".",
			ValidationDetails: map[string][]string{"Institution": {"unknown institution"}}}
	}
	lang, err := language(req.Language)
	if err != nil {
		return nil, withTag(err, req.Tag)
	}
	now := s.now()
	c := &conversation{
		sess: &store.Session{
			ID: uuid.NewString(), CustomerID: customerID, Institution: e.inst.Name, Username: strings.TrimSpace(req.Username),
			Language: lang, Tag: req.Tag, Mode: modeLive, Save: bool(req.Save), ScheduleRefresh: bool(req.ScheduleRefresh),
			CreatedAt: now,
		},
		machine: Machine{State: Answering, LastRequest: now},
		entry:   e,
	}
	c.secret.ListQuestions = bool(req.WithMfaQuestions)
	if req.Save {
		// Kept, sealed, only until the login is saved at the end.
		c.secret.Password = req.Password
	}
	out, err := e.conn.Begin(ctx, connector.BeginRequest{
		Institution: e.inst.Name, Username: c.sess.Username, Password: connector.Secret(req.Password), Language: lang, Now: now,
	})
	return s.proceed(ctx, c, nil, out, err)
}

// reopen logs in again to a saved login with its stored credentials.
func (s *Service) reopen(ctx context.Context, customerID string, req *flinks.AuthorizeRequest) (*flinks.AuthorizeResponse, error) {
	login, e, err := s.savedLogin(ctx, customerID, req)
	if err != nil {
		return nil, err
	}
	var ls loginSecret
	if err := s.openLogin(login, &ls); err != nil {
		return nil, err
	}
	now := s.now()
	c := &conversation{
		sess: &store.Session{
			ID: uuid.NewString(), CustomerID: customerID, LoginID: login.ID, Institution: e.inst.Name, Username: login.Username,
			Language: login.Language, Tag: req.Tag, Mode: modeReopen, Save: bool(req.Save), CreatedAt: now,
		},
		machine:     Machine{State: Answering, LastRequest: now},
		entry:       e,
		login:       login,
		loginSecret: ls,
	}
	c.secret.ListQuestions = bool(req.WithMfaQuestions)
	out, err := e.conn.Begin(ctx, connector.BeginRequest{
		Institution: e.inst.Name, Username: login.Username, Password: connector.Secret(ls.Password),
		Language: login.Language, Saved: ls.State, Now: now,
	})
	return s.proceed(ctx, c, nil, out, err)
}

// cached opens a session over a saved login's latest data, without the bank.
func (s *Service) cached(ctx context.Context, customerID string, req *flinks.AuthorizeRequest) (*flinks.AuthorizeResponse, error) {
	login, e, err := s.savedLogin(ctx, customerID, req)
	if err != nil {
		return nil, err
	}
	now := s.now()
	sess := &store.Session{
		ID: uuid.NewString(), CustomerID: customerID, LoginID: login.ID, Institution: e.inst.Name, Username: login.Username,
		Language: login.Language, Tag: req.Tag, Mode: modeCached, State: string(Authorized), CreatedAt: now, UpdatedAt: now,
	}
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
		return nil, &flinks.Error{FlinksCode: flinks.Code(login.LastRefreshCode), RequestId: sess.ID, Institution: e.inst.Name, Tag: req.Tag,
			Message: "The last live refresh of this login failed with " + login.LastRefreshCode + "; the RequestId serves the data of the last successful refresh."}
	}
	return s.authorizedResponse(sess, login, e), nil
}

// savedLogin finds the customer's saved login named by req.LoginId.
func (s *Service) savedLogin(ctx context.Context, customerID string, req *flinks.AuthorizeRequest) (*store.Login, entry, error) {
	invalid := &flinks.Error{FlinksCode: flinks.CodeInvalidLogin, Tag: req.Tag,
		Message: "The LoginId provided is either invalid or does not belong to the CustomerId."}
	login, err := s.store.Login(ctx, customerID, strings.TrimSpace(req.LoginId))
	if errors.Is(err, store.ErrNotFound) {
		return nil, entry{}, invalid
	}
	if err != nil {
		return nil, entry{}, err
	}
	if !login.Saved {
		invalid.Message = "The LoginId was authorized without Save: true, so it cannot be reopened; authorize with credentials and Save: true."
		return nil, entry{}, invalid
	}
	e, ok := s.registry.lookup(login.Institution)
	if !ok {
		return nil, entry{}, &flinks.Error{FlinksCode: flinks.CodeDisabledInstitution, Tag: req.Tag,
			Message: "The institution " + login.Institution + " of this login is no longer served."}
	}
	return login, e, nil
}

// answer takes the answers to a session's current round.
func (s *Service) answer(ctx context.Context, customerID string, req *flinks.AuthorizeRequest) (*flinks.AuthorizeResponse, error) {
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
	claimed, err := Step(c.machine, Answer, now, s.rules)
	if err != nil {
		return nil, s.decorate(c, err)
	}
	e, ok := s.registry.lookup(sess.Institution)
	if !ok {
		return nil, s.decorate(c, &flinks.Error{FlinksCode: flinks.CodeDisabledInstitution,
			Message: "The institution " + sess.Institution + " is no longer served."})
	}
	c.entry = e
	if err := s.open(sess.Sealed, sessionAAD(sess), &c.secret); err != nil {
		return nil, err
	}
	shown := c.secret.shown()

	if len(req.SecurityResponses) == 0 {
		// An empty answer asks for the round again (as the Flinks sandbox
		// does); it counts as activity.
		c.machine.State, c.machine.LastRequest = Challenged, now
		if err := s.save(ctx, c); err != nil {
			return nil, s.decorate(c, err)
		}
		return s.challengedResponse(c, shown), nil
	}
	answers, err := Match(shown, req.SecurityResponses)
	if err != nil {
		return nil, s.decorate(c, err)
	}
	for prompt, v := range c.secret.Prefilled {
		answers[prompt] = v
	}

	// Claim the session: of concurrent answers, exactly one gets past here.
	c.machine = claimed
	if err := s.save(ctx, c); err != nil {
		return nil, s.decorate(c, err)
	}
	if sess.LoginID != "" {
		if err := s.loadLogin(ctx, c); err != nil {
			return nil, err
		}
	}
	out, err := e.conn.Continue(ctx, connector.ContinueRequest{State: c.secret.State, Answers: answers, Now: now})
	return s.proceed(ctx, c, answers, out, err)
}

// proceed moves a conversation on after the connector answered: it answers
// rounds it holds stored answers for, and ends in a 203, a 200 or an error.
// answered holds the answers of the round just sent, if any.
func (s *Service) proceed(ctx context.Context, c *conversation, answered map[string][]string, out connector.Outcome, err error) (*flinks.AuthorizeResponse, error) {
	replayed := len(answered) > 0 && len(c.secret.Prefilled) == len(c.secret.Round) // the client was asked nothing
	for rounds := 0; ; rounds++ {
		var ce *connector.Error
		switch {
		case errors.As(err, &ce) && ce.Kind == connector.InvalidSecurityResponse && len(answered) > 0:
			return s.rejected(ctx, c, ce, replayed)
		case errors.As(err, &ce):
			return s.failed(ctx, c, ce)
		case err != nil:
			return nil, fmt.Errorf("authorize: connector %s: %w", c.entry.inst.Name, err)
		}
		s.log.Debug("connector answered", "request_id", c.sess.ID, "institution", c.entry.inst.Name, "round", rounds,
			"challenges", len(out.Challenges), "authorized", out.Authorized(), "rejected", out.Rejected, "replayed", replayed)
		if out.Rejected {
			// A wrong answer the bank answered with another round: keep
			// nothing of it, and forget stored answers that led here.
			if err := s.eraseAnswers(ctx, c, c.secret.Prefilled); err != nil {
				return nil, err
			}
		} else if len(answered) > 0 {
			c.secret.collect(answered)
		}
		if out.Authorized() {
			return s.authorized(ctx, c, out)
		}
		if rounds >= maxReplayRounds {
			return nil, fmt.Errorf("authorize: connector %s asked more than %d rounds answered from storage", c.entry.inst.Name, maxReplayRounds)
		}
		c.secret.State = out.State
		c.secret.Round = fromConnector(out.Challenges)
		for _, ch := range out.Challenges {
			c.secret.OneTime = c.secret.OneTime || ch.OneTime
		}
		c.secret.Prefilled = c.prefill()
		if len(c.secret.Prefilled) < len(c.secret.Round) {
			return s.challenged(ctx, c)
		}
		// Every challenge of the round has a stored answer: answer it
		// without asking the client.
		answered, replayed = c.secret.Prefilled, true
		out, err = c.entry.conn.Continue(ctx, connector.ContinueRequest{State: out.State, Answers: answered, Now: s.now()})
	}
}

// challenged persists a new round and returns its 203.
func (s *Service) challenged(ctx context.Context, c *conversation) (*flinks.AuthorizeResponse, error) {
	if err := s.transition(c, Challenge); err != nil {
		return nil, err
	}
	if err := s.save(ctx, c); err != nil {
		return nil, s.decorate(c, err)
	}
	return s.challengedResponse(c, c.secret.shown()), nil
}

// rejected handles a wrong answer: the round may be answered again until the
// attempts run out. Stored answers that were part of the round are erased,
// since one of them may be the wrong one; when the client was asked nothing,
// the wrong answer was a stored one and the round is shown in full.
func (s *Service) rejected(ctx context.Context, c *conversation, ce *connector.Error, replayed bool) (*flinks.AuthorizeResponse, error) {
	erase := c.secret.Prefilled
	c.secret.Prefilled = nil
	if replayed {
		if err := s.eraseAnswers(ctx, c, erase); err != nil {
			return nil, err
		}
		return s.challenged(ctx, c)
	}
	if err := s.transition(c, Reject); err != nil {
		return nil, err
	}
	if c.machine.State == Failed {
		c.secret = sessionSecret{}
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
	if c.machine.State == Failed {
		msg = "The answer is not valid, and no attempts are left; start a new session with Authorize."
	}
	return nil, s.decorate(c, &flinks.Error{FlinksCode: flinks.CodeInvalidSecurityResponse, Message: msg})
}

// failed ends the conversation with the connector's error.
func (s *Service) failed(ctx context.Context, c *conversation, ce *connector.Error) (*flinks.AuthorizeResponse, error) {
	code := codeOf(ce.Kind)
	if err := s.transition(c, Fail); err != nil {
		return nil, err
	}
	c.secret = sessionSecret{}
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
// for and returns the 200.
func (s *Service) authorized(ctx context.Context, c *conversation, out connector.Outcome) (*flinks.AuthorizeResponse, error) {
	if err := s.transition(c, Authorize); err != nil {
		return nil, err
	}
	info := connector.LoginInfo{Username: c.sess.Username}
	if out.Login != nil {
		info = *out.Login
	}
	var login *store.Login
	err := retryConflict(func() error {
		return s.store.InTx(ctx, func(q store.Queries) error {
			var err error
			login, err = s.recordLogin(ctx, q, c, out, info)
			if err != nil {
				return err
			}
			c.sess.LoginID = login.ID
			// The password goes no further than the login; the connector's
			// state stays, sealed, for the fetch of the login's data.
			c.secret = sessionSecret{State: out.State}
			c.sess.Fetch = store.FetchPending
			if info.SlowFetch {
				c.sess.Fetch = store.FetchDispatched
			}
			if err := s.saveTx(ctx, q, c); err != nil {
				return err
			}
			return q.Enqueue(ctx, FetchJob{CustomerID: c.sess.CustomerID, SessionID: c.sess.ID, LoginID: login.ID})
		})
	})
	if err != nil {
		return nil, s.decorate(c, err)
	}
	return s.authorizedResponse(c.sess, login, c.entry), nil
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
		var ls loginSecret
		if err := s.openLogin(login, &ls); err != nil {
			return nil, err
		}
		ls.State = out.State
		if err = s.sealLogin(login, ls); err != nil {
			return nil, err
		}
	}
	if c.sess.Save {
		var ls loginSecret
		if len(login.Sealed) > 0 {
			if err := s.openLogin(login, &ls); err != nil {
				return nil, err
			}
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
		if err = s.sealLogin(login, ls); err != nil {
			return nil, err
		}
	}
	if isNew {
		return login, q.CreateLogin(ctx, login)
	}
	return login, q.UpdateLogin(ctx, login)
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
	var ls loginSecret
	if err := s.openLogin(login, &ls); err != nil {
		return err
	}
	for prompt := range prompts {
		delete(ls.Answers, prompt)
		delete(c.loginSecret.Answers, prompt)
	}
	if err = s.sealLogin(login, ls); err != nil {
		return err
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
	if len(login.Sealed) == 0 {
		return nil
	}
	return s.openLogin(login, &c.loginSecret)
}

// prefill returns the stored answers for the current round's challenges.
func (c *conversation) prefill() map[string][]string {
	if len(c.loginSecret.Answers) == 0 {
		return nil
	}
	out := make(map[string][]string)
	for _, ch := range c.secret.Round {
		if v, ok := c.loginSecret.Answers[ch.Prompt]; ok && !ch.OneTime {
			out[ch.Prompt] = v
		}
	}
	return out
}

// shown returns the challenges of the round that the client must answer.
func (ss *sessionSecret) shown() []connector.Challenge {
	out := make([]connector.Challenge, 0, len(ss.Round))
	for _, ch := range ss.Round {
		if _, ok := ss.Prefilled[ch.Prompt]; !ok {
			out = append(out, connector.Challenge{Type: ch.Type, Prompt: ch.Prompt, Iterables: ch.Iterables, OneTime: ch.OneTime})
		}
	}
	return out
}

// collect keeps the answers of a passed round, except one-time ones.
func (ss *sessionSecret) collect(answers map[string][]string) {
	for _, ch := range ss.Round {
		v, ok := answers[ch.Prompt]
		if !ok || ch.OneTime {
			continue
		}
		if ss.Collected == nil {
			ss.Collected = make(map[string][]string)
		}
		ss.Collected[ch.Prompt] = v
	}
}

func fromConnector(cs []connector.Challenge) []challenge {
	out := make([]challenge, len(cs))
	for i, c := range cs {
		out[i] = challenge{Type: c.Type, Prompt: c.Prompt, Iterables: c.Iterables, OneTime: c.OneTime}
	}
	return out
}

// transition applies a connector event to the conversation's machine.
func (s *Service) transition(c *conversation, ev Event) error {
	next, err := Step(c.machine, ev, s.now(), s.rules)
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
	sess.State, sess.Attempts, sess.BusyUntil = string(c.machine.State), c.machine.Attempts, c.machine.BusyUntil
	sess.UpdatedAt = c.machine.LastRequest
	sess.Sealed = nil
	if c.secret.Password != "" || len(c.secret.State) > 0 || len(c.secret.Round) > 0 || len(c.secret.Collected) > 0 || c.secret.ListQuestions ||
		c.secret.OneTime {
		var err error
		if sess.Sealed, err = s.seal(c.secret, sessionAAD(sess)); err != nil {
			return err
		}
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
		if rerr == nil && State(cur.State) == Authorized {
			return &flinks.Error{FlinksCode: flinks.CodeAlreadyAuthorized, Message: "This RequestId was authorized by another request."}
		}
		return &flinks.Error{FlinksCode: flinks.CodeConcurrentSession, Message: "Another request answered this RequestId at the same time; send an empty SecurityResponses to see where it stands."}
	}
	return err
}

func machineOf(sess *store.Session) Machine {
	return Machine{State: State(sess.State), Attempts: sess.Attempts, LastRequest: sess.UpdatedAt, BusyUntil: sess.BusyUntil}
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

func (s *Service) challengedResponse(c *conversation, shown []connector.Challenge) *flinks.AuthorizeResponse {
	resp := &flinks.AuthorizeResponse{
		Links: flinks.AuthorizationLinks, HttpStatusCode: 203, Institution: c.sess.Institution,
		RequestId: c.sess.ID, Tag: c.sess.Tag,
		SecurityChallenges: make([]flinks.SecurityChallenge, len(shown)),
	}
	for i, ch := range shown {
		resp.SecurityChallenges[i] = flinks.SecurityChallenge{Type: ch.Type, Prompt: ch.Prompt, Iterables: ch.Iterables}
	}
	return resp
}

func (s *Service) authorizedResponse(sess *store.Session, login *store.Login, e entry) *flinks.AuthorizeResponse {
	return &flinks.AuthorizeResponse{
		Links: flinks.SessionLinks, HttpStatusCode: 200, Login: loginOf(login),
		Institution: e.inst.Name, InstitutionName: e.inst.Name, InstitutionId: e.inst.ID,
		RequestId: sess.ID, Tag: sess.Tag,
	}
}

// sealer is what seals and opens: the master key ring or a data key.
type sealer interface {
	Seal(plaintext []byte, aad string) ([]byte, error)
	Open(sealed []byte, aad string) ([]byte, error)
}

// seal seals v, as JSON, under the master key: what sessions keep.
func (s *Service) seal(v any, aad string) ([]byte, error) { return sealJSON(s.vault, v, aad) }

// open opens a value sealed by seal into v; nothing is nothing.
func (s *Service) open(sealed []byte, aad string, v any) error {
	return openJSON(s.vault, sealed, aad, v)
}

func sealJSON(k sealer, v any, aad string) ([]byte, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	defer clear(plain)
	return k.Seal(plain, aad)
}

func openJSON(k sealer, sealed []byte, aad string, v any) error {
	if len(sealed) == 0 {
		return nil
	}
	plain, err := k.Open(sealed, aad)
	if err != nil {
		return fmt.Errorf("authorize: %s: %w", aad, err)
	}
	defer clear(plain)
	return json.Unmarshal(plain, v)
}

// sealLogin seals a login's secrets with the login's own data key, making
// the key if the login has none: DeleteCard destroys the key with the row,
// and with it every copy of what it sealed.
func (s *Service) sealLogin(login *store.Login, ls loginSecret) error {
	var dk sealer
	var err error
	if login.DataKey == nil {
		var wrapped []byte
		if dk, wrapped, err = s.vault.NewDataKey(dataKeyAAD(login)); err != nil {
			return err
		}
		login.DataKey = wrapped
	} else if dk, err = s.vault.OpenDataKey(login.DataKey, dataKeyAAD(login)); err != nil {
		return fmt.Errorf("authorize: %s: %w", dataKeyAAD(login), err)
	}
	login.Sealed, err = sealJSON(dk, ls, loginAAD(login))
	return err
}

// openLogin opens a login's secrets into ls. A login without a data key
// was sealed under the master key, as logins were before data keys.
func (s *Service) openLogin(login *store.Login, ls *loginSecret) error {
	if len(login.Sealed) == 0 {
		return nil
	}
	if login.DataKey == nil {
		return openJSON(s.vault, login.Sealed, loginAAD(login), ls)
	}
	dk, err := s.vault.OpenDataKey(login.DataKey, dataKeyAAD(login))
	if err != nil {
		return fmt.Errorf("authorize: %s: %w", dataKeyAAD(login), err)
	}
	return openJSON(dk, login.Sealed, loginAAD(login), ls)
}

// The additional authenticated data of sealed values: the row's identity,
// so a ciphertext moved to another row does not open.
func sessionAAD(sess *store.Session) string { return SessionAAD(sess.CustomerID, sess.ID) }
func loginAAD(l *store.Login) string        { return LoginAAD(l.CustomerID, l.ID) }
func dataKeyAAD(l *store.Login) string      { return DataKeyAAD(l.CustomerID, l.ID) }

// SessionAAD and DataKeyAAD name the rows of the values sealed under the
// master key, for the key rotation that reseals them; LoginAAD names a
// login sealed under the master key directly, as before data keys.
func SessionAAD(customerID, id string) string { return "session/" + customerID + "/" + id }
func DataKeyAAD(customerID, id string) string { return "datakey/" + customerID + "/" + id }
func LoginAAD(customerID, id string) string   { return "login/" + customerID + "/" + id }

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

// codeOf maps a connector failure to the FlinksCode clients expect.
func codeOf(k connector.Kind) flinks.Code {
	switch k {
	case connector.InvalidUsername:
		return flinks.CodeInvalidUsername
	case connector.InvalidPassword:
		return flinks.CodeInvalidPassword
	case connector.InvalidSecurityResponse:
		return flinks.CodeInvalidSecurityResponse
	case connector.RetryLater:
		return flinks.CodeRetryLater
	case connector.DisabledLogin:
		return flinks.CodeDisabledLogin
	case connector.NewAccount:
		return flinks.CodeNewAccount
	case connector.DisabledInstitution:
		return flinks.CodeDisabledInstitution
	case connector.NeedsUser:
		return flinks.CodeQuestionNotFound
	case connector.Unauthorized:
		return flinks.CodeUnauthorized
	}
	return flinks.CodeAggregationError
}

// retryConflict runs fn again when it fails with store.ErrConflict: two
// sessions finishing for the same login at once, where the second must read
// what the first wrote.
func retryConflict(fn func() error) error {
	var err error
	for range 3 {
		if err = fn(); !errors.Is(err, store.ErrConflict) {
			return err
		}
	}
	return err
}
