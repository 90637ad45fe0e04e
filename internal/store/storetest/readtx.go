package storetest

import (
	"errors"
	"testing"

	"github.com/bankfeed/bankfeed/internal/store"
)

// testReadTx: reads inside ReadTx see what is committed, and a write
// through its queries fails and leaves nothing.
func testReadTx(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreateLogin(t, s, minimalLogin("cust-1", "login-1", "greatday"))
	mustCreateSession(t, s, minimalSession("cust-1", "sess-1"))
	if err := s.PutSnapshot(ctx, "cust-1", "login-1", at(0), snapshotFixture()); err != nil {
		t.Fatal(err)
	}
	err := s.ReadTx(ctx, func(q store.Queries) error {
		if _, err := q.Session(ctx, "cust-1", "sess-1"); err != nil {
			t.Errorf("Session in ReadTx: %v", err)
		}
		if _, err := q.Login(ctx, "cust-1", "login-1"); err != nil {
			t.Errorf("Login in ReadTx: %v", err)
		}
		snap, _, err := q.Snapshot(ctx, "cust-1", "login-1", store.SnapshotQuery{})
		if err != nil || len(snap.Accounts) != len(snapshotFixture().Accounts) {
			t.Errorf("Snapshot in ReadTx: %v", err)
		}
		if _, err := q.Session(ctx, "cust-1", "sess-none"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("an unknown session in ReadTx: %v, want ErrNotFound", err)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("ReadTx: %v", err)
	}
	err = s.ReadTx(ctx, func(q store.Queries) error {
		return q.CreateSession(ctx, minimalSession("cust-1", "sess-written"))
	})
	if err == nil {
		t.Error("a write in ReadTx succeeded")
	}
	if _, err := s.Session(ctx, "cust-1", "sess-written"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the session written in ReadTx: %v, want ErrNotFound", err)
	}
}

// testReadTxConsistent: a transaction that commits while a ReadTx runs is
// not seen by it, in part or whole; a ReadTx begun after it sees it all.
func testReadTxConsistent(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreateLogin(t, s, minimalLogin("cust-1", "login-1", "greatday"))
	mustCreateSession(t, s, minimalSession("cust-1", "sess-1"))
	err := s.ReadTx(ctx, func(q store.Queries) error {
		before, err := q.Session(ctx, "cust-1", "sess-1")
		if err != nil {
			return err
		}
		// A fetch ending: the snapshot and the session's end together.
		err = s.InTx(ctx, func(w store.Queries) error {
			cur, err := w.Session(ctx, "cust-1", "sess-1")
			if err != nil {
				return err
			}
			cur.Fetch = store.FetchDone
			if err := w.UpdateSession(ctx, cur); err != nil {
				return err
			}
			return w.PutSnapshot(ctx, "cust-1", "login-1", at(0), snapshotFixture())
		})
		if err != nil {
			t.Fatalf("the concurrent transaction: %v", err)
		}
		again, err := q.Session(ctx, "cust-1", "sess-1")
		if err != nil {
			return err
		}
		if again.Version != before.Version || again.Fetch != before.Fetch {
			t.Errorf("ReadTx saw a transaction committed after its first read: version %d -> %d, fetch %q -> %q",
				before.Version, again.Version, before.Fetch, again.Fetch)
		}
		if _, _, err := q.Snapshot(ctx, "cust-1", "login-1", store.SnapshotQuery{}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("ReadTx saw the snapshot of a transaction committed after its first read: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("ReadTx: %v", err)
	}
	err = s.ReadTx(ctx, func(q store.Queries) error {
		cur, err := q.Session(ctx, "cust-1", "sess-1")
		if err != nil || cur.Fetch != store.FetchDone {
			t.Errorf("a later ReadTx: session %+v, %v; want the fetch done", cur, err)
		}
		if _, _, err := q.Snapshot(ctx, "cust-1", "login-1", store.SnapshotQuery{}); err != nil {
			t.Errorf("a later ReadTx: snapshot: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("ReadTx: %v", err)
	}
}
