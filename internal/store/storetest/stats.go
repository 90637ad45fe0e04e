package storetest

import (
	"maps"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/internal/store"
)

func testMigrated(t *testing.T, s store.Store) {
	if err := s.Migrated(t.Context()); err != nil {
		t.Fatalf("Migrated on a store just opened: %v", err)
	}
}

// testStats checks the counts against rows made for them: an empty store
// counts nothing, then each session state, saved logins only, and the
// jobs waiting by kind.
func testStats(t *testing.T, s store.Store) {
	ctx := t.Context()
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatalf("Stats of an empty store: %v", err)
	}
	if len(st.Sessions) != 0 || st.SavedLogins != 0 || len(st.Jobs) != 0 {
		t.Errorf("Stats of an empty store = %+v, want nothing counted", st)
	}

	mustCreateLogin(t, s, fullLogin("cust-1", "login-saved-1", "a"))
	mustCreateLogin(t, s, fullLogin("cust-2", "login-saved-2", "b"))
	mustCreateLogin(t, s, minimalLogin("cust-1", "login-unsaved", "c"))
	for i, state := range []string{"challenged", "challenged", "authorized", "failed", "authorized", "authorized"} {
		sess := minimalSession("cust-1", "sess-"+string(rune('a'+i)))
		sess.State = state
		mustCreateSession(t, s, sess)
	}
	before := time.Now()
	for _, note := range []string{"one", "two"} {
		if err := s.Enqueue(ctx, fetchJob{LoginID: "login-saved-1", Note: note}); err != nil {
			t.Fatalf("Enqueue: %v", err)
		}
	}
	// Waited a little, so that the oldest wait is seen to grow.
	time.Sleep(20 * time.Millisecond)
	st, err = s.Stats(ctx)
	elapsed := time.Since(before)
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	if want := map[string]int64{"challenged": 2, "authorized": 3, "failed": 1}; !maps.Equal(st.Sessions, want) {
		t.Errorf("Sessions = %v, want %v", st.Sessions, want)
	}
	if st.SavedLogins != 2 {
		t.Errorf("SavedLogins = %d, want 2 (the unsaved login not counted)", st.SavedLogins)
	}
	if len(st.Jobs) != 1 {
		t.Fatalf("Jobs = %+v, want one count: the two fetch jobs available", st.Jobs)
	}
	j := st.Jobs[0]
	if j.Kind != (fetchJob{}).Kind() || j.State != "available" || j.Count != 2 {
		t.Errorf("Jobs[0] = %+v, want kind %s, available, 2", j, (fetchJob{}).Kind())
	}
	// River rounds its times to the millisecond; the databases' clocks are
	// the machine's.
	if j.OldestWait < 10*time.Millisecond || j.OldestWait > elapsed+time.Second {
		t.Errorf("OldestWait = %v, want about %v", j.OldestWait, elapsed)
	}
}
