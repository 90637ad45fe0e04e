package jobs_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/internal/institutions"
	"github.com/bankfeed/bankfeed/internal/jobs"
	"github.com/bankfeed/bankfeed/internal/refresh"
	"github.com/bankfeed/bankfeed/internal/secrets"
	"github.com/bankfeed/bankfeed/internal/store"
	"github.com/bankfeed/bankfeed/internal/store/sqlitestore"
	"github.com/bankfeed/bankfeed/internal/vault"
	"github.com/riverqueue/river/riverdriver/riversqlite"
)

// bank is a connector whose fetch waits for its context, or returns at
// once when hang is nil.
type bank struct {
	started chan struct{} // receives when a fetch begins
	hang    chan struct{}
}

func (bank) Institutions() []connector.Institution {
	return []connector.Institution{{Name: "Slow", ID: 1}}
}
func (bank) Begin(context.Context, connector.BeginRequest) (connector.Outcome, error) {
	return connector.Outcome{}, errors.New("not used")
}
func (bank) Continue(context.Context, connector.ContinueRequest) (connector.Outcome, error) {
	return connector.Outcome{}, errors.New("not used")
}
func (b bank) Fetch(ctx context.Context, _ connector.FetchRequest) (*connector.Snapshot, error) {
	if b.hang == nil {
		return &connector.Snapshot{}, nil
	}
	b.started <- struct{}{}
	select {
	case <-ctx.Done():
		close(b.hang)
		return nil, ctx.Err()
	case <-time.After(time.Minute):
		return nil, errors.New("the fetch was never cancelled")
	}
}

// TestStopCancelsAtDeadline runs a fetch that does not end by itself: Stop
// waits for it until its context's deadline, then cancels it and returns
// once it has returned, so that the store can be closed under no job; the
// job is not lost, and a runner started later finishes it.
func TestStopCancelsAtDeadline(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bankfeed.db")
	st, err := sqlitestore.Open(ctx, path, sqlitestore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	key := make([]byte, vault.KeySize)
	rand.Read(key)
	ring, err := vault.NewRing([][]byte{key}, nil)
	if err != nil {
		t.Fatal(err)
	}
	start := func(b bank) *jobs.Runner[*sql.Tx] {
		banks, err := institutions.New([]connector.Connector{b})
		if err != nil {
			t.Fatal(err)
		}
		svc := refresh.NewService(refresh.Config{Store: st, Secrets: secrets.NewKeeper(ring), Institutions: banks,
			HistoryDays: func(time.Time) int { return 90 }})
		r, err := jobs.Start(ctx, riversqlite.New(st.WriteDB()), jobs.Config{Refresh: svc, Store: st})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	now := time.Now().UTC().Truncate(time.Microsecond)
	login := &store.Login{ID: "login-1", CustomerID: "c1", Institution: "Slow", Username: "u", UsernameKey: "u",
		Language: "en", Version: 1, CreatedAt: now, UpdatedAt: now}
	sess := &store.Session{ID: "sess-1", CustomerID: "c1", LoginID: "login-1", Institution: "Slow", Username: "u",
		Language: "en", Mode: "live", State: "authorized", Fetch: store.FetchPending, Version: 1, CreatedAt: now, UpdatedAt: now}
	err = st.InTx(ctx, func(q store.Queries) error {
		if err := q.CreateLogin(ctx, login); err != nil {
			return err
		}
		if err := q.CreateSession(ctx, sess); err != nil {
			return err
		}
		return q.Enqueue(ctx, refresh.FetchJob{CustomerID: "c1", SessionID: "sess-1", LoginID: "login-1"})
	})
	if err != nil {
		t.Fatal(err)
	}

	slow := bank{started: make(chan struct{}, 1), hang: make(chan struct{})}
	r := start(slow)
	select {
	case <-slow.started:
	case <-time.After(30 * time.Second):
		t.Fatal("the fetch job did not start")
	}
	stopCtx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	if err := r.Stop(stopCtx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	select {
	case <-slow.hang:
	default:
		t.Fatal("Stop returned while the fetch still ran")
	}

	// The job was not lost: a later runner does it.
	r = start(bank{})
	defer r.Stop(ctx)
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		cur, err := st.Session(ctx, "c1", "sess-1")
		if err != nil {
			t.Fatal(err)
		}
		if cur.Fetch == store.FetchDone {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the cancelled fetch was not run again: the session's fetch is %q", cur.Fetch)
		}
	}
}
