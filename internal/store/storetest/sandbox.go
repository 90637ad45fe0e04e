package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/internal/store"
)

func testClock(t *testing.T, s store.Store) {
	ctx := t.Context()
	off, set, err := s.ClockOffset(ctx)
	if err != nil || set || off != 0 {
		t.Fatalf("ClockOffset of a new store: %v, %v, %v; want 0, unset", off, set, err)
	}
	started, err := s.StartClock(ctx, -48*time.Hour)
	if err != nil || !started {
		t.Fatalf("StartClock of an unset clock: %v, %v; want it started", started, err)
	}
	if started, err := s.StartClock(ctx, time.Hour); err != nil || started {
		t.Errorf("second StartClock: %v, %v; want it refused, the clock already set", started, err)
	}
	if off, set, err := s.ClockOffset(ctx); err != nil || !set || off != -48*time.Hour {
		t.Fatalf("ClockOffset after StartClock: %v, %v, %v; want -48h, set", off, set, err)
	}
	if err := s.MoveClock(ctx, 0, time.Hour, time.Now()); !errors.Is(err, store.ErrConflict) {
		t.Errorf("MoveClock from a stale offset: %v, want store.ErrConflict", err)
	}
	if err := s.MoveClock(ctx, -48*time.Hour, 72*time.Hour+time.Microsecond, time.Now()); err != nil {
		t.Fatalf("MoveClock: %v", err)
	}
	if off, _, err := s.ClockOffset(ctx); err != nil || off != 72*time.Hour+time.Microsecond {
		t.Errorf("ClockOffset after MoveClock: %v, %v; want 72h0.000001s", off, err)
	}
	// Inside a transaction, rolled back with it.
	errAbort := errors.New("abort")
	err = s.InTx(ctx, func(q store.Queries) error {
		if err := q.MoveClock(ctx, 72*time.Hour+time.Microsecond, 100*time.Hour, time.Now()); err != nil {
			return err
		}
		return errAbort
	})
	if !errors.Is(err, errAbort) {
		t.Fatalf("InTx: %v", err)
	}
	if off, _, _ := s.ClockOffset(ctx); off != 72*time.Hour+time.Microsecond {
		t.Errorf("ClockOffset after a rolled-back MoveClock: %v, want 72h0.000001s", off)
	}
}

func testMoveClockUnset(t *testing.T, s store.Store) {
	ctx := t.Context()
	// An unset clock counts as offset 0.
	if err := s.MoveClock(ctx, 0, time.Minute, time.Now()); err != nil {
		t.Fatalf("MoveClock of an unset clock: %v", err)
	}
	if off, set, err := s.ClockOffset(ctx); err != nil || !set || off != time.Minute {
		t.Errorf("ClockOffset: %v, %v, %v; want 1m, set", off, set, err)
	}
	if started, err := s.StartClock(ctx, time.Hour); err != nil || started {
		t.Errorf("StartClock of a moved clock: %v, %v; want it refused", started, err)
	}
}

func testReset(t *testing.T, s store.Store) {
	ctx := t.Context()
	for _, id := range []string{"cust-1", "cust-2", "cust-3"} {
		if err := s.CreateCustomer(ctx, fullCustomer(id)); err != nil {
			t.Fatal(err)
		}
		mustCreateLogin(t, s, fullLogin(id, "login-"+id, "greatday"))
		mustCreateLogin(t, s, fullLogin(id, "login-2-"+id, "greatday_nomfa"))
		mustCreateSession(t, s, fullSession(id, "sess-"+id, "login-"+id))
		mustCreateSession(t, s, minimalSession(id, "sess-no-login-"+id))
		mustPutSnapshot(t, s, id, "login-"+id, at(0), snapshotFixture())
		if err := s.CreateToken(ctx, &store.AuthorizeToken{Hash: []byte("token-" + id), CustomerID: id, ExpiresAt: at(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if err := s.Enqueue(ctx, fetchJob{CustomerID: id, LoginID: "login-" + id, Note: id}); err != nil {
			t.Fatal(err)
		}
		if err := s.PutWebhook(ctx, &store.Webhook{CustomerID: id, URL: "https://example.test", Secret: []byte{1}}); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateDelivery(ctx, delivery(id, "login-"+id, "delivery-"+id, 0)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Reset(ctx, "cust-1")
	if err != nil {
		t.Fatalf("Reset: %v", err)
	}
	want := store.ResetCounts{Logins: 2, Sessions: 2, Snapshots: 1, Tokens: 1, Jobs: 1, Deliveries: 1}
	if got != want {
		t.Errorf("Reset counted %+v, want %+v", got, want)
	}
	gone := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s after Reset: %v, want store.ErrNotFound", what, err)
		}
	}
	_, err = s.Login(ctx, "cust-1", "login-cust-1")
	gone("Login", err)
	_, err = s.Session(ctx, "cust-1", "sess-no-login-cust-1")
	gone("Session without a login", err)
	_, _, err = s.Snapshot(ctx, "cust-1", "login-cust-1", store.SnapshotQuery{})
	gone("Snapshot", err)
	_, err = s.Token(ctx, "cust-1", []byte("token-cust-1"))
	gone("Token", err)
	_, err = s.Delivery(ctx, "delivery-cust-1")
	gone("Delivery", err)
	// The customer itself and its webhook endpoint stay.
	if _, err := s.Customer(ctx, "cust-1"); err != nil {
		t.Errorf("Customer after Reset: %v", err)
	}
	if _, err := s.Webhook(ctx, "cust-1"); err != nil {
		t.Errorf("Webhook after Reset: %v", err)
	}
	// The others keep everything.
	for _, id := range []string{"cust-2", "cust-3"} {
		if _, _, err := s.Snapshot(ctx, id, "login-"+id, store.SnapshotQuery{}); err != nil {
			t.Errorf("Snapshot of %s: %v", id, err)
		}
		if _, err := s.Session(ctx, id, "sess-no-login-"+id); err != nil {
			t.Errorf("Session of %s: %v", id, err)
		}
		if _, err := s.Token(ctx, id, []byte("token-"+id)); err != nil {
			t.Errorf("Token of %s: %v", id, err)
		}
		if _, err := s.Delivery(ctx, "delivery-"+id); err != nil {
			t.Errorf("Delivery of %s: %v", id, err)
		}
	}
	// Again: nothing left to delete.
	if got, err := s.Reset(ctx, "cust-1"); err != nil || got != (store.ResetCounts{}) {
		t.Errorf("second Reset: %+v, %v; want nothing deleted", got, err)
	}
	// Every customer's.
	got, err = s.Reset(ctx, "")
	want = store.ResetCounts{Logins: 4, Sessions: 4, Snapshots: 2, Tokens: 2, Jobs: 2, Deliveries: 2}
	if err != nil || got != want {
		t.Errorf("Reset of every customer: %+v, %v; want %+v", got, err, want)
	}
	if _, err := s.Login(ctx, "cust-3", "login-cust-3"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Login after a Reset of every customer: %v, want store.ErrNotFound", err)
	}
	if cs, err := s.Customers(ctx); err != nil || len(cs) != 3 {
		t.Errorf("Customers after a Reset of every customer: %d, %v; want the 3 kept", len(cs), err)
	}
}
