package app_test

import (
	"context"
	"database/sql"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/bankfeed/bankfeed/flinks"
)

// TestSQLiteBusy holds SQLite's write lock from outside the server, as
// another process would, past --db-timeout: a request that must write
// answers 503 RETRY_LATER, as on PostgreSQL, rather than 500; once the
// lock is released the same request succeeds.
func TestSQLiteBusy(t *testing.T) {
	t.Parallel()
	s := startServerArgs(t, "", nil, "--db-timeout", "1s")
	ctx := context.Background()
	login := func() (*flinks.AuthorizeResponse, error) {
		return s.client.Authorize(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "greatday_nomfa", Password: "Everyday"})
	}
	if _, err := login(); err != nil {
		t.Fatalf("a live login before the lock: %v", err)
	}

	// The server's own writes (the login's fetch, started at its commit;
	// the journal) hold the lock for moments: wait for them, as another
	// process would, before holding it.
	db, err := sql.Open("sqlite", "file:"+filepath.Join(s.dataDir, "bankfeed.db")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		t.Fatalf("taking the write lock: %v", err)
	}
	_, err = login()
	if e := apiErr(t, err); e.StatusCode != http.StatusServiceUnavailable || e.Body.FlinksCode != flinks.CodeRetryLater ||
		e.Body.HttpStatusCode != http.StatusServiceUnavailable {
		t.Errorf("a live login while another process holds the write lock: %d %+v, want 503 RETRY_LATER", e.StatusCode, e.Body)
	}
	if _, err := conn.ExecContext(ctx, `ROLLBACK`); err != nil {
		t.Fatal(err)
	}
	if resp, err := login(); err != nil || resp.HttpStatusCode != http.StatusOK {
		t.Fatalf("a live login once the lock is released: %+v, %v", resp, err)
	}
}
