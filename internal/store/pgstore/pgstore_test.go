package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	neturl "net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/internal/store"
	"github.com/bankfeed/bankfeed/internal/store/pgstore"
	"github.com/bankfeed/bankfeed/internal/store/pgstore/pgtest"
	"github.com/bankfeed/bankfeed/internal/store/storetest"
	"github.com/jackc/pgx/v5"
)

// TestConformance runs the store contract's suite, each subtest on a new
// database of its own.
func TestConformance(t *testing.T) {
	t.Parallel()
	pgtest.ServerURL(t)
	storetest.Run(t, func(t *testing.T) store.Store {
		return open(t, pgtest.NewDatabase(t))
	})
}

// TestLockedUnavailable runs the suite's case of a database that cannot take
// writes: another session holds the tables' locks past the store's
// operation timeout.
func TestLockedUnavailable(t *testing.T) {
	t.Parallel()
	storetest.RunUnavailable(t, func(t *testing.T) (store.Store, storetest.Blocker) {
		url := pgtest.NewDatabase(t)
		s, err := pgstore.Open(t.Context(), url, pgstore.Options{OpTimeout: 300 * time.Millisecond})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s, func(t *testing.T) func() {
			conn := rawDB(t, url)
			tx, err := conn.Begin(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tx.Exec(t.Context(), `LOCK TABLE sessions, logins IN ACCESS EXCLUSIVE MODE`); err != nil {
				t.Fatalf("locking the tables: %v", err)
			}
			return func() { tx.Rollback(context.Background()) }
		}
	})
}

// open opens the store at url, failing t if it cannot. The caller closes it.
func open(t testing.TB, url string) *pgstore.Store {
	t.Helper()
	s, err := pgstore.Open(t.Context(), url, pgstore.Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

// rawDB connects to url outside the store, to look at what it wrote.
func rawDB(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func testLogin(id string) *store.Login {
	now := time.Now().UTC().Truncate(time.Microsecond)
	return &store.Login{
		ID: id, CustomerID: "cust-1", Institution: "FlinksCapital",
		Username: id, UsernameKey: id, Language: "en", Type: "Personal",
		Version: 1, CreatedAt: now, UpdatedAt: now,
	}
}

// TestConcurrentOpen starts several stores on one new database at once, as
// several server processes starting together do: the migrations are applied
// once, none fails on "already exists", and a reopen applies nothing again.
func TestConcurrentOpen(t *testing.T) {
	t.Parallel()
	url := pgtest.NewDatabase(t)
	const n = 4
	errs := make([]error, n)
	stores := make([]*pgstore.Store, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { stores[i], errs[i] = pgstore.Open(t.Context(), url, pgstore.Options{}) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Open %d: %v", i, err)
		}
		defer stores[i].Close()
	}
	if err := stores[0].CreateLogin(t.Context(), testLogin("login-1")); err != nil {
		t.Fatalf("CreateLogin: %v", err)
	}
	if _, err := stores[n-1].Login(t.Context(), "cust-1", "login-1"); err != nil {
		t.Errorf("a login written through one store is not read through another: %v", err)
	}
	first := appliedMigrations(t, url)
	if len(first) == 0 {
		t.Fatal("no migration recorded")
	}
	s := open(t, url)
	s.Close()
	again := appliedMigrations(t, url)
	if len(again) != len(first) {
		t.Fatalf("after reopening, %d migrations recorded, want %d", len(again), len(first))
	}
	for v, when := range first {
		if again[v] != when {
			t.Errorf("migration %d applied again at %d (first at %d)", v, again[v], when)
		}
	}
}

func appliedMigrations(t *testing.T, url string) map[int64]int64 {
	t.Helper()
	rows, err := rawDB(t, url).Query(t.Context(), `SELECT version, applied_at FROM schema_migrations`)
	if err != nil {
		t.Fatalf("query schema_migrations: %v", err)
	}
	out := make(map[int64]int64)
	for rows.Next() {
		var v, at int64
		if err := rows.Scan(&v, &at); err != nil {
			t.Fatal(err)
		}
		out[v] = at
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestOpenFails checks that Open reports what it cannot use instead of
// returning a store that fails later, and that the message does not repeat
// a password of the URL.
func TestOpenFails(t *testing.T) {
	t.Parallel()
	for _, url := range []string{
		"postgres://user:s3cret@127.0.0.1:%d/bankfeed?sslmode=disable",
		"postgres://user:s3cret@[not a host/x",
	} {
		if strings.Contains(url, "%d") {
			url = fmt.Sprintf(url, closedPort(t))
		}
		s, err := pgstore.Open(t.Context(), url, pgstore.Options{})
		if err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", url)
			continue
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("Open error shows the password: %v", err)
		}
	}
}

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}

// TestUnavailable checks that a database that went away is reported as
// store.ErrUnavailable, soon, by reads, writes and transactions alike: the
// server turns it into RETRY_LATER.
func TestUnavailable(t *testing.T) {
	t.Parallel()
	url := pgtest.NewDatabase(t)
	s := open(t, url)
	defer s.Close()
	ctx := t.Context()
	if err := s.CreateLogin(ctx, testLogin("login-1")); err != nil {
		t.Fatal(err)
	}
	// The database is dropped under the store: its connections are
	// terminated, and new ones are refused.
	admin := rawDB(t, pgtest.ServerURL(t))
	u, err := neturl.Parse(url)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	if _, err := admin.Exec(ctx, `DROP DATABASE `+name+` WITH (FORCE)`); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	checks := map[string]error{
		"Ping": s.Ping(ctx),
		"Login": func() error {
			_, err := s.Login(ctx, "cust-1", "login-1")
			return err
		}(),
		"CreateSession": s.CreateSession(ctx, &store.Session{ID: "s", CustomerID: "cust-1", Version: 1}),
		"InTx": s.InTx(ctx, func(q store.Queries) error {
			return q.PutSnapshot(ctx, "cust-1", "login-1", time.Now(), &connector.Snapshot{})
		}),
	}
	for name, err := range checks {
		if !errors.Is(err, store.ErrUnavailable) {
			t.Errorf("%s on a database that is gone: %v, want store.ErrUnavailable", name, err)
		}
	}
	if d := time.Since(start); d > 2*pgstore.DefaultOpTimeout {
		t.Errorf("the failures took %v", d)
	}
}

// TestDeleteLoginLeavesNothing checks DeleteCard's promise on the database
// itself: after DeleteLogin, no row of any table mentions the login or
// anything of it, jobs included, and every row of another login is still
// there.
func TestDeleteLoginLeavesNothing(t *testing.T) {
	t.Parallel()
	url := pgtest.NewDatabase(t)
	s := open(t, url)
	defer s.Close()
	ctx := t.Context()
	now := time.Now().UTC()
	for _, name := range []string{"doomed", "kept"} {
		loginID := "login-" + name
		l := testLogin(loginID)
		l.Sealed, l.DataKey = []byte(name), []byte(name)
		if err := s.CreateLogin(ctx, l); err != nil {
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
		snap := &connector.Snapshot{Holder: connector.Holder{Name: name}}
		for i := range 3 {
			snap.Accounts = append(snap.Accounts, connector.Account{ID: fmt.Sprintf("%s-acct-%d", name, i), Title: name,
				Transactions: []connector.Transaction{{ID: name + "-tx", Date: now, Description: name}}})
		}
		if err := s.PutSnapshot(ctx, "cust-1", loginID, now, snap); err != nil {
			t.Fatalf("PutSnapshot: %v", err)
		}
		if err := s.Enqueue(ctx, job{LoginID: loginID, Note: name}); err != nil {
			t.Fatalf("Enqueue: %v", err)
		}
	}
	db := rawDB(t, url)
	before := mentions(t, db, "kept")
	if n := mentions(t, db, "doomed"); n["snapshots"] == 0 || n["snapshot_accounts"] == 0 || n["sessions"] == 0 ||
		n["logins"] == 0 || n["river_job"] == 0 {
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

type job struct {
	LoginID string `json:"login_id"`
	Note    string `json:"note"`
}

func (job) Kind() string { return "pgstore_test" }

// mentions returns, for every table of the database, how many rows hold
// needle in some column (bytea columns searched as bytes, the others as
// their text).
func mentions(t *testing.T, db *pgx.Conn, needle string) map[string]int {
	t.Helper()
	ctx := t.Context()
	rows, err := db.Query(ctx, `SELECT table_name, column_name, data_type FROM information_schema.columns
		WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`)
	if err != nil {
		t.Fatalf("list columns: %v", err)
	}
	conds := map[string][]string{}
	for rows.Next() {
		var table, column, typ string
		if err := rows.Scan(&table, &column, &typ); err != nil {
			t.Fatal(err)
		}
		c := fmt.Sprintf(`strpos(%q::text, $1) > 0`, column)
		if typ == "bytea" {
			c = fmt.Sprintf(`position(convert_to($1, 'UTF8') in %q) > 0`, column)
		}
		conds[table] = append(conds[table], c)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	tables := make([]string, 0, len(conds))
	for table := range conds {
		tables = append(tables, table)
	}
	slices.Sort(tables)
	out := make(map[string]int)
	for _, table := range tables {
		var n int
		q := fmt.Sprintf(`SELECT count(*) FROM %q WHERE %s`, table, strings.Join(conds[table], " OR "))
		if err := db.QueryRow(ctx, q, needle).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		out[table] = n
	}
	return out
}
