package authorize

import (
	"strconv"
	"time"

	"github.com/bankfeed/bankfeed/flinks"
)

// State is where a session stands in its conversation.
type State string

// The states of a session.
const (
	// Challenged: a 203 was sent; the session waits for answers.
	Challenged State = "challenged"
	// Answering: an answer is with the connector. Concurrent answers are
	// refused until the claim's lease lapses.
	Answering State = "answering"
	// Authorized: a 200 was sent; data calls may follow.
	Authorized State = "authorized"
	// Failed: the conversation ended in an error; the RequestId answers
	// nothing more.
	Failed State = "failed"
)

// States lists every state, for tests that cover them all.
var States = []State{Challenged, Answering, Authorized, Failed}

// Event is something that happens to a session.
type Event int

// The events of a session.
const (
	// Answer: a client sends answers (or a repeat request) for the RequestId.
	Answer Event = iota + 1
	// Challenge: the connector asked another round.
	Challenge
	// Authorize: the connector authorized the login.
	Authorize
	// Reject: the connector found an answer wrong; the round may be retried.
	Reject
	// Fail: the connector ended the conversation with an error.
	Fail
)

// Events lists every event, for tests that cover them all.
var Events = []Event{Answer, Challenge, Authorize, Reject, Fail}

func (e Event) String() string {
	switch e {
	case Answer:
		return "answer"
	case Challenge:
		return "challenge"
	case Authorize:
		return "authorize"
	case Reject:
		return "reject"
	case Fail:
		return "fail"
	}
	return "event?"
}

// Timeouts of the session model (reference section 3).
const (
	// ChallengeIdle is how long a session waiting for answers lives without
	// a request.
	ChallengeIdle = 8 * time.Minute
	// AuthorizedIdle is how long an authorized session serves data calls
	// without a request.
	AuthorizedIdle = 30 * time.Minute
	// AnswerLease bounds how long an answer in flight holds the session: if
	// the process handling it dies, the session is answerable again after it.
	AnswerLease = 2 * time.Minute
)

// Machine is the part of a session the state machine reads and writes.
type Machine struct {
	State       State
	Attempts    int       // wrong answers so far
	LastRequest time.Time // last time a client or the connector moved the session
	BusyUntil   time.Time // end of an Answering claim
}

// Rules are the limits the machine enforces.
type Rules struct {
	// MaxAttempts is the number of wrong answers after which a session
	// fails and must start over.
	MaxAttempts int
}

// Step applies ev to m at now. It returns the next machine, or an error
// (a *flinks.Error) and m unchanged when the event is refused. Step does no
// I/O: the service around it calls the connector and persists the result.
func Step(m Machine, ev Event, now time.Time, rules Rules) (Machine, error) {
	switch ev {
	case Answer:
		return answer(m, now)
	case Challenge, Authorize, Reject, Fail:
		if m.State != Answering {
			return m, errInvalidTransition(m.State, ev)
		}
		next := m
		next.LastRequest, next.BusyUntil = now, time.Time{}
		switch ev {
		case Challenge:
			next.State = Challenged
		case Authorize:
			next.State = Authorized
		case Reject:
			next.Attempts++
			next.State = Challenged
			if next.Attempts >= rules.MaxAttempts {
				next.State = Failed
			}
		case Fail:
			next.State = Failed
		}
		return next, nil
	}
	return m, errInvalidTransition(m.State, ev)
}

func answer(m Machine, now time.Time) (Machine, error) {
	switch m.State {
	case Answering:
		if now.Before(m.BusyUntil) {
			return m, &flinks.Error{FlinksCode: flinks.CodeConcurrentSession,
				Message: "Another request is answering this RequestId; wait for its response."}
		}
		// The claim lapsed: whoever held it died. The round is answerable.
		fallthrough
	case Challenged:
		if now.Sub(m.LastRequest) >= ChallengeIdle {
			return m, errExpired(ChallengeIdle)
		}
		next := m
		next.State, next.LastRequest, next.BusyUntil = Answering, now, now.Add(AnswerLease)
		return next, nil
	case Authorized:
		if now.Sub(m.LastRequest) >= AuthorizedIdle {
			return m, errExpired(AuthorizedIdle)
		}
		return m, &flinks.Error{FlinksCode: flinks.CodeAlreadyAuthorized,
			Message: "This RequestId is already authorized; call the data endpoints, or Authorize again without a RequestId for a new session."}
	case Failed:
		return m, &flinks.Error{FlinksCode: flinks.CodeSessionNonexistent,
			Message: "This RequestId ended with an error; start a new session with Authorize."}
	}
	return m, errInvalidTransition(m.State, Answer)
}

func errExpired(idle time.Duration) error {
	return &flinks.Error{FlinksCode: flinks.CodeSessionNonexistent,
		Message: "The RequestId expired after " + strconv.Itoa(int(idle.Minutes())) + " minutes without a request; start a new session with Authorize."}
}

// invalidTransitionError is an event that cannot happen in a state: a bug in
// the service, never a client's mistake.
type invalidTransitionError struct {
	state State
	event Event
}

func (e *invalidTransitionError) Error() string {
	return "authorize: event " + e.event.String() + " in state " + string(e.state)
}

func errInvalidTransition(s State, ev Event) error { return &invalidTransitionError{s, ev} }
