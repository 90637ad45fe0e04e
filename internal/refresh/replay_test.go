package refresh_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/internal/refresh"
)

// rounds is a connector whose conversation is a list of rounds: Continue
// moves from the round its state names to the next, whatever the answers,
// and records them; past the last round the login is authorized.
type rounds struct {
	list    [][]connector.Challenge
	answers []map[string][]string
}

func (r *rounds) Institutions() []connector.Institution { return nil }
func (r *rounds) Begin(context.Context, connector.BeginRequest) (connector.Outcome, error) {
	return r.at(0), nil
}
func (r *rounds) Continue(_ context.Context, req connector.ContinueRequest) (connector.Outcome, error) {
	r.answers = append(r.answers, req.Answers)
	return r.at(int(req.State[0]) + 1), nil
}
func (r *rounds) at(i int) connector.Outcome {
	if i >= len(r.list) {
		return connector.Outcome{State: []byte{byte(i)}, Login: &connector.LoginInfo{Username: "u"}}
	}
	return connector.Outcome{State: []byte{byte(i)}, Challenges: r.list[i]}
}

func TestReplay(t *testing.T) {
	t.Parallel()
	q := func(prompt string) connector.Challenge { return connector.Challenge{Prompt: prompt} }
	code := connector.Challenge{Prompt: "code", OneTime: true}
	stored := map[string][]string{"a": {"1"}, "b": {"2"}, "code": {"123456"}}
	tests := []struct {
		name       string
		list       [][]connector.Challenge
		authorized bool
		err        error
		answered   []map[string][]string // what the connector was sent
	}{
		{"every round stored", [][]connector.Challenge{{q("a")}, {q("b"), q("a")}}, true, nil,
			[]map[string][]string{{"a": {"1"}}, {"a": {"1"}, "b": {"2"}}}},
		{"a round storage answers in part", [][]connector.Challenge{{q("a")}, {q("a"), q("c")}}, false, nil,
			[]map[string][]string{{"a": {"1"}}}},
		{"a one-time challenge is never answered from storage", [][]connector.Challenge{{code}}, false, nil, nil},
		{"a conversation that does not end", func() [][]connector.Challenge {
			var l [][]connector.Challenge
			for range refresh.MaxReplayRounds + 5 {
				l = append(l, []connector.Challenge{q("a")})
			}
			return l
		}(), false, refresh.ErrTooManyRounds, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn := &rounds{list: tt.list}
			out, _ := conn.Begin(t.Context(), connector.BeginRequest{})
			r := refresh.Replay{Conn: conn, Stored: stored, Now: time.Now}
			got, _, _, err := r.Run(t.Context(), out, nil, nil, false)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if err == nil && got.Authorized() != tt.authorized {
				t.Errorf("authorized = %v, want %v", got.Authorized(), tt.authorized)
			}
			if tt.answered != nil && !reflect.DeepEqual(conn.answers, tt.answered) {
				t.Errorf("the connector was sent %v, want %v", conn.answers, tt.answered)
			}
		})
	}

	// Round sees every outcome, and its error ends the replay.
	conn := &rounds{list: [][]connector.Challenge{{q("a")}, {q("b")}}}
	out, _ := conn.Begin(t.Context(), connector.BeginRequest{})
	stop := errors.New("stop")
	seen := 0
	r := refresh.Replay{Conn: conn, Stored: stored, Now: time.Now, Round: func(connector.Outcome, map[string][]string) error {
		if seen++; seen == 2 {
			return stop
		}
		return nil
	}}
	if _, answered, fromStorage, err := r.Run(t.Context(), out, nil, nil, false); !errors.Is(err, stop) || !fromStorage ||
		!reflect.DeepEqual(answered, map[string][]string{"a": {"1"}}) {
		t.Errorf("Run with a Round that stops at the second outcome: %v, %v, %v", answered, fromStorage, err)
	}
}
