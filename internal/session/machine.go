package session

import (
	"strconv"
	"time"

	"github.com/bankfeed/bankfeed/flinks"
)

// State is where a session stands in its conversation.
type State string

// The states of a session.
const (
	// New: the session does not exist yet; Open or OpenCached begins it.
	New State = ""
	// Challenged: a 203 was sent; the session waits for answers.
	Challenged State = "challenged"
	// Answering: an answer (or the credentials) is with the connector.
	// Concurrent answers are refused until the claim's lease lapses.
	Answering State = "answering"
	// Authorized: a 200 was sent; data calls may follow, once the fetch
	// (Machine.Fetch) has brought the data.
	Authorized State = "authorized"
	// Failed: the conversation ended in an error; the RequestId answers
	// nothing more.
	Failed State = "failed"
)

// States lists every state, for tests that cover them all.
var States = []State{New, Challenged, Answering, Authorized, Failed}

// Fetch is the state of the data fetch that follows the authorization of a
// live or reopened login. A cached session fetches nothing: FetchNone.
type Fetch string

// The states of a fetch, as the store keeps them.
const (
	FetchNone    Fetch = ""
	FetchPending Fetch = "pending"
	// FetchDispatched is a pending fetch the bank said would be long: data
	// calls answer OPERATION_DISPATCHED rather than OPERATION_PENDING.
	FetchDispatched Fetch = "dispatched"
	FetchDone       Fetch = "done"
	FetchFailed     Fetch = "failed"
)

// Fetching reports whether a fetch is under way.
func (f Fetch) Fetching() bool { return f == FetchPending || f == FetchDispatched }

// Event is something that happens to a session.
type Event int

// The events of a session.
const (
	// Answer: a client sends answers for the RequestId; the session is
	// claimed while the connector has them.
	Answer Event = iota + 1
	// Challenge: the connector asked another round.
	Challenge
	// Authorize: the connector authorized the login; its data is fetched
	// next.
	Authorize
	// Reject: the connector found an answer wrong; the round may be retried.
	Reject
	// Fail: the connector ended the conversation with an error.
	Fail
	// Open: a live login or reopen begins; the connector has the
	// credentials.
	Open
	// OpenCached: a cached reopen begins, authorized over the data stored,
	// with nothing to fetch.
	OpenCached
	// Show: a client asks for the current round again (an empty
	// SecurityResponses, as the Flinks sandbox allows); it counts as
	// activity.
	Show
	// AuthorizeDispatched: Authorize, where the connector said the fetch
	// will be long.
	AuthorizeDispatched
	// Fetched: the fetch stored the login's data; the session serves it
	// for AuthorizedIdle from now.
	Fetched
	// FetchError: the fetch failed; see Machine.FetchCode.
	FetchError
	// Read: a data call on the session. It changes nothing: data calls do
	// not extend a session. It is refused unless the data is there to read.
	Read
)

// Events lists every event, for tests that cover them all.
var Events = []Event{Answer, Challenge, Authorize, Reject, Fail, Open, OpenCached, Show, AuthorizeDispatched, Fetched, FetchError, Read}

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
	case Open:
		return "open"
	case OpenCached:
		return "open cached"
	case Show:
		return "show"
	case AuthorizeDispatched:
		return "authorize dispatched"
	case Fetched:
		return "fetched"
	case FetchError:
		return "fetch error"
	case Read:
		return "read"
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
	Fetch       Fetch
	// FetchCode is the FlinksCode of a failed fetch, set by FailFetch.
	FetchCode flinks.Code
}

// Rules are the limits the machine enforces.
type Rules struct {
	// MaxAttempts is the number of wrong answers after which a session
	// fails and must start over.
	MaxAttempts int
}

// Expired reports whether the session has been idle for its state's
// timeout at now: a session is expired from the very instant its idle
// timeout ends, for every event alike. Failed and new sessions do not
// expire: they serve nothing already.
func Expired(m Machine, now time.Time) bool {
	idle := now.Sub(m.LastRequest)
	switch m.State {
	case Challenged, Answering:
		return idle >= ChallengeIdle
	case Authorized:
		return idle >= AuthorizedIdle
	}
	return false
}

// Step applies ev to m at now. It returns the next machine, or an error
// (a *flinks.Error) and m unchanged when the event is refused. Step does no
// I/O: the service around it calls the connector and persists the result.
func Step(m Machine, ev Event, now time.Time, rules Rules) (Machine, error) {
	switch ev {
	case Open, OpenCached:
		if m.State != New {
			return m, errInvalidTransition(m.State, ev)
		}
		next := Machine{State: Answering, LastRequest: now, BusyUntil: now.Add(AnswerLease)}
		if ev == OpenCached {
			next = Machine{State: Authorized, LastRequest: now}
		}
		return next, nil
	case Answer, Show:
		return answer(m, ev, now)
	case Challenge, Authorize, AuthorizeDispatched, Reject, Fail:
		if m.State != Answering {
			return m, errInvalidTransition(m.State, ev)
		}
		next := m
		next.LastRequest, next.BusyUntil = now, time.Time{}
		switch ev {
		case Challenge:
			next.State = Challenged
		case Authorize:
			next.State, next.Fetch = Authorized, FetchPending
		case AuthorizeDispatched:
			next.State, next.Fetch = Authorized, FetchDispatched
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
	case Fetched, FetchError:
		if m.State != Authorized || !m.Fetch.Fetching() {
			return m, errInvalidTransition(m.State, ev)
		}
		next := m
		if ev == Fetched {
			// The data is ready: the RequestId serves it for AuthorizedIdle
			// from now.
			next.Fetch, next.LastRequest = FetchDone, now
		} else {
			next.Fetch = FetchFailed
		}
		return next, nil
	case Read:
		return m, read(m, now)
	}
	return m, errInvalidTransition(m.State, ev)
}

// FailFetch applies FetchError with the FlinksCode the fetch failed with.
func FailFetch(m Machine, code flinks.Code, now time.Time) (Machine, error) {
	next, err := Step(m, FetchError, now, Rules{})
	if err == nil {
		next.FetchCode = code
	}
	return next, err
}

func answer(m Machine, ev Event, now time.Time) (Machine, error) {
	switch m.State {
	case Answering:
		if now.Before(m.BusyUntil) {
			return m, &flinks.Error{FlinksCode: flinks.CodeConcurrentSession,
				Message: "Another request is answering this RequestId; wait for its response."}
		}
		// The claim lapsed: whoever held it died. The round is answerable.
		fallthrough
	case Challenged:
		if Expired(m, now) {
			return m, errExpired(ChallengeIdle)
		}
		next := m
		next.State, next.LastRequest, next.BusyUntil = Answering, now, now.Add(AnswerLease)
		if ev == Show {
			next.State, next.BusyUntil = Challenged, time.Time{}
		}
		return next, nil
	case Authorized:
		if Expired(m, now) {
			return m, errExpired(AuthorizedIdle)
		}
		return m, &flinks.Error{FlinksCode: flinks.CodeAlreadyAuthorized,
			Message: "This RequestId is already authorized; call the data endpoints, or Authorize again without a RequestId for a new session."}
	case Failed:
		return m, &flinks.Error{FlinksCode: flinks.CodeSessionNonexistent,
			Message: "This RequestId ended with an error; start a new session with Authorize."}
	}
	return m, errInvalidTransition(m.State, ev)
}

// read decides whether a data call may read the session's data now.
func read(m Machine, now time.Time) error {
	switch m.State {
	case Authorized:
		if Expired(m, now) {
			return errExpired(AuthorizedIdle)
		}
		switch m.Fetch {
		case FetchPending:
			return &flinks.Error{FlinksCode: flinks.CodeOperationPending, Message: "Your operation is still processing"}
		case FetchDispatched:
			return &flinks.Error{FlinksCode: flinks.CodeOperationDispatched,
				Message: "Your operations had been dispatched to background process for long running jobs"}
		case FetchFailed:
			return &flinks.Error{FlinksCode: m.FetchCode,
				Message: "The institution's data could not be collected for this RequestId (" + string(m.FetchCode) + "); authorize again."}
		}
		return nil
	case Challenged, Answering:
		if Expired(m, now) {
			return errExpired(ChallengeIdle)
		}
		return &flinks.Error{FlinksCode: flinks.CodeUnauthorized,
			Message: "This RequestId is not authorized yet: answer its security challenges with Authorize first."}
	case Failed:
		return &flinks.Error{FlinksCode: flinks.CodeSessionNonexistent,
			Message: "Inputs session id or card if were not found: the Authorize of this RequestId failed."}
	}
	return errInvalidTransition(m.State, Read)
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
	return "session: event " + e.event.String() + " in state " + string(e.state)
}

func errInvalidTransition(s State, ev Event) error { return &invalidTransitionError{s, ev} }
