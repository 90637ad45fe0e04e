package session

import (
	"errors"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/flinks"
)

// TestStepEveryPair covers every (state, event) pair of the machine, with
// the timing variants that change the outcome.
func TestStepEveryPair(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	rules := Rules{MaxAttempts: 3}
	busy := t0.Add(AnswerLease)

	type want struct {
		state    State
		attempts int
		code     flinks.Code // a refused event's FlinksCode
		bug      bool        // an event that cannot happen in the state
	}
	type stepCase struct {
		name  string
		m     Machine
		ev    Event
		now   time.Time
		want  want
		lease bool // whether the result holds a claim
	}
	tests := []stepCase{
		// Answer
		{"challenged answer", Machine{State: Challenged, LastRequest: t0}, Answer, t0.Add(time.Minute), want{state: Answering}, true},
		{"challenged answer just before expiry", Machine{State: Challenged, LastRequest: t0}, Answer, t0.Add(ChallengeIdle - time.Nanosecond), want{state: Answering}, true},
		{"challenged answer at expiry", Machine{State: Challenged, LastRequest: t0}, Answer, t0.Add(ChallengeIdle), want{state: Challenged, code: flinks.CodeSessionNonexistent}, false},
		{"answering answer within lease", Machine{State: Answering, LastRequest: t0, BusyUntil: busy}, Answer, t0.Add(time.Second), want{state: Answering, code: flinks.CodeConcurrentSession}, true},
		{"answering answer after lease", Machine{State: Answering, LastRequest: t0, BusyUntil: busy}, Answer, busy, want{state: Answering}, true},
		{"answering answer after lease and expiry", Machine{State: Answering, LastRequest: t0, BusyUntil: busy}, Answer, t0.Add(ChallengeIdle), want{state: Answering, code: flinks.CodeSessionNonexistent}, true},
		{"authorized answer", Machine{State: Authorized, LastRequest: t0}, Answer, t0.Add(time.Minute), want{state: Authorized, code: flinks.CodeAlreadyAuthorized}, false},
		{"authorized answer after expiry", Machine{State: Authorized, LastRequest: t0}, Answer, t0.Add(AuthorizedIdle), want{state: Authorized, code: flinks.CodeSessionNonexistent}, false},
		{"failed answer", Machine{State: Failed, LastRequest: t0}, Answer, t0.Add(time.Minute), want{state: Failed, code: flinks.CodeSessionNonexistent}, false},

		// Connector outcomes happen only to a session that is answering.
		{"answering challenge", Machine{State: Answering, LastRequest: t0, BusyUntil: busy}, Challenge, t0, want{state: Challenged}, false},
		{"answering authorize", Machine{State: Answering, LastRequest: t0, BusyUntil: busy}, Authorize, t0, want{state: Authorized}, false},
		{"answering reject", Machine{State: Answering, LastRequest: t0, BusyUntil: busy}, Reject, t0, want{state: Challenged, attempts: 1}, false},
		{"answering reject, last attempt", Machine{State: Answering, Attempts: 2, LastRequest: t0, BusyUntil: busy}, Reject, t0, want{state: Failed, attempts: 3}, false},
		{"answering fail", Machine{State: Answering, LastRequest: t0, BusyUntil: busy}, Fail, t0, want{state: Failed}, false},
	}
	tests = append(tests, []stepCase{
		// A session begins with Open (the connector has the credentials) or
		// OpenCached, and only once.
		{"new open", Machine{}, Open, t0, want{state: Answering}, true},
		{"new open cached", Machine{}, OpenCached, t0, want{state: Authorized}, false},

		// Show asks for the round again: activity, and no claim.
		{"challenged show", Machine{State: Challenged, LastRequest: t0}, Show, t0.Add(time.Minute), want{state: Challenged}, false},
		{"challenged show at expiry", Machine{State: Challenged, LastRequest: t0}, Show, t0.Add(ChallengeIdle), want{state: Challenged, code: flinks.CodeSessionNonexistent}, false},
		{"answering show within lease", Machine{State: Answering, LastRequest: t0, BusyUntil: busy}, Show, t0.Add(time.Second), want{state: Answering, code: flinks.CodeConcurrentSession}, true},
		{"answering show after lease", Machine{State: Answering, LastRequest: t0, BusyUntil: busy}, Show, busy, want{state: Challenged}, false},
		{"authorized show", Machine{State: Authorized, LastRequest: t0}, Show, t0.Add(time.Minute), want{state: Authorized, code: flinks.CodeAlreadyAuthorized}, false},
		{"failed show", Machine{State: Failed, LastRequest: t0}, Show, t0.Add(time.Minute), want{state: Failed, code: flinks.CodeSessionNonexistent}, false},
		{"answering authorize dispatched", Machine{State: Answering, LastRequest: t0, BusyUntil: busy}, AuthorizeDispatched, t0, want{state: Authorized}, false},

		// The fetch that follows an authorization.
		{"authorized fetch done", Machine{State: Authorized, Fetch: FetchPending, LastRequest: t0}, Fetched, t0.Add(time.Minute), want{state: Authorized}, false},
		{"authorized fetch fail", Machine{State: Authorized, Fetch: FetchDispatched, LastRequest: t0}, FetchError, t0, want{state: Authorized}, false},

		// Read is a data call: it changes nothing, and is refused unless
		// there is data to read.
		{"authorized read", Machine{State: Authorized, Fetch: FetchDone, LastRequest: t0}, Read, t0, want{state: Authorized}, false},
		{"challenged read", Machine{State: Challenged, LastRequest: t0}, Read, t0, want{state: Challenged, code: flinks.CodeUnauthorized}, false},
		{"answering read", Machine{State: Answering, LastRequest: t0, BusyUntil: busy}, Read, t0, want{state: Answering, code: flinks.CodeUnauthorized}, true},
		{"failed read", Machine{State: Failed, LastRequest: t0}, Read, t0, want{state: Failed, code: flinks.CodeSessionNonexistent}, false},
		{"new read", Machine{}, Read, t0, want{state: New, bug: true}, false},
	}...)
	for _, ev := range []Event{Answer, Show, Challenge, Authorize, AuthorizeDispatched, Reject, Fail, Fetched, FetchError} {
		tests = append(tests, stepCase{"new " + ev.String(), Machine{}, ev, t0, want{state: New, bug: true}, false})
	}
	for _, s := range []State{Challenged, Answering, Authorized, Failed} {
		for _, ev := range []Event{Open, OpenCached} {
			m := Machine{State: s, LastRequest: t0}
			tests = append(tests, stepCase{string(s) + " " + ev.String(), m, ev, t0, want{state: s, bug: true}, false})
		}
	}
	for _, s := range []State{Challenged, Answering, Failed} {
		for _, ev := range []Event{Fetched, FetchError} {
			tests = append(tests, stepCase{string(s) + " " + ev.String(), Machine{State: s, LastRequest: t0}, ev, t0, want{state: s, bug: true}, false})
		}
	}
	for _, s := range []State{Challenged, Authorized, Failed} {
		for _, ev := range []Event{Challenge, Authorize, AuthorizeDispatched, Reject, Fail} {
			tests = append(tests, stepCase{string(s) + " " + ev.String(), Machine{State: s, LastRequest: t0}, ev, t0, want{state: s, bug: true}, false})
		}
	}

	covered := map[State]map[Event]bool{}
	for _, tt := range tests {
		if covered[tt.m.State] == nil {
			covered[tt.m.State] = map[Event]bool{}
		}
		covered[tt.m.State][tt.ev] = true
		t.Run(tt.name, func(t *testing.T) {
			got, err := Step(tt.m, tt.ev, tt.now, rules)
			var fe *flinks.Error
			var bug *invalidTransitionError
			switch {
			case tt.want.bug:
				if !errors.As(err, &bug) {
					t.Fatalf("err = %v, want an invalid transition", err)
				}
			case tt.want.code != "":
				if !errors.As(err, &fe) || fe.FlinksCode != tt.want.code {
					t.Fatalf("err = %v, want %s", err, tt.want.code)
				}
			case err != nil:
				t.Fatalf("err = %v", err)
			}
			if got.State != tt.want.state || got.Attempts != tt.want.attempts {
				t.Errorf("got %s with %d attempts, want %s with %d", got.State, got.Attempts, tt.want.state, tt.want.attempts)
			}
			if err != nil && got != tt.m {
				t.Errorf("a refused event changed the machine: %+v -> %+v", tt.m, got)
			}
			if err == nil && got.BusyUntil.IsZero() == tt.lease {
				t.Errorf("BusyUntil = %v, want a claim: %v", got.BusyUntil, tt.lease)
			}
			if err == nil && !got.LastRequest.Equal(tt.now) {
				t.Errorf("LastRequest = %v, want %v", got.LastRequest, tt.now)
			}
		})
	}
	for _, s := range States {
		for _, ev := range Events {
			if !covered[s][ev] {
				t.Errorf("no case for state %s, event %s", s, ev)
			}
		}
	}
}

// FuzzStep drives the machine with random event sequences and checks its
// invariants: attempts never exceed the limit, Failed is final, a refused
// event changes nothing, a read changes nothing, and no event of a client
// is accepted by an expired session.
func FuzzStep(f *testing.F) {
	f.Add([]byte{1, 2, 1, 4, 1, 4, 1, 4})
	f.Add([]byte{1, 3, 1, 1, 5})
	f.Fuzz(func(t *testing.T, seq []byte) {
		rules := Rules{MaxAttempts: 3}
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		m := Machine{State: Answering, LastRequest: now, BusyUntil: now.Add(AnswerLease)}
		for _, b := range seq {
			ev := Events[int(b)%len(Events)]
			now = now.Add(time.Duration(b>>3) * 30 * time.Second)
			next, err := Step(m, ev, now, rules)
			if err != nil {
				if next != m {
					t.Fatalf("refused %s changed %+v to %+v", ev, m, next)
				}
				continue
			}
			if ev == Read && next != m {
				t.Fatalf("a read changed %+v to %+v", m, next)
			}
			if Expired(m, now) && (ev == Answer || ev == Show || ev == Read) {
				t.Fatalf("%s accepted by a session expired at %v: %+v", ev, now, m)
			}
			if m.State == Failed {
				t.Fatalf("%s moved a failed session to %s", ev, next.State)
			}
			if next.Attempts > rules.MaxAttempts {
				t.Fatalf("attempts %d over the limit", next.Attempts)
			}
			m = next
		}
	})
}

// TestExpiredBoundary checks that every event sees one expiry: a session
// idle for exactly its timeout is expired for answers and data calls alike.
func TestExpiredBoundary(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	rules := Rules{MaxAttempts: 3}
	tests := []struct {
		name    string
		m       Machine
		idle    time.Duration
		expired bool
	}{
		{"challenged just before", Machine{State: Challenged, LastRequest: t0}, ChallengeIdle - time.Nanosecond, false},
		{"challenged at", Machine{State: Challenged, LastRequest: t0}, ChallengeIdle, true},
		{"authorized just before", Machine{State: Authorized, Fetch: FetchDone, LastRequest: t0}, AuthorizedIdle - time.Nanosecond, false},
		{"authorized at", Machine{State: Authorized, Fetch: FetchDone, LastRequest: t0}, AuthorizedIdle, true},
		{"authorized cached at", Machine{State: Authorized, LastRequest: t0}, AuthorizedIdle, true},
		{"failed long after", Machine{State: Failed, LastRequest: t0}, 24 * time.Hour, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := t0.Add(tt.idle)
			if got := Expired(tt.m, now); got != tt.expired {
				t.Fatalf("Expired = %v, want %v", got, tt.expired)
			}
			if tt.m.State == Failed {
				return
			}
			// Every event a client sends agrees with Expired.
			for _, ev := range []Event{Answer, Show, Read} {
				_, err := Step(tt.m, ev, now, rules)
				var fe *flinks.Error
				isExpired := errors.As(err, &fe) && fe.FlinksCode == flinks.CodeSessionNonexistent
				if isExpired != tt.expired {
					t.Errorf("%s: err = %v, want expired: %v", ev, err, tt.expired)
				}
			}
		})
	}
}

// TestFailFetch checks that a failed fetch keeps its code for the data
// calls that follow.
func TestFailFetch(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	m, err := FailFetch(Machine{State: Authorized, Fetch: FetchPending, LastRequest: t0}, flinks.CodeRetryLater, t0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Step(m, Read, t0.Add(time.Minute), Rules{})
	var fe *flinks.Error
	if !errors.As(err, &fe) || fe.FlinksCode != flinks.CodeRetryLater {
		t.Fatalf("read after a failed fetch: %v, want %s", err, flinks.CodeRetryLater)
	}
	if _, err := FailFetch(m, flinks.CodeRetryLater, t0); err == nil {
		t.Fatal("a failed fetch failed again")
	}
}
