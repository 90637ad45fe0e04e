package refresh

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bankfeed/bankfeed/connector"
)

// MaxReplayRounds bounds the rounds answered from stored answers in one
// conversation, so a connector that loops cannot hold a request, or a
// refresh, forever.
const MaxReplayRounds = 10

// ErrTooManyRounds is a conversation that asked more than MaxReplayRounds
// rounds that stored answers answered.
var ErrTooManyRounds = fmt.Errorf("refresh: the connector asked more than %d rounds answered from storage", MaxReplayRounds)

// StoredAnswers returns the stored answers to a round's challenges: the
// one rule of what storage may answer. A one-time challenge never is.
func StoredAnswers(round []connector.Challenge, stored map[string][]string) map[string][]string {
	out := make(map[string][]string, len(round))
	for _, ch := range round {
		if v, ok := stored[ch.Prompt]; ok && !ch.OneTime {
			out[ch.Prompt] = v
		}
	}
	return out
}

// Replay continues a login conversation with stored answers: the one loop
// shared by a reopen, which asks its client what storage cannot answer, and
// a scheduled refresh, which has nobody to ask.
type Replay struct {
	Conn connector.Connector
	// Stored are the login's stored answers, read afresh at each round,
	// so that Round may forget some.
	Stored     map[string][]string
	Unattended bool
	Now        func() time.Time
	// Round, when set, is called with each outcome the connector returned
	// without an error, and the answers that produced it (nil for the
	// outcome Run starts from unless the caller passes its own). An error
	// from it ends the replay and is returned.
	Round func(out connector.Outcome, answered map[string][]string) error
}

// Run answers, from r.Stored, every round after out whose challenges all
// have a stored answer, and stops at an authorized outcome, at a round that
// storage cannot answer whole (returned with err nil and out not
// authorized), or at an error: the connector's, Round's, or
// ErrTooManyRounds. It returns the last outcome, the answers that produced
// it, and whether those came from storage; out, err and answered, fromStorage
// are where the conversation stands when Run is called.
func (r Replay) Run(ctx context.Context, out connector.Outcome, err error, answered map[string][]string, fromStorage bool) (
	connector.Outcome, map[string][]string, bool, error) {
	for rounds := 0; ; rounds++ {
		if err != nil {
			return out, answered, fromStorage, err
		}
		if r.Round != nil {
			if err := r.Round(out, answered); err != nil {
				return out, answered, fromStorage, err
			}
		}
		if out.Authorized() {
			return out, answered, fromStorage, nil
		}
		if rounds >= MaxReplayRounds {
			return out, answered, fromStorage, ErrTooManyRounds
		}
		next := StoredAnswers(out.Challenges, r.Stored)
		if len(next) < len(out.Challenges) {
			return out, answered, fromStorage, nil // someone must answer the rest
		}
		answered, fromStorage = next, true
		out, err = r.Conn.Continue(ctx, connector.ContinueRequest{State: out.State, Answers: next, Unattended: r.Unattended, Now: r.Now()})
	}
}

// errRejected ends a refresh's replay at a round the bank asked because a
// stored answer was wrong.
var errRejected = errors.New("refresh: a stored answer was refused")
