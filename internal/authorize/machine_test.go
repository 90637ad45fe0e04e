package authorize

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
	tests := []struct {
		name  string
		m     Machine
		ev    Event
		now   time.Time
		want  want
		lease bool // whether the result holds a claim
	}{
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
	for _, s := range []State{Challenged, Authorized, Failed} {
		for _, ev := range []Event{Challenge, Authorize, Reject, Fail} {
			tests = append(tests, struct {
				name  string
				m     Machine
				ev    Event
				now   time.Time
				want  want
				lease bool
			}{string(s) + " " + ev.String(), Machine{State: s, LastRequest: t0}, ev, t0, want{state: s, bug: true}, false})
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
// invariants: attempts never exceed the limit, Failed is final, and a
// refused event changes nothing.
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
