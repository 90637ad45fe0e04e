package sqlitestore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/internal/store"
	"github.com/bankfeed/bankfeed/internal/store/sqlitestore"
	"github.com/bankfeed/bankfeed/internal/store/storetest"

	// The driver sqlitestore uses, named "sqlite"; the tests open the file
	// with it directly to look at what the store wrote.
	_ "modernc.org/sqlite"
)

// TestConformance runs the store contract's suite, each subtest on a new
// database file of its own.
func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) store.Store {
		return open(t, filepath.Join(t.TempDir(), "bankfeed.db"))
	})
}

// TestLockedUnavailable runs the suite's case of a database that cannot take
// writes: another connection holds SQLite's write lock past the store's
// operation timeout.
func TestLockedUnavailable(t *testing.T) {
	t.Parallel()
	storetest.RunUnavailable(t, func(t *testing.T) (store.Store, storetest.Blocker) {
		path := filepath.Join(t.TempDir(), "bankfeed.db")
		s, err := sqlitestore.Open(t.Context(), path, sqlitestore.Options{OpTimeout: 300 * time.Millisecond})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s, func(t *testing.T) func() {
			conn, err := rawDB(t, path).Conn(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := conn.ExecContext(t.Context(), `BEGIN IMMEDIATE`); err != nil {
				t.Fatalf("taking the write lock: %v", err)
			}
			return func() {
				conn.ExecContext(context.Background(), `ROLLBACK`)
				conn.Close()
			}
		}
	})
}

// open opens the store at path, failing t if it cannot. The caller closes it.
func open(t testing.TB, path string) *sqlitestore.Store {
	t.Helper()
	s, err := sqlitestore.Open(t.Context(), path, sqlitestore.Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

// rawDB opens path with the bare driver, outside the store, to inspect the
// file.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatalf("sql.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func testLogin(id string) *store.Login {
	now := time.Now().UTC().Truncate(time.Microsecond)
	return &store.Login{
		ID: id, CustomerID: "cust-1", Institution: "FlinksCapital",
		Username: id, UsernameKey: id, Language: "en", Type: "Personal",
		Version: 1, CreatedAt: now, UpdatedAt: now,
	}
}

// TestReopen checks that opening an existing file keeps its rows and applies
// no migration twice: a server restart must neither lose cards nor fail on
// "table already exists".
func TestReopen(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "bankfeed.db")

	s := open(t, path)
	if err := s.CreateLogin(ctx, testLogin("login-1")); err != nil {
		t.Fatalf("CreateLogin: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	first := appliedMigrations(t, path)

	files, err := filepath.Glob(filepath.Join("migrations", "*.sql"))
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != len(files) {
		t.Errorf("after the first Open, %d migrations recorded, want %d (one per file of migrations/)", len(first), len(files))
	}

	// Twice more: the second reopen catches a store that records a
	// migration only on the run after it applies it.
	for range 2 {
		s = open(t, path)
		if _, err := s.Login(ctx, "cust-1", "login-1"); err != nil {
			t.Errorf("Login after reopening: %v", err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		again := appliedMigrations(t, path)
		if len(again) != len(first) {
			t.Fatalf("after reopening, %d migrations recorded, want %d", len(again), len(first))
		}
		for v, when := range first {
			if again[v] != when {
				t.Errorf("migration %d applied again at %d (first at %d)", v, again[v], when)
			}
		}
	}
}

// appliedMigrations returns the applied_at of each recorded migration
// version.
func appliedMigrations(t *testing.T, path string) map[int64]int64 {
	t.Helper()
	rows, err := rawDB(t, path).QueryContext(t.Context(), `SELECT version, applied_at FROM schema_migrations`)
	if err != nil {
		t.Fatalf("query schema_migrations: %v", err)
	}
	defer rows.Close()
	out := make(map[int64]int64)
	for rows.Next() {
		var v, at int64
		if err := rows.Scan(&v, &at); err != nil {
			t.Fatal(err)
		}
		if _, dup := out[v]; dup {
			t.Errorf("migration %d recorded twice", v)
		}
		out[v] = at
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestWAL checks that the file is in WAL mode, which the store's split of
// readers and writer relies on: in rollback-journal mode a reader would block
// the writer.
func TestWAL(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "bankfeed.db")
	s := open(t, path)
	defer s.Close()
	if err := s.CreateLogin(t.Context(), testLogin("login-1")); err != nil {
		t.Fatalf("CreateLogin: %v", err)
	}

	if _, err := os.Stat(path + "-wal"); err != nil {
		t.Errorf("no write-ahead log next to the database after a write: %v", err)
	}
	// journal_mode=WAL is persistent: a connection that does not ask for it
	// still finds the file in WAL mode.
	var mode string
	if err := rawDB(t, path).QueryRowContext(t.Context(), `PRAGMA journal_mode`).Scan(&mode); err != nil {
		t.Fatalf("PRAGMA journal_mode: %v", err)
	}
	if mode != "wal" {
		t.Errorf("journal_mode = %q, want wal", mode)
	}
}

// TestReadsDuringWrite checks that reads go through their own pool and see
// committed data while a write transaction holds the single writer
// connection: a slow transaction must not stall every read of the server.
func TestReadsDuringWrite(t *testing.T) {
	t.Parallel()
	s := open(t, filepath.Join(t.TempDir(), "bankfeed.db"))
	defer s.Close()
	ctx := t.Context()
	if err := s.CreateLogin(ctx, testLogin("login-1")); err != nil {
		t.Fatalf("CreateLogin: %v", err)
	}

	err := s.InTx(ctx, func(q store.Queries) error {
		l, err := q.Login(ctx, "cust-1", "login-1")
		if err != nil {
			return err
		}
		l.Type = "Business"
		if err := q.UpdateLogin(ctx, l); err != nil {
			return err
		}
		// Outside the transaction, with a deadline: a read that waits for
		// the writer fails instead of hanging the test.
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		got, err := s.Login(rctx, "cust-1", "login-1")
		if err != nil {
			t.Errorf("Login while a write transaction is open: %v", err)
			return nil
		}
		if got.Type != "Personal" || got.Version != 1 {
			t.Errorf("read during the transaction sees Type %q version %d, want the committed Personal version 1", got.Type, got.Version)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("InTx: %v", err)
	}
}

// TestForeignKeys checks that foreign keys are enforced on the write
// connection (SQLite leaves them off unless asked): a session cannot point at
// a login that does not exist.
func TestForeignKeys(t *testing.T) {
	t.Parallel()
	s := open(t, filepath.Join(t.TempDir(), "bankfeed.db"))
	defer s.Close()
	now := time.Now()
	err := s.CreateSession(t.Context(), &store.Session{
		ID: "sess-1", CustomerID: "cust-1", LoginID: "no-such-login",
		Institution: "FlinksCapital", Username: "Greatday", Language: "en", Mode: "live",
		Version: 1, CreatedAt: now, UpdatedAt: now,
	})
	if err == nil {
		t.Fatal("CreateSession with an unknown LoginID succeeded")
	}
	// The constraint maps to ErrConflict like every other.
	if !errors.Is(err, store.ErrConflict) {
		t.Errorf("CreateSession with an unknown LoginID: %v, want store.ErrConflict", err)
	}
}

// TestOpenFails checks that Open reports a path it cannot use instead of
// returning a store that fails later.
func TestOpenFails(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// A directory where the database file should be.
	if s, err := sqlitestore.Open(t.Context(), dir, sqlitestore.Options{}); err == nil {
		s.Close()
		t.Fatalf("Open(%s), a directory, succeeded", dir)
	}
}

// TestDeleteLoginLeavesNothing checks DeleteCard's promise on the file
// itself: after DeleteLogin, no row of any table mentions the login or
// anything of it, whatever tables the migrations added (jobs will come), and
// every row of another login is still there.
func TestDeleteLoginLeavesNothing(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "bankfeed.db")
	s := open(t, path)
	defer s.Close()
	ctx := t.Context()
	now := time.Now().UTC()

	// Every value of a login's rows carries its name, so that a row left
	// behind shows whichever column it keeps.
	for _, name := range []string{"doomed", "kept"} {
		loginID := "login-" + name
		if err := s.CreateLogin(ctx, testLogin(loginID)); err != nil {
			t.Fatalf("CreateLogin: %v", err)
		}
		for i := range 2 {
			if err := s.CreateSession(ctx, &store.Session{
				ID: fmt.Sprintf("sess-%s-%d", name, i), CustomerID: "cust-1", LoginID: loginID,
				Institution: "FlinksCapital", Username: loginID, Language: "en", Tag: name, Mode: "live",
				Version: 1, CreatedAt: now, UpdatedAt: now, Sealed: []byte(name),
			}); err != nil {
				t.Fatalf("CreateSession: %v", err)
			}
		}
		snap := benchSnapshot(now, 30)
		snap.Holder.Name = name
		for i := range snap.Accounts {
			a := &snap.Accounts[i]
			a.ID, a.Title = name+"-"+a.ID, name
			for j := range a.Transactions {
				a.Transactions[j].ID = name + "-" + a.Transactions[j].ID
			}
		}
		if err := s.PutSnapshot(ctx, "cust-1", loginID, now, snap); err != nil {
			t.Fatalf("PutSnapshot: %v", err)
		}
	}
	db := rawDB(t, path)
	before := mentions(t, db, "kept")
	if n := mentions(t, db, "doomed"); n["snapshots"] == 0 || n["snapshot_accounts"] == 0 || n["sessions"] == 0 || n["logins"] == 0 {
		t.Fatalf("rows mentioning the login before DeleteLogin: %v; the test does not see them", n)
	}

	if err := s.DeleteLogin(ctx, "cust-1", "login-doomed"); err != nil {
		t.Fatalf("DeleteLogin: %v", err)
	}
	for table, n := range mentions(t, db, "doomed") {
		if n > 0 {
			t.Errorf("after DeleteLogin, %d rows of %s still mention the login", n, table)
		}
	}
	after := mentions(t, db, "kept")
	for table, n := range before {
		if after[table] != n {
			t.Errorf("DeleteLogin of another login changed the rows of %s mentioning this one from %d to %d", table, n, after[table])
		}
	}
}

// mentions returns, for every table of db, how many rows hold needle in
// some column (as bytes, so blobs count too).
func mentions(t *testing.T, db *sql.DB, needle string) map[string]int {
	t.Helper()
	ctx := t.Context()
	tables, err := queryStrings(ctx, db, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
	if err != nil {
		t.Fatalf("list tables: %v", err)
	}
	out := make(map[string]int)
	for _, table := range tables {
		cols, err := queryStrings(ctx, db, `SELECT name FROM pragma_table_info(?)`, table)
		if err != nil {
			t.Fatalf("columns of %s: %v", table, err)
		}
		var conds []string
		for _, c := range cols {
			conds = append(conds, fmt.Sprintf(`instr(CAST(%q AS BLOB), CAST(?1 AS BLOB)) > 0`, c))
		}
		var n int
		q := fmt.Sprintf(`SELECT count(*) FROM %q WHERE %s`, table, strings.Join(conds, " OR "))
		if err := db.QueryRowContext(ctx, q, needle).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		out[table] = n
	}
	return out
}

func queryStrings(ctx context.Context, db *sql.DB, query string, args ...any) ([]string, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// TestMigratedMissing checks that Migrated names a migration of
// bankfeed's, or of the jobs engine's, that the database lost (a backup
// of an older version restored under the running store).
func TestMigratedMissing(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "bankfeed.db")
	s := open(t, path)
	defer s.Close()
	if err := s.Migrated(ctx); err != nil {
		t.Fatalf("Migrated: %v", err)
	}
	db := rawDB(t, path)
	var last int
	if err := db.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&last); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `DELETE FROM schema_migrations WHERE version = ?`, last); err != nil {
		t.Fatal(err)
	}
	if err := s.Migrated(ctx); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("migration %d is not applied", last)) {
		t.Errorf("Migrated without bankfeed's migration %d: %v", last, err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, 0)`, last); err != nil {
		t.Fatal(err)
	}
	if err := s.Migrated(ctx); err != nil {
		t.Fatalf("Migrated with the record back: %v", err)
	}
	if _, err := db.ExecContext(ctx, `DELETE FROM river_migration WHERE version = (SELECT max(version) FROM river_migration)`); err != nil {
		t.Fatal(err)
	}
	if err := s.Migrated(ctx); err == nil || !strings.Contains(err.Error(), "jobs tables") {
		t.Errorf("Migrated without River's last migration: %v", err)
	}
}

// TestCheckpointsInBackground checks that committed pages reach the
// database file while the store is open and idle: the writer's own
// checkpoints are off (they ran inside a request's commit), so without
// the store's checkpointer the file would not change until Close.
func TestCheckpointsInBackground(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "bankfeed.db")
	s := open(t, path)
	defer s.Close()
	ctx := t.Context()
	for i := range 200 {
		if err := s.CreateLogin(ctx, testLogin(fmt.Sprintf("login-%d", i))); err != nil {
			t.Fatalf("CreateLogin: %v", err)
		}
	}
	// The database's size as a reader sees it, WAL included.
	raw := rawDB(t, path)
	var pages, pageSize int64
	if err := raw.QueryRowContext(ctx, `SELECT page_count, page_size FROM pragma_page_count(), pragma_page_size()`).Scan(&pages, &pageSize); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() >= pages*pageSize {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("10s after the writes, the file holds %d bytes of the database's %d: nothing checkpoints", fi.Size(), pages*pageSize)
		}
	}
	// And the logins are read from it.
	if _, err := s.Login(ctx, "cust-1", "login-199"); err != nil {
		t.Fatalf("Login after the checkpoint: %v", err)
	}
}
