package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/internal/store"
)

// Blocker makes a store's database unable to take writes, from outside
// the store (SQLite: another connection holding the write lock; PostgreSQL:
// another session holding the tables' locks), until release is called.
type Blocker func(t *testing.T) (release func())

// RunUnavailable checks what the store contract promises of a database that
// cannot serve for now: writes, alone or in a transaction, fail with
// store.ErrUnavailable (within the store's operation timeout: open must
// open the store with a short one, so that the suite ends soon), nothing of
// them is written, and the store serves again once the database does. A
// transaction that outlives the operation timeout fails the same way.
// open must give the store an operation timeout well under a second.
func RunUnavailable(t *testing.T, open func(t *testing.T) (store.Store, Blocker)) {
	t.Run("Unavailable", func(t *testing.T) {
		t.Parallel()
		s, block := open(t)
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		ctx := t.Context()
		mustCreateLogin(t, s, minimalLogin("cust-1", "login-1", "greatday"))
		before := minimalSession("cust-1", "sess-1")
		mustCreateSession(t, s, before)

		release := block(t)
		unavailable := func(what string, err error) {
			t.Helper()
			if !errors.Is(err, store.ErrUnavailable) {
				t.Errorf("%s while the database is blocked: %v, want store.ErrUnavailable", what, err)
			}
		}
		unavailable("CreateSession", s.CreateSession(ctx, minimalSession("cust-1", "sess-new")))
		changed := *before
		changed.State = "authorized"
		unavailable("UpdateSession", s.UpdateSession(ctx, &changed))
		unavailable("InTx", s.InTx(ctx, func(q store.Queries) error {
			l, err := q.Login(ctx, "cust-1", "login-1")
			if err != nil {
				return err
			}
			l.Saved = true
			if err := q.UpdateLogin(ctx, l); err != nil {
				return err
			}
			return q.PutSnapshot(ctx, "cust-1", "login-1", at(0), snapshotFixture())
		}))
		release()

		// A transaction that outlives the operation timeout is cut off,
		// and says so the same way.
		unavailable("a transaction past the operation timeout", s.InTx(ctx, func(q store.Queries) error {
			time.Sleep(time.Second)
			return q.UpdateSession(ctx, &changed)
		}))

		// Nothing of the refused writes is there, and the store serves.
		if _, err := s.Session(ctx, "cust-1", "sess-new"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the session created while blocked: %v, want ErrNotFound", err)
		}
		got, err := s.Session(ctx, "cust-1", "sess-1")
		if err != nil || got.State != before.State || got.Version != before.Version {
			t.Errorf("the session updated while blocked: %+v, %v; want it as it was", got, err)
		}
		l, err := s.Login(ctx, "cust-1", "login-1")
		if err != nil || l.Saved || l.Version != 1 {
			t.Errorf("the login updated while blocked: %+v, %v; want it as it was", l, err)
		}
		if _, _, err := s.Snapshot(ctx, "cust-1", "login-1", store.SnapshotQuery{}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the snapshot put while blocked: %v, want ErrNotFound", err)
		}
		if err := s.CreateSession(ctx, minimalSession("cust-1", "sess-new")); err != nil {
			t.Errorf("CreateSession once the database serves again: %v", err)
		}
	})
}
