package faults

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/store"
)

// Request is what a rule matches a request on. Endpoint and CustomerID
// are known from the route; the rest, which may need the body read, only
// when a rule asks (Names).
type Request struct {
	Endpoint   string
	CustomerID string
	// Names returns the RequestId, LoginId and Institution the request
	// names, in its path or body; called at most once, and only when a
	// rule selects by institution or login.
	Names func() (requestID, loginID, institution string)
}

// Effect is what a rule that fired does to a request: wait Latency, then
// answer Err, when not nil.
type Effect struct {
	Rule    *store.Fault
	Latency time.Duration
	Err     *flinks.Error
}

// Check finds the first rule, in the order they were made, that matches
// the request and fires on it. Each rule that matches counts the request,
// up to the one that fires: rules after it do not see it. It returns nil
// when none fires.
//
// On a database several processes share, the rules are read on every
// request, so that a rule one process adds applies at once on every
// other; on SQLite, which one server uses, they are kept in memory between
// changes. A request names its
// login only when a rule selects by institution or login, and then the
// login is found with one read of its session (or of the login).
func (s *Service) Check(ctx context.Context, r Request) (*Effect, error) {
	rules, err := s.rulesNow(ctx)
	if err != nil || len(rules) == 0 {
		return nil, err
	}
	var who *names
	for _, f := range rules {
		if (f.Endpoint != "" && f.Endpoint != r.Endpoint) || (f.CustomerID != "" && f.CustomerID != r.CustomerID) {
			continue
		}
		if f.Institution != "" || f.LoginID != "" {
			if who == nil {
				if who, err = s.resolve(ctx, r); err != nil {
					return nil, err
				}
			}
			if (f.LoginID != "" && f.LoginID != who.loginID) || (f.Institution != "" && !strings.EqualFold(f.Institution, who.institution)) {
				continue
			}
		}
		fired, err := s.rules.MatchFault(ctx, f.ID, func(n int64) bool { return Fires(f.Seed, n, f.Probability) })
		if errors.Is(err, store.ErrNotFound) {
			// Removed meanwhile, by a reset or a customer's removal: the
			// rules kept in memory are stale.
			s.forget()
			continue
		}
		if err != nil {
			return nil, err
		}
		if fired {
			if who == nil && r.Names != nil {
				// The error names the request's session, as bankfeed's
				// own errors do; no read needed for that.
				who = &names{}
				who.requestID, who.loginID, who.institution = r.Names()
			}
			return effectOf(f, who), nil
		}
	}
	return nil, nil
}

// names is what a request names of its login.
type names struct{ requestID, loginID, institution string }

// resolve finds the login and institution of a request: as it names them,
// or through the session its RequestId names, or the login its LoginId
// names. A name that leads nowhere leaves them empty: the request will
// fail on its own.
func (s *Service) resolve(ctx context.Context, r Request) (*names, error) {
	n := &names{}
	if r.Names != nil {
		n.requestID, n.loginID, n.institution = r.Names()
	}
	if n.loginID == "" && n.requestID != "" {
		sess, err := s.store.Session(ctx, r.CustomerID, n.requestID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		if err == nil {
			n.loginID = sess.LoginID
			if n.institution == "" {
				n.institution = sess.Institution
			}
		}
	}
	if n.institution == "" && n.loginID != "" {
		l, err := s.store.Login(ctx, r.CustomerID, n.loginID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		if err == nil {
			n.institution = l.Institution
		}
	}
	return n, nil
}

// messages are the Messages of a fault's error: bankfeed's own where it
// has one for the condition, else the code's meaning as docs/errors.md
// gives it.
var messages = map[string]string{
	"503 RETRY_LATER":          "bankfeed's database is unavailable for a moment; retry the request in a few seconds.",
	"500 AGGREGATION_ERROR":    "bankfeed could not complete the request; it has been logged. Try again.",
	"401 RETRY_LATER":          "The institution cannot be reached at the moment. Retry later.",
	"403 TOO_MANY_REQUESTS":    "Too many requests for this customer; slow down.",
	"413 INVALID_REQUEST":      "The request body is too large.",
	"401 UNAUTHORIZED":         "The request's credentials are missing or wrong.",
	"400 SESSION_EXPIRED":      "The session has expired; authorize again.",
	"400 SESSION_NONEXISTENT":  "No session has this RequestId.",
	"401 DISABLED_LOGIN":       "The login is disabled at the institution.",
	"405 DISABLED_INSTITUTION": "The institution is disabled.",
}

func effectOf(f *store.Fault, who *names) *Effect {
	e := &Effect{Rule: f, Latency: f.Latency}
	if f.Status == 0 {
		return e
	}
	msg, ok := messages[strconv.Itoa(f.Status)+" "+f.FlinksCode]
	if !ok {
		msg = "The request failed: " + f.FlinksCode + "."
	}
	e.Err = &flinks.Error{HttpStatusCode: f.Status, FlinksCode: flinks.Code(f.FlinksCode), Message: msg}
	if who != nil {
		e.Err.RequestId = who.requestID
	}
	return e
}

// Fires reports whether a rule of the given seed and probability fires on
// the nth request it matched (counting from 1): the nth number of the
// seed's sequence, uniform in [0, 1), is below the probability. The
// sequence is keyed on the rule's own count of matched requests, not on
// time nor on which process serves, so the same requests, in the same
// order, meet the same fate on every run. The nth number is SplitMix64's
// output for the state seed + n × 0x9E3779B97F4A7C15, its top 53 bits
// divided by 2⁵³.
func Fires(seed, n int64, probability float64) bool {
	if probability >= 1 {
		return true
	}
	z := uint64(seed) + uint64(n)*0x9E3779B97F4A7C15
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	z ^= z >> 31
	return float64(z>>11)/(1<<53) < probability
}
