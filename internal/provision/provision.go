// Package provision saves a login without a person at a form, for the
// sandbox control plane (POST /sandbox/v1/logins): the same conversation a
// live /Authorize runs, its challenges answered from the answers given or
// those the sandbox bank knows, then the same fetch, waited for, so that
// the login's data is there when the call returns.
package provision

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/authorize"
	"github.com/bankfeed/bankfeed/internal/store"
)

// ErrNoCustomer is returned for a customer that does not exist (or, for
// the sandbox customer, outside sandbox mode).
var ErrNoCustomer = errors.New("provision: no such customer")

// Config holds the dependencies of a Service.
type Config struct {
	Authorize *authorize.Service
	Store     store.Store
	// Known returns answers that pass a challenge of the institution, nil
	// when it knows none (the sandbox bank's KnownAnswers); nil knows none.
	Known func(institution string, ch connector.Challenge) []string
	// Sandbox serves the sandbox customer.
	Sandbox bool
}

// Service saves logins. It is safe for concurrent use.
type Service struct {
	auth    *authorize.Service
	store   store.Store
	known   func(institution string, ch connector.Challenge) []string
	sandbox bool
}

// New returns a Service.
func New(cfg Config) *Service {
	return &Service{auth: cfg.Authorize, store: cfg.Store, known: cfg.Known, sandbox: cfg.Sandbox}
}

// Request is a login to save.
type Request struct {
	CustomerID  string
	Institution string
	Username    string
	Password    string
	// Answers answers challenges by prompt, before the bank's known
	// answers; they are stored with the login as a live Authorize's are.
	Answers         map[string][]string
	ScheduleRefresh bool
}

// Login is a saved login whose data is fetched.
type Login struct {
	LoginID   string
	RequestID string
}

// maxRounds bounds the rounds of one conversation: the sandbox's longest
// flow has three.
const maxRounds = 10

// fetchPoll is how often Create looks at the fetch it waits for, and
// fetchWait how long at most: longer than any sandbox bank's delay in real
// time, and a virtual clock moved forward ends those.
const (
	fetchPoll = 10 * time.Millisecond
	fetchWait = 2 * time.Minute
)

// Create runs the login's conversation to its end, answering every round,
// then waits until its data is fetched. A refusal of the bank is returned
// as the *flinks.Error a live Authorize would answer; a challenge nobody
// can answer is an INVALID_REQUEST that names it.
func (s *Service) Create(ctx context.Context, req Request) (*Login, error) {
	c, err := s.store.Customer(ctx, req.CustomerID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && c.Sandbox && !s.sandbox) {
		return nil, ErrNoCustomer
	}
	if err != nil {
		return nil, err
	}
	res, err := s.auth.Authorize(ctx, req.CustomerID, &flinks.AuthorizeRequest{Institution: req.Institution, Username: req.Username,
		Password: req.Password, Save: true, ScheduleRefresh: flinks.Bool(req.ScheduleRefresh)})
	for round := 0; err == nil && !res.Authorized(); round++ {
		if round == maxRounds {
			return nil, fmt.Errorf("provision: still challenged after %d rounds", maxRounds)
		}
		responses, aerr := s.answers(req, res)
		if aerr != nil {
			return nil, aerr
		}
		res, err = s.auth.Authorize(ctx, req.CustomerID, &flinks.AuthorizeRequest{RequestId: res.RequestID, SecurityResponses: responses})
	}
	if err != nil {
		return nil, err
	}
	if err := s.waitFetch(ctx, req.CustomerID, res.RequestID); err != nil {
		return nil, err
	}
	return &Login{LoginID: res.Login.ID, RequestID: res.RequestID}, nil
}

// answers answers a round: each challenge from the request's answers, or
// from the bank's known ones.
func (s *Service) answers(req Request, res *authorize.Result) (flinks.SecurityResponses, error) {
	out := flinks.SecurityResponses{}
	for _, ch := range res.Challenges {
		if a, ok := req.Answers[ch.Prompt]; ok {
			out[ch.Prompt] = a
			continue
		}
		var known []string
		if s.known != nil {
			known = s.known(res.Institution.Name, ch)
		}
		if len(known) == 0 {
			return nil, &flinks.Error{FlinksCode: flinks.CodeInvalidRequest, RequestId: res.RequestID,
				Message: fmt.Sprintf("The bank asks %q (%s), which the sandbox cannot answer by itself: give its answer in answers.",
					ch.Prompt, ch.Type)}
		}
		out[ch.Prompt] = known
	}
	return out, nil
}

// waitFetch waits until the session's fetch, run by the job workers as for
// a live Authorize, has ended; a failed fetch is the error a data call
// would answer.
func (s *Service) waitFetch(ctx context.Context, customerID, requestID string) error {
	t := time.NewTicker(fetchPoll)
	defer t.Stop()
	deadline := time.Now().Add(fetchWait)
	for {
		sess, err := s.store.Session(ctx, customerID, requestID)
		if err != nil {
			return err
		}
		switch sess.Fetch {
		case store.FetchDone, "":
			return nil
		case store.FetchFailed:
			return &flinks.Error{FlinksCode: flinks.Code(sess.FetchCode), RequestId: requestID,
				Message: "The login was saved, but its data could not be collected (" + strings.ToUpper(sess.FetchCode) + ")."}
		}
		if time.Now().After(deadline) {
			return &flinks.Error{FlinksCode: flinks.CodeRetryLater, RequestId: requestID,
				Message: "The login was saved, but its data is still being fetched after " + fetchWait.String() + "; poll GetAccountsDetailAsync with this RequestId."}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
