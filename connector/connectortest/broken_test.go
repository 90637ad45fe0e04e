package connectortest_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/connector/connectortest"
	"github.com/bankfeed/bankfeed/connectors/sandbox"
)

// The suite's checks are shown able to fail: each case wraps the sandbox
// bank in a connector that breaks one promise of the contract, runs the
// suite on it in a child test process, and expects that check, and only
// the checks it names, to fail.

const brokenEnv = "BANKFEED_CONNECTORTEST_BROKEN"

// broken is the sandbox bank with one promise of the contract broken.
type broken struct {
	*sandbox.Connector
	how string
}

func (b broken) Begin(ctx context.Context, req connector.BeginRequest) (connector.Outcome, error) {
	out, err := b.Connector.Begin(ctx, req)
	return b.round(out, req.Unattended), err
}

func (b broken) Continue(ctx context.Context, req connector.ContinueRequest) (connector.Outcome, error) {
	out, err := b.Connector.Continue(ctx, req)
	return b.round(out, req.Unattended), err
}

// round marks the challenges of an unattended login one-time, as a bank
// that asks a code unattended would, without the NeedsUser the contract
// asks for.
func (b broken) round(out connector.Outcome, unattended bool) connector.Outcome {
	if b.how == "unattended" && unattended {
		cs := append([]connector.Challenge(nil), out.Challenges...)
		for i := range cs {
			cs[i].OneTime = true
		}
		out.Challenges = cs
	}
	return out
}

func (b broken) Fetch(ctx context.Context, req connector.FetchRequest) (*connector.Snapshot, error) {
	snap, err := b.Connector.Fetch(ctx, req)
	if err != nil {
		return snap, err
	}
	for i := range snap.Accounts {
		txs := snap.Accounts[i].Transactions
		if len(txs) < 2 {
			continue
		}
		switch b.how {
		case "order":
			txs[0], txs[len(txs)-1] = txs[len(txs)-1], txs[0]
		case "balance":
			txs[1].Balance++
		case "ids":
			for j := range txs {
				txs[j].ID += "@" + req.Now.Format("20060102")
			}
		}
	}
	return snap, nil
}

func (b broken) Questions(ctx context.Context, req connector.QuestionsRequest) ([]string, error) {
	if b.how == "questions" {
		return []string{}, nil
	}
	return b.Connector.Questions(ctx, req)
}

// TestBrokenChild is the child process's test: it runs the suite on the
// connector broken as the environment says, and is skipped otherwise.
func TestBrokenChild(t *testing.T) {
	how := os.Getenv(brokenEnv)
	if how == "" {
		t.Skip("run by TestChecksCanFail only")
	}
	scenarios, err := sandbox.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	connectortest.Run(t, func() connector.Connector {
		sb, err := sandbox.New(scenarios...)
		if err != nil {
			t.Fatal(err)
		}
		return broken{sb, how}
	}, connectortest.Script{
		Institution: "FlinksCapital", Username: "Greatday", Password: sandbox.Password,
		Answer: func(connector.Challenge) []string { return []string{"Triangle"} },
	})
}

func TestChecksCanFail(t *testing.T) {
	t.Parallel()
	for how, fails := range map[string][]string{
		"unattended": {"Unattended"},
		"order":      {"Fetch"},
		"balance":    {"Fetch"},
		"ids":        {"StableIDs"},
		"questions":  {"Questions"},
	} {
		t.Run(how, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-test.run=^TestBrokenChild$", "-test.v")
			cmd.Env = append(os.Environ(), brokenEnv+"="+how)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("the suite passed a connector broken in its %s:\n%s", how, out)
			}
			for _, check := range []string{"Institutions", "WrongPassword", "Login", "WrongAnswer", "Saved", "Concurrent",
				"CanceledContext", "Unattended", "Fetch", "StableIDs", "Questions"} {
				failed := strings.Contains(string(out), "--- FAIL: TestBrokenChild/"+check+" ")
				want := false
				for _, f := range fails {
					want = want || f == check
				}
				if failed != want {
					t.Errorf("broken %s: check %s failed: %v, want %v\n%s", how, check, failed, want, out)
				}
			}
		})
	}
}
