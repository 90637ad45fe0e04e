// Package storetest is the conformance suite of the store contract. Every
// implementation of store.Store runs it from its own tests:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { return openFresh(t) })
//	}
//
// The suite checks what package store promises and what bankfeed relies on,
// nothing about how a database lays out its rows.
package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/internal/store"
)

// Run runs the conformance suite against the stores that open returns. Each
// subtest calls open once and expects a fresh, empty store of its own, so
// subtests run in parallel; Run closes every store it opens and fails the
// subtest if Close fails. open should fail t (t.Fatal) when it cannot open a
// store.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"Ping", testPing},
		{"Migrated", testMigrated},
		{"Stats", testStats},
		{"SessionRoundTrip", testSessionRoundTrip},
		{"LoginRoundTrip", testLoginRoundTrip},
		{"ReadsScopedByCustomer", testReadsScopedByCustomer},
		{"UpdateSession", testUpdateSession},
		{"UpdateLogin", testUpdateLogin},
		{"CreateSessionDuplicate", testCreateSessionDuplicate},
		{"CreateLoginDuplicate", testCreateLoginDuplicate},
		{"InTx", testInTx},
		{"InTxPanic", testInTxPanic},
		{"ConcurrentUpdates", testConcurrentUpdates},
		{"DeleteSessionsIdleSince", testDeleteSessionsIdleSince},
		{"DeleteUnsavedLogins", testDeleteUnsavedLogins},
		{"DeleteLogin", testDeleteLogin},
		{"LoginFetching", testLoginFetching},
		{"Enqueue", testEnqueue},
		{"SnapshotRoundTrip", testSnapshotRoundTrip},
		{"SnapshotQuery", testSnapshotQuery},
		{"PutSnapshotReplaces", testPutSnapshotReplaces},
		{"SessionView", testSessionView},
		{"SessionLogins", testSessionLogins},
		{"SnapshotScopedByCustomer", testSnapshotScopedByCustomer},
		{"SnapshotConcurrentReads", testSnapshotConcurrentReads},
		{"SnapshotInTx", testSnapshotInTx},
		{"CustomerRoundTrip", testCustomerRoundTrip},
		{"DeleteCustomer", testDeleteCustomer},
		{"Tokens", testTokens},
		{"TokenUsedOnce", testTokenUsedOnce},
		{"SealedValues", testSealedValues},
		{"ReplaceSealed", testReplaceSealed},
		{"SealedPrefixes", testSealedPrefixes},
		{"MarkCached", testMarkCached},
		{"ScheduledLogins", testScheduledLogins},
		{"ReadTx", testReadTx},
		{"ReadTxConsistent", testReadTxConsistent},
		{"WebhookRoundTrip", testWebhookRoundTrip},
		{"Deliveries", testDeliveries},
		{"DeleteLoginDeliveries", testDeleteLoginDeliveries},
		{"SealedWebhook", testSealedWebhook},
		{"Clock", testClock},
		{"MoveClockUnset", testMoveClockUnset},
		{"Reset", testReset},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tc.fn(t, s)
		})
	}
}

// base is the reference time of the fixtures. It is at microsecond
// precision, the precision the contract keeps, and deliberately not in UTC:
// a store must hand times back in UTC whatever zone they were written in.
var base = time.Date(2025, time.March, 9, 1, 59, 58, 123456000, time.FixedZone("EST", -5*60*60))

// at returns base moved by d.
func at(d time.Duration) time.Time { return base.Add(d) }

// fullSession returns a session with every field set to a non-zero value, so
// that a column a store forgets to write or read shows up as a difference.
func fullSession(customerID, id, loginID string) *store.Session {
	return &store.Session{
		ID:              id,
		CustomerID:      customerID,
		LoginID:         loginID,
		Institution:     "FlinksCapital",
		Username:        "Greatday",
		Language:        "fr",
		Tag:             "tag=1;userId=42",
		Mode:            "reopen",
		Save:            true,
		ScheduleRefresh: true,
		State:           "challenged",
		Attempts:        2,
		Fetch:           store.FetchFailed,
		FetchCode:       "RETRY_LATER",
		Requests:        []byte(`{"detail":{"RequestId":"x"}}`),
		BusyUntil:       at(30 * time.Second),
		Version:         7,
		CreatedAt:       at(-time.Minute),
		UpdatedAt:       at(0),
		// Every byte value, so that a store that treats the blob as text
		// (or stops at a NUL) loses something.
		Sealed: allBytes(),
	}
}

// minimalSession returns a session with every optional field at its zero
// value: no login yet, no busy claim, nothing sealed.
func minimalSession(customerID, id string) *store.Session {
	return &store.Session{
		ID:          id,
		CustomerID:  customerID,
		Institution: "FlinksCapital",
		Username:    "greatday_nomfa",
		Language:    "en",
		Mode:        "live",
		Version:     1,
		CreatedAt:   at(0),
		UpdatedAt:   at(0),
	}
}

// fullLogin returns a login with every field set to a non-zero value.
func fullLogin(customerID, id, usernameKey string) *store.Login {
	return &store.Login{
		ID:               id,
		CustomerID:       customerID,
		Institution:      "FlinksCapital",
		Username:         "GreatDay",
		UsernameKey:      usernameKey,
		Language:         "fr",
		Saved:            true,
		ScheduledRefresh: true,
		Type:             "Business",
		LastRefresh:      at(-time.Hour),
		LastRefreshCode:  "INVALID_SECURITY_RESPONSE",
		Version:          3,
		CreatedAt:        at(-24 * time.Hour),
		UpdatedAt:        at(0),
		Sealed:           allBytes(),
		DataKey:          []byte{0, 'k', 0xff, 'e', 'y'},
		LastAttempt:      at(-time.Minute),
		TwoStep:          true,
		LastCached:       at(-2 * time.Hour),
	}
}

// minimalLogin returns an unsaved login never refreshed, with nothing sealed.
func minimalLogin(customerID, id, usernameKey string) *store.Login {
	return &store.Login{
		ID:          id,
		CustomerID:  customerID,
		Institution: "FlinksCapital",
		Username:    usernameKey,
		UsernameKey: usernameKey,
		Language:    "en",
		Type:        "Personal",
		Version:     1,
		CreatedAt:   at(0),
		UpdatedAt:   at(0),
	}
}

func allBytes() []byte {
	b := make([]byte, 256)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

func testPing(t *testing.T, s store.Store) {
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

func testSessionRoundTrip(t *testing.T, s store.Store) {
	ctx := t.Context()
	// A session may reference a login; stores with foreign keys need it to
	// exist.
	mustCreateLogin(t, s, minimalLogin("cust-1", "login-1", "greatday"))

	tests := []struct {
		name string
		s    *store.Session
	}{
		{"every field set", fullSession("cust-1", "sess-full", "login-1")},
		// LoginID "" is stored as NULL and must come back as "", zero times
		// must stay zero (not 1970), and a nil Sealed must stay nil.
		{"optional fields empty", minimalSession("cust-1", "sess-minimal")},
		{"empty sealed", func() *store.Session {
			s := minimalSession("cust-1", "sess-empty-sealed")
			s.Sealed = []byte{}
			return s
		}()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := *tc.s
			if err := s.CreateSession(ctx, tc.s); err != nil {
				t.Fatalf("CreateSession: %v", err)
			}
			got, err := s.Session(ctx, want.CustomerID, want.ID)
			if err != nil {
				t.Fatalf("Session: %v", err)
			}
			checkSession(t, got, &want)
		})
	}
}

func testLoginRoundTrip(t *testing.T, s store.Store) {
	ctx := t.Context()
	tests := []struct {
		name string
		l    *store.Login
	}{
		{"every field set", fullLogin("cust-1", "login-full", "greatday")},
		// A zero LastRefresh means never refreshed and must not come back as
		// 1970; nil Sealed means no credentials kept.
		{"optional fields empty", minimalLogin("cust-1", "login-minimal", "greatday_nomfa")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := *tc.l
			if err := s.CreateLogin(ctx, tc.l); err != nil {
				t.Fatalf("CreateLogin: %v", err)
			}
			got, err := s.Login(ctx, want.CustomerID, want.ID)
			if err != nil {
				t.Fatalf("Login: %v", err)
			}
			checkLogin(t, "Login", got, &want)
			got, err = s.LoginByUsername(ctx, want.CustomerID, want.Institution, want.UsernameKey)
			if err != nil {
				t.Fatalf("LoginByUsername: %v", err)
			}
			checkLogin(t, "LoginByUsername", got, &want)
		})
	}
}

func testReadsScopedByCustomer(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreateLogin(t, s, fullLogin("cust-1", "login-1", "greatday"))
	mustCreateSession(t, s, fullSession("cust-1", "sess-1", "login-1"))

	// Every read of a row that exists for another customer must look exactly
	// like a read of a row that does not exist: a customer learns nothing
	// about another's ids.
	tests := []struct {
		name string
		read func() error
	}{
		{"Session of another customer", func() error { _, err := s.Session(ctx, "cust-2", "sess-1"); return err }},
		{"Session unknown id", func() error { _, err := s.Session(ctx, "cust-1", "sess-2"); return err }},
		{"Login of another customer", func() error { _, err := s.Login(ctx, "cust-2", "login-1"); return err }},
		{"Login unknown id", func() error { _, err := s.Login(ctx, "cust-1", "login-2"); return err }},
		{"LoginByUsername of another customer", func() error {
			_, err := s.LoginByUsername(ctx, "cust-2", "FlinksCapital", "greatday")
			return err
		}},
		{"LoginByUsername other institution", func() error {
			_, err := s.LoginByUsername(ctx, "cust-1", "RBC", "greatday")
			return err
		}},
		{"LoginByUsername other username key", func() error {
			_, err := s.LoginByUsername(ctx, "cust-1", "FlinksCapital", "greatday2")
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.read(); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("error %v, want store.ErrNotFound", err)
			}
		})
	}

	// The owner still reads both rows.
	if _, err := s.Session(ctx, "cust-1", "sess-1"); err != nil {
		t.Errorf("Session of its customer: %v", err)
	}
	if _, err := s.Login(ctx, "cust-1", "login-1"); err != nil {
		t.Errorf("Login of its customer: %v", err)
	}
}

// UpdateSession must write the fields a conversation changes: LoginID,
// Username, Tag, State, Attempts, BusyUntil, UpdatedAt and Sealed. The others
// are fixed when the session is created, and the suite does not require a
// store to rewrite them.
func testUpdateSession(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreateLogin(t, s, minimalLogin("cust-1", "login-1", "greatday"))
	mustCreateSession(t, s, minimalSession("cust-1", "sess-1"))

	cur, err := s.Session(ctx, "cust-1", "sess-1")
	if err != nil {
		t.Fatalf("Session: %v", err)
	}
	stale := *cur

	// A conversation ends with a login: every mutable field changes.
	cur.LoginID = "login-1"
	cur.Username = "GreatDay"
	cur.Tag = "new-tag"
	cur.State = "authorized"
	cur.Attempts = 3
	cur.BusyUntil = at(time.Minute)
	cur.UpdatedAt = at(2 * time.Second)
	cur.Sealed = []byte("sealed\x00secrets")
	want := *cur
	if err := s.UpdateSession(ctx, cur); err != nil {
		t.Fatalf("UpdateSession: %v", err)
	}
	if cur.Version != want.Version+1 {
		t.Errorf("Version after UpdateSession = %d, want %d", cur.Version, want.Version+1)
	}
	want.Version++
	got, err := s.Session(ctx, "cust-1", "sess-1")
	if err != nil {
		t.Fatalf("Session: %v", err)
	}
	checkSession(t, got, &want)

	// A writer that read before the update lost the race: its write must
	// fail, leave the row alone, and leave its own Version as it was so the
	// caller can tell what it held.
	stale.Tag = "stale"
	if err := s.UpdateSession(ctx, &stale); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("UpdateSession with a stale version: %v, want store.ErrConflict", err)
	}
	if stale.Version != want.Version-1 {
		t.Errorf("a failed UpdateSession changed Version to %d", stale.Version)
	}
	got, err = s.Session(ctx, "cust-1", "sess-1")
	if err != nil {
		t.Fatalf("Session: %v", err)
	}
	checkSession(t, got, &want)

	// Optional fields go back to empty: LoginID to NULL, the busy claim and
	// the sealed secrets away.
	cur.LoginID = ""
	cur.BusyUntil = time.Time{}
	cur.Sealed = nil
	cur.UpdatedAt = at(3 * time.Second)
	want = *cur
	want.Version++
	if err := s.UpdateSession(ctx, cur); err != nil {
		t.Fatalf("second UpdateSession: %v", err)
	}
	got, err = s.Session(ctx, "cust-1", "sess-1")
	if err != nil {
		t.Fatalf("Session: %v", err)
	}
	checkSession(t, got, &want)

	// A session that was never created cannot be at the expected version.
	missing := minimalSession("cust-1", "sess-missing")
	if err := s.UpdateSession(ctx, missing); !errors.Is(err, store.ErrConflict) {
		t.Errorf("UpdateSession of a missing session: %v, want store.ErrConflict", err)
	}
}

// UpdateLogin must write the fields a refresh or a re-save changes:
// Username, Language, Saved, ScheduledRefresh, Type, LastRefresh,
// LastRefreshCode, UpdatedAt and Sealed. Institution and UsernameKey identify
// the login and are not required to be writable.
func testUpdateLogin(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreateLogin(t, s, minimalLogin("cust-1", "login-1", "greatday"))

	cur, err := s.Login(ctx, "cust-1", "login-1")
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	stale := *cur

	cur.Username = "GreatDay"
	cur.Language = "fr"
	cur.Saved = true
	cur.ScheduledRefresh = true
	cur.Type = "Business"
	cur.LastRefresh = at(time.Second)
	cur.LastRefreshCode = "RETRY_LATER"
	cur.UpdatedAt = at(time.Second)
	cur.Sealed = []byte{0, 1, 2}
	cur.DataKey = []byte{9, 8, 7} // a login without a data key gets one
	cur.LastAttempt = at(2 * time.Second)
	cur.TwoStep = true
	want := *cur
	// LastCached is MarkCached's alone.
	cur.LastCached = at(time.Hour)
	if err := s.UpdateLogin(ctx, cur); err != nil {
		t.Fatalf("UpdateLogin: %v", err)
	}
	if cur.Version != want.Version+1 {
		t.Errorf("Version after UpdateLogin = %d, want %d", cur.Version, want.Version+1)
	}
	want.Version++
	got, err := s.Login(ctx, "cust-1", "login-1")
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	checkLogin(t, "Login", got, &want)

	stale.Type = "stale"
	if err := s.UpdateLogin(ctx, &stale); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("UpdateLogin with a stale version: %v, want store.ErrConflict", err)
	}
	if stale.Version != want.Version-1 {
		t.Errorf("a failed UpdateLogin changed Version to %d", stale.Version)
	}
	got, err = s.Login(ctx, "cust-1", "login-1")
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	checkLogin(t, "Login", got, &want)

	// Forgetting credentials: Saved off, Sealed nil, LastRefresh back to
	// never.
	cur.Saved = false
	cur.Sealed = nil
	cur.LastRefresh = time.Time{}
	cur.LastRefreshCode = ""
	// A data key, once stored, is replaced only by ReplaceSealed: an update
	// from a row read before a key rotation must not undo the rotation.
	cur.DataKey = []byte{6, 6, 6}
	want = *cur
	want.DataKey = []byte{9, 8, 7}
	want.LastCached = time.Time{}
	want.Version++
	if err := s.UpdateLogin(ctx, cur); err != nil {
		t.Fatalf("second UpdateLogin: %v", err)
	}
	got, err = s.LoginByUsername(ctx, "cust-1", "FlinksCapital", "greatday")
	if err != nil {
		t.Fatalf("LoginByUsername: %v", err)
	}
	checkLogin(t, "LoginByUsername", got, &want)

	missing := minimalLogin("cust-1", "login-missing", "nobody")
	if err := s.UpdateLogin(ctx, missing); !errors.Is(err, store.ErrConflict) {
		t.Errorf("UpdateLogin of a missing login: %v, want store.ErrConflict", err)
	}
}

func testCreateSessionDuplicate(t *testing.T, s store.Store) {
	ctx := t.Context()
	first := minimalSession("cust-1", "sess-1")
	mustCreateSession(t, s, first)

	// A RequestId names one session across all customers: reusing it is a
	// conflict even for another customer, who must not be able to shadow or
	// probe it.
	tests := []struct {
		name string
		s    *store.Session
	}{
		{"same customer", func() *store.Session {
			d := minimalSession("cust-1", "sess-1")
			d.Tag = "duplicate"
			return d
		}()},
		{"another customer", minimalSession("cust-2", "sess-1")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := s.CreateSession(ctx, tc.s); !errors.Is(err, store.ErrConflict) {
				t.Fatalf("CreateSession of a duplicate id: %v, want store.ErrConflict", err)
			}
		})
	}
	got, err := s.Session(ctx, "cust-1", "sess-1")
	if err != nil {
		t.Fatalf("Session: %v", err)
	}
	checkSession(t, got, first)
}

func testCreateLoginDuplicate(t *testing.T, s store.Store) {
	ctx := t.Context()
	first := minimalLogin("cust-1", "login-1", "greatday")
	mustCreateLogin(t, s, first)

	tests := []struct {
		name     string
		l        *store.Login
		conflict bool
	}{
		// The username key is unique per customer and institution: a second
		// live login with the same username must find the first, not add a
		// card.
		{"same customer, institution and username key", minimalLogin("cust-1", "login-2", "greatday"), true},
		// The id is the primary identity of a login.
		{"same id", minimalLogin("cust-1", "login-1", "other"), true},
		{"same username for another customer", minimalLogin("cust-2", "login-3", "greatday"), false},
		{"same username at another institution", func() *store.Login {
			l := minimalLogin("cust-1", "login-4", "greatday")
			l.Institution = "RBC"
			return l
		}(), false},
		{"another username key", minimalLogin("cust-1", "login-5", "greatday_nomfa"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := s.CreateLogin(ctx, tc.l)
			switch {
			case tc.conflict && !errors.Is(err, store.ErrConflict):
				t.Fatalf("CreateLogin: %v, want store.ErrConflict", err)
			case !tc.conflict && err != nil:
				t.Fatalf("CreateLogin: %v, want success", err)
			}
			if tc.conflict {
				return
			}
			got, err := s.Login(ctx, tc.l.CustomerID, tc.l.ID)
			if err != nil {
				t.Fatalf("Login: %v", err)
			}
			checkLogin(t, "Login", got, tc.l)
		})
	}
	// The first login is untouched by the failed creations.
	got, err := s.Login(ctx, "cust-1", "login-1")
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	checkLogin(t, "Login", got, first)
}

var errAbort = errors.New("storetest: abort the transaction")

func testInTx(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreateLogin(t, s, minimalLogin("cust-1", "login-existing", "existing"))
	mustCreateSession(t, s, minimalSession("cust-1", "sess-existing"))

	tests := []struct {
		name   string
		fail   bool
		prefix string // ids written in this case start with prefix
	}{
		{"commit", false, "ok"},
		{"rollback", true, "ko"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			loginID, sessID := tc.prefix+"-login", tc.prefix+"-sess"
			err := s.InTx(ctx, func(q store.Queries) error {
				// A new login and a session pointing at it, the usual
				// shape of a conversation that saves a new card.
				if err := q.CreateLogin(ctx, minimalLogin("cust-1", loginID, tc.prefix)); err != nil {
					return fmt.Errorf("CreateLogin: %w", err)
				}
				if err := q.CreateSession(ctx, fullSession("cust-1", sessID, loginID)); err != nil {
					return fmt.Errorf("CreateSession: %w", err)
				}
				// Reads inside the transaction see its own writes.
				if _, err := q.Session(ctx, "cust-1", sessID); err != nil {
					return fmt.Errorf("reading the session inside the transaction: %w", err)
				}
				if _, err := q.LoginByUsername(ctx, "cust-1", "FlinksCapital", tc.prefix); err != nil {
					return fmt.Errorf("LoginByUsername inside the transaction: %w", err)
				}
				// Updates of existing rows are part of the transaction too.
				sess, err := q.Session(ctx, "cust-1", "sess-existing")
				if err != nil {
					return fmt.Errorf("reading the session: %w", err)
				}
				sess.Tag = tc.prefix
				if err := q.UpdateSession(ctx, sess); err != nil {
					return fmt.Errorf("UpdateSession: %w", err)
				}
				login, err := q.Login(ctx, "cust-1", "login-existing")
				if err != nil {
					return fmt.Errorf("reading the login: %w", err)
				}
				login.Type = tc.prefix
				if err := q.UpdateLogin(ctx, login); err != nil {
					return fmt.Errorf("UpdateLogin: %w", err)
				}
				if tc.fail {
					return errAbort
				}
				return nil
			})
			if tc.fail {
				// The caller must be able to tell its own error apart.
				if !errors.Is(err, errAbort) {
					t.Fatalf("InTx: %v, want the error of fn", err)
				}
			} else if err != nil {
				t.Fatalf("InTx: %v", err)
			}

			_, errSess := s.Session(ctx, "cust-1", sessID)
			_, errLogin := s.Login(ctx, "cust-1", loginID)
			sess, err := s.Session(ctx, "cust-1", "sess-existing")
			if err != nil {
				t.Fatalf("Session: %v", err)
			}
			login, err := s.Login(ctx, "cust-1", "login-existing")
			if err != nil {
				t.Fatalf("Login: %v", err)
			}
			if tc.fail {
				if !errors.Is(errSess, store.ErrNotFound) || !errors.Is(errLogin, store.ErrNotFound) {
					t.Errorf("rows created in a rolled back transaction: Session %v, Login %v; want store.ErrNotFound", errSess, errLogin)
				}
				if sess.Tag == tc.prefix || login.Type == tc.prefix {
					t.Errorf("updates of a rolled back transaction are visible: Tag %q, Type %q", sess.Tag, login.Type)
				}
			} else {
				if errSess != nil || errLogin != nil {
					t.Errorf("rows created in a committed transaction: Session %v, Login %v", errSess, errLogin)
				}
				if sess.Tag != tc.prefix || login.Type != tc.prefix {
					t.Errorf("updates of a committed transaction are lost: Tag %q, Type %q", sess.Tag, login.Type)
				}
			}
		})
	}
}

// testInTxPanic checks that a panic in fn rolls the transaction back and
// frees the store. net/http recovers a handler's panic, so a store that keeps
// the transaction open would leave the server alive but unable to write.
func testInTxPanic(t *testing.T, s store.Store) {
	ctx := t.Context()
	func() {
		defer func() {
			if recover() == nil {
				t.Errorf("InTx swallowed the panic of fn")
			}
		}()
		s.InTx(ctx, func(q store.Queries) error {
			if err := q.CreateSession(ctx, minimalSession("cust-1", "sess-panic")); err != nil {
				t.Errorf("CreateSession: %v", err)
			}
			panic("storetest: panic inside InTx")
		})
	}()

	// A bounded context: a store that leaked the transaction blocks here.
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := s.Session(ctx, "cust-1", "sess-panic"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Session written before a panic: %v, want store.ErrNotFound", err)
	}
	if err := s.CreateSession(ctx, minimalSession("cust-1", "sess-after")); err != nil {
		t.Fatalf("CreateSession after a panic in InTx: %v", err)
	}
	if err := s.InTx(ctx, func(q store.Queries) error {
		return q.CreateSession(ctx, minimalSession("cust-1", "sess-after-tx"))
	}); err != nil {
		t.Fatalf("InTx after a panic in InTx: %v", err)
	}
}

// testConcurrentUpdates races writers holding the same version, as two
// server processes answering the same round would: exactly one wins, and the
// row holds the winner's write.
func testConcurrentUpdates(t *testing.T, s store.Store) {
	const n = 16
	ctx := t.Context()
	mustCreateLogin(t, s, minimalLogin("cust-1", "login-1", "greatday"))
	mustCreateSession(t, s, minimalSession("cust-1", "sess-1"))

	tests := []struct {
		name   string
		update func(i int) error             // writes tag i over the version read before the race
		read   func() (string, int64, error) // reads tag and version back
	}{
		{"UpdateSession", func() func(i int) error {
			orig, err := s.Session(ctx, "cust-1", "sess-1")
			if err != nil {
				t.Fatalf("Session: %v", err)
			}
			return func(i int) error {
				c := *orig
				c.Tag = fmt.Sprint(i)
				return s.UpdateSession(ctx, &c)
			}
		}(), func() (string, int64, error) {
			got, err := s.Session(ctx, "cust-1", "sess-1")
			if err != nil {
				return "", 0, err
			}
			return got.Tag, got.Version, nil
		}},
		{"UpdateLogin", func() func(i int) error {
			orig, err := s.Login(ctx, "cust-1", "login-1")
			if err != nil {
				t.Fatalf("Login: %v", err)
			}
			return func(i int) error {
				c := *orig
				c.Type = fmt.Sprint(i)
				return s.UpdateLogin(ctx, &c)
			}
		}(), func() (string, int64, error) {
			got, err := s.Login(ctx, "cust-1", "login-1")
			if err != nil {
				return "", 0, err
			}
			return got.Type, got.Version, nil
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			errs := make([]error, n)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range n {
				wg.Go(func() {
					<-start
					errs[i] = tc.update(i)
				})
			}
			close(start)
			wg.Wait()

			winner := -1
			for i, err := range errs {
				switch {
				case err == nil && winner >= 0:
					t.Errorf("writers %d and %d both succeeded", winner, i)
				case err == nil:
					winner = i
				case !errors.Is(err, store.ErrConflict):
					t.Errorf("writer %d: %v, want nil or store.ErrConflict", i, err)
				}
			}
			if winner < 0 {
				t.Fatalf("no writer succeeded")
			}
			tag, version, err := tc.read()
			if err != nil {
				t.Fatalf("read back: %v", err)
			}
			if tag != fmt.Sprint(winner) || version != 2 {
				t.Errorf("row holds tag %q version %d, want the winner's %q version 2", tag, version, fmt.Sprint(winner))
			}
		})
	}
}

func testDeleteSessionsIdleSince(t *testing.T, s store.Store) {
	ctx := t.Context()
	cutoff := at(0)
	sessions := []struct {
		id      string
		updated time.Time
		deleted bool
	}{
		{"sess-hour-before", at(-time.Hour), true},
		{"sess-micro-before", at(-time.Microsecond), true},
		// Not updated *since* t means updated before t: a session touched
		// exactly at t is kept.
		{"sess-at", at(0), false},
		{"sess-after", at(time.Hour), false},
	}
	for i, c := range sessions {
		// Customers differ: the sweep is across all of them.
		sess := minimalSession(fmt.Sprintf("cust-%d", i), c.id)
		sess.CreatedAt = at(-2 * time.Hour)
		sess.UpdatedAt = c.updated
		mustCreateSession(t, s, sess)
	}

	n, err := s.DeleteSessionsIdleSince(ctx, cutoff)
	if err != nil {
		t.Fatalf("DeleteSessionsIdleSince: %v", err)
	}
	if n != 2 {
		t.Errorf("DeleteSessionsIdleSince = %d, want 2", n)
	}
	for i, c := range sessions {
		_, err := s.Session(ctx, fmt.Sprintf("cust-%d", i), c.id)
		switch {
		case c.deleted && !errors.Is(err, store.ErrNotFound):
			t.Errorf("%s: Session %v, want store.ErrNotFound", c.id, err)
		case !c.deleted && err != nil:
			t.Errorf("%s: Session %v, want kept", c.id, err)
		}
	}
	// Nothing is left to delete: the count is of rows deleted, not matched
	// once.
	if n, err := s.DeleteSessionsIdleSince(ctx, cutoff); err != nil || n != 0 {
		t.Errorf("second DeleteSessionsIdleSince = %d, %v; want 0, nil", n, err)
	}
}

func testDeleteUnsavedLogins(t *testing.T, s store.Store) {
	ctx := t.Context()
	cutoff := at(0)
	logins := []struct {
		id      string
		saved   bool
		updated time.Time
		session bool // a session references the login
		deleted bool
	}{
		{"login-unsaved-old", false, at(-time.Hour), false, true},
		{"login-unsaved-micro-before", false, at(-time.Microsecond), false, true},
		// A conversation still uses it: deleting would lose the card it
		// is about to become.
		{"login-unsaved-old-in-use", false, at(-time.Hour), true, false},
		{"login-saved-old", true, at(-time.Hour), false, false},
		{"login-unsaved-at", false, at(0), false, false},
		{"login-unsaved-new", false, at(time.Hour), false, false},
	}
	for i, c := range logins {
		l := minimalLogin("cust-1", c.id, fmt.Sprintf("user-%d", i))
		l.Saved = c.saved
		l.CreatedAt = at(-2 * time.Hour)
		l.UpdatedAt = c.updated
		mustCreateLogin(t, s, l)
		if c.session {
			sess := minimalSession("cust-1", "sess-of-"+c.id)
			sess.LoginID = c.id
			sess.UpdatedAt = at(time.Hour)
			mustCreateSession(t, s, sess)
		}
	}

	n, err := s.DeleteUnsavedLogins(ctx, cutoff)
	if err != nil {
		t.Fatalf("DeleteUnsavedLogins: %v", err)
	}
	if n != 2 {
		t.Errorf("DeleteUnsavedLogins = %d, want 2", n)
	}
	for _, c := range logins {
		_, err := s.Login(ctx, "cust-1", c.id)
		switch {
		case c.deleted && !errors.Is(err, store.ErrNotFound):
			t.Errorf("%s: Login %v, want store.ErrNotFound", c.id, err)
		case !c.deleted && err != nil:
			t.Errorf("%s: Login %v, want kept", c.id, err)
		}
	}
	// The sweep of logins leaves sessions alone.
	if _, err := s.Session(ctx, "cust-1", "sess-of-login-unsaved-old-in-use"); err != nil {
		t.Errorf("session of a kept login: %v", err)
	}

	// Once its session is gone, the login in use is swept too.
	if n, err := s.DeleteSessionsIdleSince(ctx, at(2*time.Hour)); err != nil || n != 1 {
		t.Fatalf("DeleteSessionsIdleSince = %d, %v; want 1, nil", n, err)
	}
	if n, err := s.DeleteUnsavedLogins(ctx, cutoff); err != nil || n != 1 {
		t.Errorf("DeleteUnsavedLogins after its session went = %d, %v; want 1, nil", n, err)
	}
	if _, err := s.Login(ctx, "cust-1", "login-unsaved-old-in-use"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Login no longer in use: %v, want store.ErrNotFound", err)
	}
}

func mustCreateSession(t *testing.T, s store.Store, sess *store.Session) {
	t.Helper()
	if err := s.CreateSession(t.Context(), sess); err != nil {
		t.Fatalf("CreateSession %s: %v", sess.ID, err)
	}
}

func mustCreateLogin(t *testing.T, s store.Store, l *store.Login) {
	t.Helper()
	if err := s.CreateLogin(t.Context(), l); err != nil {
		t.Fatalf("CreateLogin %s: %v", l.ID, err)
	}
}

// checkSession reports every field of got that differs from want.
func checkSession(t *testing.T, got, want *store.Session) {
	t.Helper()
	for _, d := range diffSession(got, want) {
		t.Errorf("Session %s: %s", want.ID, d)
	}
}

func diffSession(got, want *store.Session) []string {
	var d diffs
	d.str("ID", got.ID, want.ID)
	d.str("CustomerID", got.CustomerID, want.CustomerID)
	d.str("LoginID", got.LoginID, want.LoginID)
	d.str("Institution", got.Institution, want.Institution)
	d.str("Username", got.Username, want.Username)
	d.str("Language", got.Language, want.Language)
	d.str("Tag", got.Tag, want.Tag)
	d.str("Mode", got.Mode, want.Mode)
	d.eq("Save", got.Save, want.Save)
	d.eq("ScheduleRefresh", got.ScheduleRefresh, want.ScheduleRefresh)
	d.str("State", got.State, want.State)
	d.eq("Attempts", got.Attempts, want.Attempts)
	d.str("Fetch", got.Fetch, want.Fetch)
	d.str("FetchCode", got.FetchCode, want.FetchCode)
	d.bytes("Requests", got.Requests, want.Requests)
	d.time("BusyUntil", got.BusyUntil, want.BusyUntil)
	d.eq("Version", got.Version, want.Version)
	d.time("CreatedAt", got.CreatedAt, want.CreatedAt)
	d.time("UpdatedAt", got.UpdatedAt, want.UpdatedAt)
	d.bytes("Sealed", got.Sealed, want.Sealed)
	return d
}

// checkLogin reports every field of got that differs from want; how names
// the read that returned got.
func checkLogin(t *testing.T, how string, got, want *store.Login) {
	t.Helper()
	var d diffs
	d.str("ID", got.ID, want.ID)
	d.str("CustomerID", got.CustomerID, want.CustomerID)
	d.str("Institution", got.Institution, want.Institution)
	d.str("Username", got.Username, want.Username)
	d.str("UsernameKey", got.UsernameKey, want.UsernameKey)
	d.str("Language", got.Language, want.Language)
	d.eq("Saved", got.Saved, want.Saved)
	d.eq("ScheduledRefresh", got.ScheduledRefresh, want.ScheduledRefresh)
	d.str("Type", got.Type, want.Type)
	d.time("LastRefresh", got.LastRefresh, want.LastRefresh)
	d.str("LastRefreshCode", got.LastRefreshCode, want.LastRefreshCode)
	d.eq("Version", got.Version, want.Version)
	d.time("CreatedAt", got.CreatedAt, want.CreatedAt)
	d.time("UpdatedAt", got.UpdatedAt, want.UpdatedAt)
	d.bytes("Sealed", got.Sealed, want.Sealed)
	d.bytes("DataKey", got.DataKey, want.DataKey)
	d.time("LastAttempt", got.LastAttempt, want.LastAttempt)
	d.eq("TwoStep", got.TwoStep, want.TwoStep)
	d.time("LastCached", got.LastCached, want.LastCached)
	for _, msg := range d {
		t.Errorf("%s %s: %s", how, want.ID, msg)
	}
}

// diffs collects field differences as readable messages.
type diffs []string

func (d *diffs) str(field, got, want string) {
	if got != want {
		*d = append(*d, fmt.Sprintf("%s = %q, want %q", field, got, want))
	}
}

func (d *diffs) eq(field string, got, want any) {
	if got != want {
		*d = append(*d, fmt.Sprintf("%s = %v, want %v", field, got, want))
	}
}

// time requires the same instant, in UTC, and a zero time to stay zero (not
// to come back as the Unix epoch).
func (d *diffs) time(field string, got, want time.Time) {
	switch {
	case want.IsZero() && !got.IsZero():
		*d = append(*d, fmt.Sprintf("%s = %v, want the zero time", field, got))
	case !got.Equal(want):
		*d = append(*d, fmt.Sprintf("%s = %v, want %v", field, got, want.UTC()))
	case !got.IsZero() && got.Location() != time.UTC:
		*d = append(*d, fmt.Sprintf("%s is in %v, want UTC", field, got.Location()))
	}
}

// bytes requires equal contents, and nil to stay nil: a nil Sealed means
// "nothing kept", which callers test for.
func (d *diffs) bytes(field string, got, want []byte) {
	switch {
	case want == nil && got != nil:
		*d = append(*d, fmt.Sprintf("%s = %q, want nil", field, got))
	case want != nil && got == nil && len(want) > 0:
		*d = append(*d, fmt.Sprintf("%s = nil, want %d bytes", field, len(want)))
	case !bytes.Equal(got, want):
		*d = append(*d, fmt.Sprintf("%s = %q, want %q", field, got, want))
	}
}

// day returns the calendar day n days after 2025-03-01, at midnight UTC: the
// form of a transaction's Date.
func day(n int) time.Time { return time.Date(2025, time.March, 1+n, 0, 0, 0, 0, time.UTC) }

func cents(c connector.Cents) *connector.Cents { return &c }

// snapshotFixture returns a snapshot exercising every field: every balance
// set, unset, and set to zero; accounts with transactions, with none (an
// empty slice) and with one; transactions of the same day, an empty
// description, text beyond ASCII and a NUL byte, extreme amounts. Every
// value differs from the others of its kind, so that a store mixing up two
// columns shows a difference. The transactions, newest first:
//
//	acc-chq   chq-6 (day 9), chq-5 (8), chq-4 (8), chq-3 (5), chq-2 (2), chq-1 (0)
//	acc-card  card-3 (9), card-2 (4), card-1 (1)
//	acc-loan  none
//	acc-sav   sav-1 (3)
func snapshotFixture() *connector.Snapshot {
	tx := func(id string, d int, desc string, debit, credit, balance connector.Cents) connector.Transaction {
		return connector.Transaction{ID: id, Date: day(d), Description: desc, Debit: debit, Credit: credit, Balance: balance}
	}
	return &connector.Snapshot{
		Holder: connector.Holder{
			Name:        "Jöhn Doe",
			Email:       "john.doe@example.com",
			PhoneNumber: "+1 514-555-0123",
			Address: connector.Address{
				CivicAddress: "1000 rue De La Gauchetière O.",
				City:         "Montréal",
				Province:     "QC",
				PostalCode:   "H3B 5E8",
				POBox:        "CP 6000",
				Country:      "CA",
			},
		},
		Accounts: []connector.Account{
			{
				ID: "acc-chq", Title: "Compte chèques", Category: "Operations", Type: "Chequing",
				Currency: "CAD", AccountType: "Personal", AccountNumber: "1111000",
				TransitNumber: "77777", InstitutionNumber: "777",
				// A zero limit is known to be zero: it must not come back nil.
				Current: cents(-12_34), Available: cents(487_66), Limit: cents(0), OverdraftLimit: cents(500_00),
				Transactions: []connector.Transaction{
					tx("chq-6", 9, "PAYROLL DEPOSIT ACME", 0, 2_500_00, -12_34),
					tx("chq-5", 8, "Café Dépôt — 5 $ 🍩", 5_00, 0, -2_512_34),
					tx("chq-4", 8, "", 1, 0, -2_507_34),
					tx("chq-3", 5, "NUL\x00BYTE", 0, 9_223_372_036_854_775_807, -2_507_33),
					tx("chq-2", 2, "BILL PAYMENT HYDRO", 77_77, 0, -9_223_372_036_854_775_808),
					tx("chq-1", 0, "INTERAC E-TRANSFER", 0, 1_00, 11_11),
				},
			},
			{
				ID: "acc-card", Title: "Visa Infinite", Category: "Credits", Type: "CreditCard",
				Currency: "CAD", AccountType: "Personal", AccountNumber: "4500123412341234",
				TransitNumber: "00011", InstitutionNumber: "001",
				Current: cents(-1_234_56), Available: cents(8_765_44), Limit: cents(10_000_00),
				// The bank's categories on one account only: a snapshot
				// holds blobs of both formats.
				Transactions: []connector.Transaction{
					withCategory(tx("card-3", 9, "AMAZON.CA MKTP", 42_00, 0, -1_234_56), "Shopping"),
					tx("card-2", 4, "PAYMENT - THANK YOU", 0, 300_00, -1_192_56),
					tx("card-1", 1, "TIM HORTONS #1234", 2_15, 0, -1_492_56),
				},
			},
			{
				ID: "acc-loan", Title: "Prêt personnel", Category: "Products", Type: "Loan",
				Currency: "USD", AccountType: "Business", AccountNumber: "990011",
				TransitNumber: "12345", InstitutionNumber: "815",
				// A loan has no limit nor available amount.
				Current:      cents(-15_000_00),
				Transactions: []connector.Transaction{},
			},
			{
				ID: "acc-sav", Title: "Épargne", Category: "Operations", Type: "Savings",
				Currency: "CAD", AccountType: "Personal", AccountNumber: "2222000",
				TransitNumber: "77778", InstitutionNumber: "778",
				// Nothing known of the balances.
				Transactions: []connector.Transaction{
					tx("sav-1", 3, "INTEREST", 0, 3, 1_000_03),
				},
			},
		},
	}
}

// withCategory is t with the bank's category c.
func withCategory(t connector.Transaction, c string) connector.Transaction {
	t.Category = c
	return t
}

// accountPick names an account of a snapshot and the transactions of it
// that a read should return, in order.
type accountPick struct {
	id  string
	txs []string
}

func pick(id string, txs ...string) accountPick { return accountPick{id, txs} }

// picked returns what a read of snap selecting picks returns: snap's holder
// and the picked accounts, each with only the picked transactions (nil when
// none).
func picked(t *testing.T, snap *connector.Snapshot, picks ...accountPick) *connector.Snapshot {
	t.Helper()
	out := &connector.Snapshot{Holder: snap.Holder}
	for _, p := range picks {
		i := slices.IndexFunc(snap.Accounts, func(a connector.Account) bool { return a.ID == p.id })
		if i < 0 {
			t.Fatalf("fixture has no account %s", p.id)
		}
		a := snap.Accounts[i]
		a.Transactions = nil
		for _, id := range p.txs {
			j := slices.IndexFunc(snap.Accounts[i].Transactions, func(tx connector.Transaction) bool { return tx.ID == id })
			if j < 0 {
				t.Fatalf("fixture account %s has no transaction %s", p.id, id)
			}
			a.Transactions = append(a.Transactions, snap.Accounts[i].Transactions[j])
		}
		out.Accounts = append(out.Accounts, a)
	}
	return out
}

// allOfFixture picks everything of snapshotFixture.
func allOfFixture() []accountPick {
	return []accountPick{
		pick("acc-chq", "chq-6", "chq-5", "chq-4", "chq-3", "chq-2", "chq-1"),
		pick("acc-card", "card-3", "card-2", "card-1"),
		pick("acc-loan"),
		pick("acc-sav", "sav-1"),
	}
}

func mustPutSnapshot(t *testing.T, q store.Queries, customerID, loginID string, fetchedAt time.Time, snap *connector.Snapshot) {
	t.Helper()
	if err := q.PutSnapshot(t.Context(), customerID, loginID, fetchedAt, snap); err != nil {
		t.Fatalf("PutSnapshot %s: %v", loginID, err)
	}
}

// checkStoredSnapshot reads the snapshot of loginID with sq and reports how
// it differs from want fetched at fetchedAt.
func checkStoredSnapshot(t *testing.T, q store.Queries, customerID, loginID string, sq store.SnapshotQuery, want *connector.Snapshot, fetchedAt time.Time) {
	t.Helper()
	got, gotAt, err := q.Snapshot(t.Context(), customerID, loginID, sq)
	if err != nil {
		t.Fatalf("Snapshot %s: %v", loginID, err)
	}
	var d diffs
	d.time("fetched at", gotAt, fetchedAt)
	for _, msg := range append(d, diffSnapshot(got, want)...) {
		t.Errorf("Snapshot %s: %s", loginID, msg)
	}
}

func testSnapshotRoundTrip(t *testing.T, s store.Store) {
	mustCreateLogin(t, s, fullLogin("cust-1", "login-1", "greatday"))
	mustCreateLogin(t, s, minimalLogin("cust-1", "login-empty", "greatday_nomfa"))

	fixture := snapshotFixture()
	// fetchedAt is not in UTC (base): it must come back in UTC.
	mustPutSnapshot(t, s, "cust-1", "login-1", at(0), fixture)
	// The store keeps no reference to the caller's snapshot: changing it
	// afterwards changes nothing stored.
	want := picked(t, snapshotFixture(), allOfFixture()...)
	fixture.Holder.Name = "changed"
	fixture.Accounts[0].Transactions[0].Description = "changed"
	*fixture.Accounts[0].Current = 1
	checkStoredSnapshot(t, s, "cust-1", "login-1", store.SnapshotQuery{}, want, at(0))

	// A snapshot of nothing is still a snapshot: the login was fetched.
	mustPutSnapshot(t, s, "cust-1", "login-empty", at(time.Minute), &connector.Snapshot{})
	checkStoredSnapshot(t, s, "cust-1", "login-empty", store.SnapshotQuery{}, &connector.Snapshot{}, at(time.Minute))
	checkStoredSnapshot(t, s, "cust-1", "login-empty", store.SnapshotQuery{NoTransactions: true}, &connector.Snapshot{}, at(time.Minute))
}

func testSnapshotQuery(t *testing.T, s store.Store) {
	mustCreateLogin(t, s, minimalLogin("cust-1", "login-1", "greatday"))
	fixture := snapshotFixture()
	mustPutSnapshot(t, s, "cust-1", "login-1", at(0), fixture)
	est := time.FixedZone("EST", -5*60*60)
	// The accounts of the fixture without transactions.
	bare := []accountPick{pick("acc-chq"), pick("acc-card"), pick("acc-loan"), pick("acc-sav")}

	tests := []struct {
		name string
		q    store.SnapshotQuery
		want []accountPick
	}{
		{"zero query reads everything", store.SnapshotQuery{}, allOfFixture()},

		// Windows: calendar days, both ends included.
		{"From and To inclusive", store.SnapshotQuery{From: day(5), To: day(8)}, []accountPick{
			pick("acc-chq", "chq-5", "chq-4", "chq-3"), pick("acc-card"), pick("acc-loan"), pick("acc-sav"),
		}},
		{"From only", store.SnapshotQuery{From: day(8)}, []accountPick{
			pick("acc-chq", "chq-6", "chq-5", "chq-4"), pick("acc-card", "card-3"), pick("acc-loan"), pick("acc-sav"),
		}},
		{"To only", store.SnapshotQuery{To: day(2)}, []accountPick{
			pick("acc-chq", "chq-2", "chq-1"), pick("acc-card", "card-1"), pick("acc-loan"), pick("acc-sav"),
		}},
		{"one day", store.SnapshotQuery{From: day(8), To: day(8)}, []accountPick{
			pick("acc-chq", "chq-5", "chq-4"), pick("acc-card"), pick("acc-loan"), pick("acc-sav"),
		}},
		// From late in its day and To early in its day still include
		// their whole days: 90 days back from now includes all of the
		// 90th day.
		{"times of day", store.SnapshotQuery{From: day(5).Add(23*time.Hour + 59*time.Minute), To: day(8).Add(time.Hour)}, []accountPick{
			pick("acc-chq", "chq-5", "chq-4", "chq-3"), pick("acc-card"), pick("acc-loan"), pick("acc-sav"),
		}},
		// From is day 6 in UTC (day 5 in EST), To day 9 in UTC (day 8 in
		// EST): days are UTC's, like the transactions'.
		{"calendar days in UTC", store.SnapshotQuery{From: day(6).Add(time.Hour).In(est), To: day(9).Add(2 * time.Hour).In(est)}, []accountPick{
			pick("acc-chq", "chq-6", "chq-5", "chq-4"), pick("acc-card", "card-3"), pick("acc-loan"), pick("acc-sav"),
		}},
		{"From after To", store.SnapshotQuery{From: day(9), To: day(0)}, bare},
		{"window before every transaction", store.SnapshotQuery{To: day(-1)}, bare},

		// AccountsFilter.
		{"Accounts in the stored order", store.SnapshotQuery{Accounts: []string{"acc-sav", "acc-chq"}}, []accountPick{
			pick("acc-chq", "chq-6", "chq-5", "chq-4", "chq-3", "chq-2", "chq-1"), pick("acc-sav", "sav-1"),
		}},
		{"unknown and repeated Accounts", store.SnapshotQuery{Accounts: []string{"acc-nope", "acc-card", "acc-card"}}, []accountPick{
			pick("acc-card", "card-3", "card-2", "card-1"),
		}},
		{"only unknown Accounts", store.SnapshotQuery{Accounts: []string{"acc-nope"}}, nil},
		{"empty Accounts reads all", store.SnapshotQuery{Accounts: []string{}}, allOfFixture()},
		{"Accounts and a window", store.SnapshotQuery{Accounts: []string{"acc-card"}, From: day(4)}, []accountPick{
			pick("acc-card", "card-3", "card-2"),
		}},

		// RefreshDelta: newer means listed before.
		{"After", store.SnapshotQuery{After: map[string]string{"acc-chq": "chq-4"}}, []accountPick{
			pick("acc-chq", "chq-6", "chq-5"), pick("acc-card", "card-3", "card-2", "card-1"), pick("acc-loan"), pick("acc-sav", "sav-1"),
		}},
		{"After the newest and the oldest", store.SnapshotQuery{After: map[string]string{"acc-chq": "chq-6", "acc-card": "card-1"}}, []accountPick{
			pick("acc-chq"), pick("acc-card", "card-3", "card-2"), pick("acc-loan"), pick("acc-sav", "sav-1"),
		}},
		// A transaction the snapshot no longer holds: all of the account.
		{"After an unknown transaction", store.SnapshotQuery{After: map[string]string{"acc-chq": "chq-gone"}}, allOfFixture()},
		{"After a transaction of another account", store.SnapshotQuery{After: map[string]string{"acc-card": "chq-4"}}, allOfFixture()},
		{"After of an unknown account", store.SnapshotQuery{After: map[string]string{"acc-nope": "chq-4"}}, allOfFixture()},
		{"After and a window", store.SnapshotQuery{After: map[string]string{"acc-chq": "chq-2"}, To: day(8)}, []accountPick{
			pick("acc-chq", "chq-5", "chq-4", "chq-3"), pick("acc-card", "card-2", "card-1"), pick("acc-loan"), pick("acc-sav", "sav-1"),
		}},
		{"After older than the window", store.SnapshotQuery{After: map[string]string{"acc-chq": "chq-1"}, From: day(8)}, []accountPick{
			pick("acc-chq", "chq-6", "chq-5", "chq-4"), pick("acc-card", "card-3"), pick("acc-loan"), pick("acc-sav"),
		}},
		{"After, Accounts and a window", store.SnapshotQuery{
			Accounts: []string{"acc-chq"}, After: map[string]string{"acc-chq": "chq-6"}, From: day(2),
		}, []accountPick{pick("acc-chq")}},

		// Accounts alone, with their balances.
		{"NoTransactions", store.SnapshotQuery{NoTransactions: true}, bare},
		{"NoTransactions with the other fields", store.SnapshotQuery{
			NoTransactions: true, Accounts: []string{"acc-card"}, From: day(0), After: map[string]string{"acc-card": "card-1"},
		}, []accountPick{pick("acc-card")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkStoredSnapshot(t, s, "cust-1", "login-1", tc.q, picked(t, fixture, tc.want...), at(0))
		})
	}
}

// testSessionView checks that SessionView reads a session with its login
// and the version of the login's snapshot; that every PutSnapshot gives the
// snapshot a version no snapshot had, even at the same fetch time; and that
// the view is the customer's only.
func testSessionView(t *testing.T, s store.Store) {
	ctx := t.Context()
	login := fullLogin("cust-1", "login-1", "greatday")
	mustCreateLogin(t, s, login)
	mustCreateLogin(t, s, minimalLogin("cust-1", "login-2", "greatday_nomfa"))
	sess := fullSession("cust-1", "sess-1", "login-1")
	mustCreateSession(t, s, sess)
	other := fullSession("cust-1", "sess-2", "login-2")
	mustCreateSession(t, s, other)
	mustCreateSession(t, s, minimalSession("cust-1", "sess-no-login"))

	v, err := s.SessionView(ctx, "cust-1", "sess-1")
	if err != nil {
		t.Fatalf("SessionView: %v", err)
	}
	checkSession(t, v.Session, sess)
	checkLogin(t, "SessionView", v.Login, login)
	if v.HasSnapshot {
		t.Errorf("SessionView before any snapshot: HasSnapshot, version %d", v.SnapshotVersion)
	}
	for _, tc := range []struct{ name, customer, session string }{
		{"unknown session", "cust-1", "sess-nope"},
		{"another customer's session", "cust-2", "sess-1"},
		{"session without a login", "cust-1", "sess-no-login"},
	} {
		if v, err := s.SessionView(ctx, tc.customer, tc.session); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("SessionView of a %s: %+v, %v; want ErrNotFound", tc.name, v, err)
		}
	}

	seen := map[int64]string{}
	version := func(q store.Queries, session, when string) int64 {
		t.Helper()
		v, err := q.SessionView(ctx, "cust-1", session)
		if err != nil {
			t.Fatalf("SessionView %s %s: %v", session, when, err)
		}
		if !v.HasSnapshot {
			t.Fatalf("SessionView %s %s: no snapshot", session, when)
		}
		if prev, dup := seen[v.SnapshotVersion]; dup {
			t.Errorf("%s %s has version %d, as %s had", session, when, v.SnapshotVersion, prev)
		}
		seen[v.SnapshotVersion] = session + " " + when
		return v.SnapshotVersion
	}
	mustPutSnapshot(t, s, "cust-1", "login-1", at(0), snapshotFixture())
	first := version(s, "sess-1", "first")
	mustPutSnapshot(t, s, "cust-1", "login-2", at(0), snapshotFixture())
	version(s, "sess-2", "first")
	// The same fetch time again, as under a frozen clock.
	mustPutSnapshot(t, s, "cust-1", "login-1", at(0), &connector.Snapshot{})
	version(s, "sess-1", "second")
	err = s.InTx(ctx, func(q store.Queries) error {
		mustPutSnapshot(t, q, "cust-1", "login-1", at(time.Minute), snapshotFixture())
		if v := version(q, "sess-1", "in the transaction that replaced it"); v == first {
			t.Errorf("in the transaction that replaced it, the version is still %d", v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.ReadTx(ctx, func(q store.Queries) error {
		_, err := q.SessionView(ctx, "cust-1", "sess-1")
		return err
	})
	if err != nil {
		t.Errorf("SessionView in a read transaction: %v", err)
	}

	if err := s.DeleteLogin(ctx, "cust-1", "login-1"); err != nil {
		t.Fatal(err)
	}
	if v, err := s.SessionView(ctx, "cust-1", "sess-1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SessionView after DeleteLogin: %+v, %v; want ErrNotFound", v, err)
	}
}

// testSessionLogins checks that SessionLogins finds the customer's
// sessions among the ids, with their logins, in any number.
func testSessionLogins(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreateLogin(t, s, minimalLogin("cust-1", "login-1", "greatday"))
	mustCreateSession(t, s, fullSession("cust-1", "sess-1", "login-1"))
	mustCreateSession(t, s, minimalSession("cust-1", "sess-2"))
	mustCreateSession(t, s, minimalSession("cust-2", "sess-3"))
	ids := []string{"sess-1", "sess-2", "sess-3", "sess-nope"}
	for i := range 1200 { // more than one statement's parameters on SQLite
		ids = append(ids, fmt.Sprintf("absent-%d", i))
	}
	got, err := s.SessionLogins(ctx, "cust-1", ids)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"sess-1": "login-1", "sess-2": ""}
	if !maps.Equal(got, want) {
		t.Errorf("SessionLogins = %v, want %v", got, want)
	}
	if got, err := s.SessionLogins(ctx, "cust-1", nil); err != nil || len(got) != 0 {
		t.Errorf("SessionLogins of no ids = %v, %v", got, err)
	}
	err = s.ReadTx(ctx, func(q store.Queries) error {
		got, err := q.SessionLogins(ctx, "cust-1", []string{"sess-1"})
		if err == nil && got["sess-1"] != "login-1" {
			t.Errorf("SessionLogins in a read transaction = %v", got)
		}
		return err
	})
	if err != nil {
		t.Error(err)
	}
}

func testPutSnapshotReplaces(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreateLogin(t, s, minimalLogin("cust-1", "login-1", "greatday"))
	mustPutSnapshot(t, s, "cust-1", "login-1", at(0), snapshotFixture())

	// The next fetch: a holder with fewer fields, two accounts gone, one
	// changed, one new.
	next := &connector.Snapshot{
		Holder: connector.Holder{Name: "John Doe"},
		Accounts: []connector.Account{
			{
				ID: "acc-new", Title: "New", Category: "Other", Type: "Unknown", Currency: "CAD",
				AccountType: "Personal", AccountNumber: "3", TransitNumber: "33333", InstitutionNumber: "333",
				Current: cents(3),
			},
			{
				ID: "acc-sav", Title: "Savings", Category: "Operations", Type: "Savings", Currency: "CAD",
				AccountType: "Personal", AccountNumber: "2222000", TransitNumber: "77778", InstitutionNumber: "778",
				Current: cents(1_000_05), Available: cents(1_000_05),
				Transactions: []connector.Transaction{
					{ID: "sav-2", Date: day(10), Description: "INTEREST", Credit: 2, Balance: 1_000_05},
					{ID: "sav-1", Date: day(3), Description: "INTEREST", Credit: 3, Balance: 1_000_03},
				},
			},
		},
	}
	mustPutSnapshot(t, s, "cust-1", "login-1", at(time.Hour), next)
	checkStoredSnapshot(t, s, "cust-1", "login-1", store.SnapshotQuery{}, next, at(time.Hour))
	// Nothing of the removed accounts is left to find.
	checkStoredSnapshot(t, s, "cust-1", "login-1", store.SnapshotQuery{Accounts: []string{"acc-chq", "acc-card", "acc-loan"}},
		&connector.Snapshot{Holder: next.Holder}, at(time.Hour))

	// Two accounts with one ID make AccountsFilter and RefreshDelta
	// ambiguous: refused, and the stored snapshot stays.
	dup := &connector.Snapshot{Accounts: []connector.Account{{ID: "acc-1"}, {ID: "acc-1"}}}
	if err := s.PutSnapshot(ctx, "cust-1", "login-1", at(2*time.Hour), dup); !errors.Is(err, store.ErrConflict) {
		t.Errorf("PutSnapshot with two accounts of one ID: %v, want store.ErrConflict", err)
	}
	checkStoredSnapshot(t, s, "cust-1", "login-1", store.SnapshotQuery{}, next, at(time.Hour))

	// No login, no snapshot.
	if err := s.PutSnapshot(ctx, "cust-1", "login-missing", at(0), next); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("PutSnapshot of a missing login: %v, want store.ErrNotFound", err)
	}
	if _, _, err := s.Snapshot(ctx, "cust-1", "login-missing", store.SnapshotQuery{}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Snapshot of a missing login: %v, want store.ErrNotFound", err)
	}
}

func testSnapshotScopedByCustomer(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreateLogin(t, s, minimalLogin("cust-1", "login-1", "greatday"))
	mustCreateLogin(t, s, minimalLogin("cust-1", "login-never-fetched", "greatday_nomfa"))
	mustPutSnapshot(t, s, "cust-1", "login-1", at(0), snapshotFixture())
	other := &connector.Snapshot{Holder: connector.Holder{Name: "Mallory"}}

	tests := []struct {
		name string
		call func() error
	}{
		{"Snapshot of another customer", func() error {
			_, _, err := s.Snapshot(ctx, "cust-2", "login-1", store.SnapshotQuery{})
			return err
		}},
		{"Snapshot of another customer, NoTransactions", func() error {
			_, _, err := s.Snapshot(ctx, "cust-2", "login-1", store.SnapshotQuery{NoTransactions: true})
			return err
		}},
		{"Snapshot of a login never fetched", func() error {
			_, _, err := s.Snapshot(ctx, "cust-1", "login-never-fetched", store.SnapshotQuery{})
			return err
		}},
		{"Snapshot unknown login", func() error {
			_, _, err := s.Snapshot(ctx, "cust-1", "login-2", store.SnapshotQuery{})
			return err
		}},
		{"PutSnapshot of another customer", func() error { return s.PutSnapshot(ctx, "cust-2", "login-1", at(time.Hour), other) }},
		{"DeleteLogin of another customer", func() error { return s.DeleteLogin(ctx, "cust-2", "login-1") }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("error %v, want store.ErrNotFound", err)
			}
		})
	}
	// The owner's login and snapshot are untouched.
	if _, err := s.Login(ctx, "cust-1", "login-1"); err != nil {
		t.Errorf("Login of its customer: %v", err)
	}
	checkStoredSnapshot(t, s, "cust-1", "login-1", store.SnapshotQuery{}, picked(t, snapshotFixture(), allOfFixture()...), at(0))
}

// testDeleteLogin checks DeleteCard's promise: nothing of the login is left,
// and nothing of another login goes with it.
func testDeleteLogin(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreateLogin(t, s, fullLogin("cust-1", "login-1", "greatday"))
	mustCreateLogin(t, s, fullLogin("cust-1", "login-2", "greatday_nomfa"))
	mustCreateSession(t, s, fullSession("cust-1", "sess-1a", "login-1"))
	mustCreateSession(t, s, fullSession("cust-1", "sess-1b", "login-1"))
	mustCreateSession(t, s, fullSession("cust-1", "sess-2", "login-2"))
	mustCreateSession(t, s, minimalSession("cust-1", "sess-no-login"))
	mustPutSnapshot(t, s, "cust-1", "login-1", at(0), snapshotFixture())
	mustPutSnapshot(t, s, "cust-1", "login-2", at(time.Minute), snapshotFixture())

	if err := s.DeleteLogin(ctx, "cust-1", "login-1"); err != nil {
		t.Fatalf("DeleteLogin: %v", err)
	}
	if _, err := s.Login(ctx, "cust-1", "login-1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Login after DeleteLogin: %v, want store.ErrNotFound", err)
	}
	if _, err := s.LoginByUsername(ctx, "cust-1", "FlinksCapital", "greatday"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LoginByUsername after DeleteLogin: %v, want store.ErrNotFound", err)
	}
	for _, id := range []string{"sess-1a", "sess-1b"} {
		if _, err := s.Session(ctx, "cust-1", id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Session %s of the deleted login: %v, want store.ErrNotFound", id, err)
		}
	}
	for _, q := range []store.SnapshotQuery{{}, {NoTransactions: true}} {
		if _, _, err := s.Snapshot(ctx, "cust-1", "login-1", q); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Snapshot (%+v) of the deleted login: %v, want store.ErrNotFound", q, err)
		}
	}
	if err := s.PutSnapshot(ctx, "cust-1", "login-1", at(time.Hour), snapshotFixture()); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("PutSnapshot of the deleted login: %v, want store.ErrNotFound", err)
	}

	// The other login keeps everything; a session without login too.
	if _, err := s.Login(ctx, "cust-1", "login-2"); err != nil {
		t.Errorf("Login of the other login: %v", err)
	}
	for _, id := range []string{"sess-2", "sess-no-login"} {
		if _, err := s.Session(ctx, "cust-1", id); err != nil {
			t.Errorf("Session %s: %v", id, err)
		}
	}
	checkStoredSnapshot(t, s, "cust-1", "login-2", store.SnapshotQuery{}, picked(t, snapshotFixture(), allOfFixture()...), at(time.Minute))

	// Deleting again finds nothing.
	if err := s.DeleteLogin(ctx, "cust-1", "login-1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second DeleteLogin: %v, want store.ErrNotFound", err)
	}
	// The card can be added again, and starts with no snapshot: nothing of
	// the deleted one comes back.
	mustCreateLogin(t, s, fullLogin("cust-1", "login-1", "greatday"))
	if _, _, err := s.Snapshot(ctx, "cust-1", "login-1", store.SnapshotQuery{}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Snapshot of a login created again: %v, want store.ErrNotFound", err)
	}
}

// versionedSnapshot returns a snapshot whose every value carries tag, with
// accounts accounts of txs transactions: two of them share no value.
func versionedSnapshot(tag string, accounts, txs int) *connector.Snapshot {
	snap := &connector.Snapshot{Holder: connector.Holder{
		Name: "holder " + tag, Email: tag + "@example.com", PhoneNumber: tag,
		Address: connector.Address{CivicAddress: tag, City: tag, Province: tag, PostalCode: tag, POBox: tag, Country: tag},
	}}
	for i := range accounts {
		a := connector.Account{
			ID: fmt.Sprintf("acc-%s-%d", tag, i), Title: tag, Category: tag, Type: tag, Currency: tag,
			AccountType: tag, AccountNumber: tag, TransitNumber: tag, InstitutionNumber: tag,
			Current: cents(connector.Cents(len(tag) + i)),
		}
		for j := range txs {
			a.Transactions = append(a.Transactions, connector.Transaction{
				ID: fmt.Sprintf("tx-%s-%d-%d", tag, i, j), Date: day(-j / 2),
				Description: fmt.Sprintf("%s description %d", tag, j), Debit: connector.Cents(j), Balance: connector.Cents(i),
			})
		}
		snap.Accounts = append(snap.Accounts, a)
	}
	return snap
}

// testSnapshotConcurrentReads reads a snapshot while it is being replaced
// back and forth: every read must return one of the two whole, never a mix
// (accounts of one and holder or transactions of the other, some accounts
// missing, the fetch time of the other).
func testSnapshotConcurrentReads(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreateLogin(t, s, minimalLogin("cust-1", "login-1", "greatday"))
	versions := []*connector.Snapshot{versionedSnapshot("old", 3, 120), versionedSnapshot("new", 4, 90)}
	fetched := []time.Time{at(0), at(time.Hour)}
	mustPutSnapshot(t, s, "cust-1", "login-1", fetched[0], versions[0])

	const readers = 4
	var (
		reads atomic.Int64
		done  = make(chan struct{})
		wg    sync.WaitGroup
	)
	for range readers {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				got, gotAt, err := s.Snapshot(ctx, "cust-1", "login-1", store.SnapshotQuery{})
				if err != nil {
					t.Errorf("Snapshot during PutSnapshot: %v", err)
					return
				}
				reads.Add(1)
				match := false
				for i, v := range versions {
					if gotAt.Equal(fetched[i]) && len(diffSnapshot(got, v)) == 0 {
						match = true
					}
				}
				if !match {
					t.Errorf("Snapshot during PutSnapshot read a mix: fetched at %v, holder %q, %d accounts; differences from the old: %q",
						gotAt, got.Holder.Name, len(got.Accounts), diffSnapshot(got, versions[0]))
					return
				}
			}
		})
	}
	// Writes until the readers have read enough, within a deadline, or
	// one of them failed.
	deadline := time.Now().Add(10 * time.Second)
	for i := 1; (i < 20 || reads.Load() < 100) && !t.Failed(); i++ {
		if time.Now().After(deadline) {
			break
		}
		if err := s.PutSnapshot(ctx, "cust-1", "login-1", fetched[i%2], versions[i%2]); err != nil {
			t.Errorf("PutSnapshot: %v", err)
			break
		}
	}
	close(done)
	wg.Wait()
	if reads.Load() == 0 {
		t.Errorf("no read completed while PutSnapshot ran")
	}
}

func testSnapshotInTx(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreateLogin(t, s, minimalLogin("cust-1", "login-1", "greatday"))
	old := picked(t, snapshotFixture(), allOfFixture()...)
	mustPutSnapshot(t, s, "cust-1", "login-1", at(0), snapshotFixture())
	next := versionedSnapshot("next", 2, 5)

	// Rolled back: a replacement, and a deletion.
	err := s.InTx(ctx, func(q store.Queries) error {
		mustPutSnapshot(t, q, "cust-1", "login-1", at(time.Hour), next)
		// The transaction reads its own write.
		checkStoredSnapshot(t, q, "cust-1", "login-1", store.SnapshotQuery{}, next, at(time.Hour))
		return errAbort
	})
	if !errors.Is(err, errAbort) {
		t.Fatalf("InTx: %v, want the error of fn", err)
	}
	checkStoredSnapshot(t, s, "cust-1", "login-1", store.SnapshotQuery{}, old, at(0))

	err = s.InTx(ctx, func(q store.Queries) error {
		if err := q.DeleteLogin(ctx, "cust-1", "login-1"); err != nil {
			return fmt.Errorf("DeleteLogin: %w", err)
		}
		if _, _, err := q.Snapshot(ctx, "cust-1", "login-1", store.SnapshotQuery{}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Snapshot after DeleteLogin in the transaction: %v, want store.ErrNotFound", err)
		}
		return errAbort
	})
	if !errors.Is(err, errAbort) {
		t.Fatalf("InTx: %v, want the error of fn", err)
	}
	if _, err := s.Login(ctx, "cust-1", "login-1"); err != nil {
		t.Errorf("Login after a rolled back DeleteLogin: %v", err)
	}
	checkStoredSnapshot(t, s, "cust-1", "login-1", store.SnapshotQuery{}, old, at(0))

	// A failed PutSnapshot reports its error through the transaction.
	err = s.InTx(ctx, func(q store.Queries) error {
		return q.PutSnapshot(ctx, "cust-1", "login-missing", at(0), next)
	})
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("InTx returning PutSnapshot of a missing login: %v, want store.ErrNotFound", err)
	}

	// Committed, together with an update of the login, as a refresh does.
	err = s.InTx(ctx, func(q store.Queries) error {
		l, err := q.Login(ctx, "cust-1", "login-1")
		if err != nil {
			return err
		}
		l.LastRefresh = at(time.Hour)
		if err := q.UpdateLogin(ctx, l); err != nil {
			return err
		}
		return q.PutSnapshot(ctx, "cust-1", "login-1", at(time.Hour), next)
	})
	if err != nil {
		t.Fatalf("InTx: %v", err)
	}
	checkStoredSnapshot(t, s, "cust-1", "login-1", store.SnapshotQuery{}, next, at(time.Hour))
}

// diffSnapshot returns the differences of got from want, field by field.
// Transactions compare in order; want's empty Transactions mean nil.
func diffSnapshot(got, want *connector.Snapshot) []string {
	var d diffs
	d.str("Holder.Name", got.Holder.Name, want.Holder.Name)
	d.str("Holder.Email", got.Holder.Email, want.Holder.Email)
	d.str("Holder.PhoneNumber", got.Holder.PhoneNumber, want.Holder.PhoneNumber)
	ga, wa := got.Holder.Address, want.Holder.Address
	d.str("Holder.Address.CivicAddress", ga.CivicAddress, wa.CivicAddress)
	d.str("Holder.Address.City", ga.City, wa.City)
	d.str("Holder.Address.Province", ga.Province, wa.Province)
	d.str("Holder.Address.PostalCode", ga.PostalCode, wa.PostalCode)
	d.str("Holder.Address.POBox", ga.POBox, wa.POBox)
	d.str("Holder.Address.Country", ga.Country, wa.Country)
	if len(got.Accounts) != len(want.Accounts) {
		ids := func(s *connector.Snapshot) []string {
			var out []string
			for _, a := range s.Accounts {
				out = append(out, a.ID)
			}
			return out
		}
		return append(d, fmt.Sprintf("accounts %q, want %q", ids(got), ids(want)))
	}
	for i := range want.Accounts {
		g, w := &got.Accounts[i], &want.Accounts[i]
		var ad diffs
		ad.str("ID", g.ID, w.ID)
		ad.str("Title", g.Title, w.Title)
		ad.str("Category", g.Category, w.Category)
		ad.str("Type", g.Type, w.Type)
		ad.str("Currency", g.Currency, w.Currency)
		ad.str("AccountType", g.AccountType, w.AccountType)
		ad.str("AccountNumber", g.AccountNumber, w.AccountNumber)
		ad.str("TransitNumber", g.TransitNumber, w.TransitNumber)
		ad.str("InstitutionNumber", g.InstitutionNumber, w.InstitutionNumber)
		ad.cents("Current", g.Current, w.Current)
		ad.cents("Available", g.Available, w.Available)
		ad.cents("Limit", g.Limit, w.Limit)
		ad.cents("OverdraftLimit", g.OverdraftLimit, w.OverdraftLimit)
		switch {
		case len(w.Transactions) == 0 && g.Transactions != nil:
			ad = append(ad, fmt.Sprintf("Transactions = %d non-nil, want nil", len(g.Transactions)))
		case len(g.Transactions) != len(w.Transactions):
			txIDs := func(txs []connector.Transaction) []string {
				var out []string
				for _, t := range txs {
					out = append(out, t.ID)
				}
				return out
			}
			ad = append(ad, fmt.Sprintf("Transactions %q, want %q", txIDs(g.Transactions), txIDs(w.Transactions)))
		default:
			for j := range w.Transactions {
				gt, wt := &g.Transactions[j], &w.Transactions[j]
				var td diffs
				td.str("ID", gt.ID, wt.ID)
				td.time("Date", gt.Date, wt.Date)
				td.str("Description", gt.Description, wt.Description)
				td.eq("Debit", gt.Debit, wt.Debit)
				td.eq("Credit", gt.Credit, wt.Credit)
				td.eq("Balance", gt.Balance, wt.Balance)
				for _, msg := range td {
					ad = append(ad, fmt.Sprintf("transaction %d (%s): %s", j, wt.ID, msg))
				}
			}
		}
		for _, msg := range ad {
			d = append(d, fmt.Sprintf("account %d (%s): %s", i, w.ID, msg))
		}
	}
	return d
}

// cents requires nil to stay nil (not known) and a value, zero included, to
// stay that value.
func (d *diffs) cents(field string, got, want *connector.Cents) {
	switch {
	case want == nil && got != nil:
		*d = append(*d, fmt.Sprintf("%s = %v, want nil", field, *got))
	case want != nil && got == nil:
		*d = append(*d, fmt.Sprintf("%s = nil, want %v", field, *want))
	case want != nil && *got != *want:
		*d = append(*d, fmt.Sprintf("%s = %v, want %v", field, *got, *want))
	}
}

func testLoginFetching(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreateLogin(t, s, fullLogin("cust-1", "login-1", "greatday"))
	mustCreateLogin(t, s, fullLogin("cust-2", "login-2", "greatday"))
	fetching := func(customerID, loginID string) bool {
		t.Helper()
		busy, err := s.LoginFetching(ctx, customerID, loginID)
		if err != nil {
			t.Fatalf("LoginFetching(%s, %s): %v", customerID, loginID, err)
		}
		return busy
	}
	if fetching("cust-1", "login-1") {
		t.Error("a login without sessions is fetching")
	}
	// Sessions whose fetch is over, or that fetch nothing, do not count.
	for i, state := range []string{"", store.FetchDone, store.FetchFailed} {
		sess := fullSession("cust-1", fmt.Sprintf("sess-%d", i), "login-1")
		sess.Fetch = state
		mustCreateSession(t, s, sess)
	}
	if fetching("cust-1", "login-1") {
		t.Error("a login whose fetches are over is fetching")
	}
	for _, state := range []string{store.FetchPending, store.FetchDispatched} {
		sess := fullSession("cust-2", "sess-"+state, "login-2")
		sess.Fetch = state
		mustCreateSession(t, s, sess)
		if !fetching("cust-2", "login-2") {
			t.Errorf("a login with a %s fetch is not fetching", state)
		}
		// Scoped by customer: another customer's id sees nothing.
		if fetching("cust-1", "login-2") {
			t.Error("LoginFetching answers for another customer's login")
		}
		sess.Fetch = store.FetchDone
		if err := s.UpdateSession(ctx, sess); err != nil {
			t.Fatalf("UpdateSession: %v", err)
		}
		if fetching("cust-2", "login-2") {
			t.Errorf("a login whose %s fetch is done is still fetching", state)
		}
	}
}

// fetchJob is a job as bankfeed enqueues them: JSON naming its login.
type fetchJob struct {
	CustomerID string `json:"customer_id"`
	LoginID    string `json:"login_id"`
	Note       string `json:"note"`
}

func (fetchJob) Kind() string { return "storetest_fetch" }

func testEnqueue(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreateLogin(t, s, fullLogin("cust-1", "login-1", "greatday"))
	// Inside and outside a transaction, and in one that rolls back.
	if err := s.Enqueue(ctx, fetchJob{LoginID: "login-1", Note: "alone"}); err != nil {
		t.Fatalf("Enqueue: %v", err)
	}
	if err := s.InTx(ctx, func(q store.Queries) error {
		return q.Enqueue(ctx, fetchJob{LoginID: "login-1", Note: "in a transaction"})
	}); err != nil {
		t.Fatalf("Enqueue in InTx: %v", err)
	}
	errRollback := errors.New("roll back")
	if err := s.InTx(ctx, func(q store.Queries) error {
		if err := q.Enqueue(ctx, fetchJob{LoginID: "login-1", Note: "rolled back"}); err != nil {
			return err
		}
		return errRollback
	}); !errors.Is(err, errRollback) {
		t.Fatalf("InTx: %v, want the rollback", err)
	}
	// DeleteLogin removes the login's jobs with it. Jobs are not part of
	// the read contract: an implementation's test shows them to the suite
	// through JobArgsOf, the JSON of the jobs naming a login.
	lister, ok := s.(interface {
		JobArgsOf(ctx context.Context, loginID string) ([]string, error)
	})
	if !ok {
		t.Skip("the store does not show its jobs (no JobArgsOf)")
	}
	notes := func() []string {
		t.Helper()
		args, err := lister.JobArgsOf(ctx, "login-1")
		if err != nil {
			t.Fatalf("JobArgsOf: %v", err)
		}
		var notes []string
		for _, a := range args {
			var job fetchJob
			if err := json.Unmarshal([]byte(a), &job); err != nil {
				t.Fatalf("job args %s: %v", a, err)
			}
			notes = append(notes, job.Note)
		}
		slices.Sort(notes)
		return notes
	}
	if got, want := notes(), []string{"alone", "in a transaction"}; !slices.Equal(got, want) {
		t.Errorf("jobs of the login = %q, want %q", got, want)
	}
	if err := s.DeleteLogin(ctx, "cust-1", "login-1"); err != nil {
		t.Fatalf("DeleteLogin: %v", err)
	}
	if got := notes(); len(got) != 0 {
		t.Errorf("jobs of a deleted login = %q, want none", got)
	}
}
