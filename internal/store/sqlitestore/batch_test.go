package sqlitestore_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/internal/store"
)

// TestCreateSessionBatches holds the writer while 100 sessions are created
// concurrently, so that they queue, then lets it go: the queued calls share
// at most two transactions, and each still gets its own answer. A session of an
// unknown login and a second session with an existing id are refused
// alone; every other one is written.
func TestCreateSessionBatches(t *testing.T) {
	t.Parallel()
	s := open(t, filepath.Join(t.TempDir(), "bankfeed.db"))
	defer s.Close()
	ctx := t.Context()
	if err := s.CreateLogin(ctx, testLogin("login-1")); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	session := func(id, login string) *store.Session {
		return &store.Session{ID: id, CustomerID: "cust-1", LoginID: login, Institution: "FlinksCapital", Username: "u",
			Language: "en", Mode: "cached", Version: 1, CreatedAt: now, UpdatedAt: now}
	}
	if err := s.CreateSession(ctx, session("taken", "login-1")); err != nil {
		t.Fatal(err)
	}
	before := s.Batches()

	const n = 100
	held, release := make(chan struct{}), make(chan struct{})
	go s.InTx(ctx, func(store.Queries) error {
		close(held)
		<-release
		return nil
	})
	<-held
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sess := session(fmt.Sprintf("sess-%d", i), "login-1")
			switch i {
			case 7:
				sess.LoginID = "no-such-login"
			case 11:
				sess.ID = "taken"
			}
			errs[i] = s.CreateSession(ctx, sess)
		}()
	}
	// The writer's loop takes the calls queued when it first looks, and
	// waits for the connection; the others queue behind them.
	for s.WaitingCreates() < n {
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()

	for i, err := range errs {
		want := error(nil)
		if i == 7 || i == 11 {
			want = store.ErrConflict
		}
		if !errors.Is(err, want) && err != want {
			t.Errorf("session %d: %v, want %v", i, err, want)
		}
		if want == nil {
			if _, err := s.Session(ctx, "cust-1", fmt.Sprintf("sess-%d", i)); err != nil {
				t.Errorf("session %d was acknowledged but reads %v", i, err)
			}
		}
	}
	// Those the loop took first (all of them, if they were queued before it
	// woke), then the rest together.
	if got := s.Batches() - before; got < 1 || got > 2 {
		t.Errorf("%d transactions for %d queued sessions, want 1 or 2", got, n)
	}
	if sess, err := s.Session(ctx, "cust-1", "taken"); err != nil || sess.LoginID != "login-1" {
		t.Errorf("the first session with the id was changed: %+v, %v", sess, err)
	}
}

// TestCreateSessionAfterClose answers a call after Close with an error
// instead of waiting forever.
func TestCreateSessionAfterClose(t *testing.T) {
	t.Parallel()
	s := open(t, filepath.Join(t.TempDir(), "bankfeed.db"))
	s.Close()
	if err := s.CreateSession(t.Context(), &store.Session{ID: "x", CustomerID: "c"}); err == nil {
		t.Error("CreateSession after Close succeeded")
	}
}
