// Package sqlitestore implements the store contract on an embedded SQLite
// database (modernc.org/sqlite, pure Go: no cgo needed).
//
// Writes go through a pool of one connection: SQLite allows one writer at a
// time, and queuing writers in Go is cheaper and fairer than letting them
// spin on the busy timeout. Reads use a separate pool and, in WAL mode, never
// wait for the writer.
package sqlitestore

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/bankfeed/bankfeed/internal/store"
	"github.com/bankfeed/bankfeed/internal/store/migration"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrations embed.FS

// silentDriver is River's SQLite driver without notifications: the insert
// of a job writes no notification row, which no worker would read.
type silentDriver struct{ *riversqlite.Driver }

func (silentDriver) SupportsListener() bool     { return false }
func (silentDriver) SupportsListenNotify() bool { return false }

// Store is a store.Store on SQLite.
type Store struct {
	queries
	write *sql.DB
	read  *sql.DB
	// Prepared statements of each pool.
	writeStmts *preparedDB
	readStmts  *preparedDB
	timeout    time.Duration
	// creates batches CreateSession outside transactions (batch.go).
	creates *creates
	// validator checks River's migrations for Migrated, made at its first
	// call.
	validator migration.Once[*rivermigrate.Migrator[*sql.Tx]]
	// jobsCommitted is the hook OnJobsCommitted set; nil for none.
	jobsCommitted atomic.Pointer[func(queues []string)]
	// checkpoints copies the WAL into the file, off the writer's commits.
	checkpoints *checkpointer
}

// The jobs engine, River, keeps its tables in the same database, so that a
// job is inserted in the transaction of the rows that need it. The store
// runs River's migrations and inserts jobs with an insert-only client; the
// client that works them is the application's, over WriteDB.

var _ store.Store = (*Store)(nil)

// DefaultOpTimeout bounds one write of the store (a statement, or a whole
// transaction) whose context has no earlier deadline: the wait for the one
// writer connection, and for another process's write lock, included.
const DefaultOpTimeout = 10 * time.Second

// Options tune Open; the zero value is the defaults.
type Options struct {
	// OpTimeout replaces DefaultOpTimeout when positive.
	OpTimeout time.Duration
}

// Open opens (creating if needed) the database file at path and applies the
// migrations it lacks.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	timeout := opts.OpTimeout
	if timeout <= 0 {
		timeout = DefaultOpTimeout
	}
	// Settings, deliberately:
	//   journal_mode=WAL     readers never block the writer, nor it them;
	//   synchronous=NORMAL   durable at every checkpoint, and in WAL mode a
	//                        crash loses no committed transaction, only a
	//                        power loss can drop the last ones;
	//   busy_timeout         a second process (or the reader pool during a
	//                        checkpoint) waits instead of failing at once,
	//                        as long as the operation timeout; the driver's
	//                        busy handler also ends the wait when the
	//                        context is done (SQLITE_BUSY or the deadline:
	//                        ErrUnavailable either way);
	//   foreign_keys=ON      sessions die with their login;
	//   secure_delete=ON     deleted rows are overwritten with zeros, so a
	//                        deleted login's wrapped data key and sealed
	//                        secrets do not linger in free pages;
	//   _txlock=immediate    a write transaction takes the write lock when it
	//                        begins, so it never fails to upgrade halfway.
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", timeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(ON)")
	q.Add("_pragma", "secure_delete(ON)")
	q.Set("_txlock", "immediate")
	dsn := "file:" + path + "?" + q.Encode()

	// The writer never checkpoints: the checkpointer does, off the
	// commits (checkpoint.go).
	wq := cloneValues(q)
	wq.Add("_pragma", "wal_autocheckpoint(0)")
	write, err := sql.Open("sqlite", "file:"+path+"?"+wq.Encode())
	if err != nil {
		return nil, err
	}
	oneConnection(write)

	// The readers' transactions are deferred: in WAL mode a deferred
	// transaction reads one snapshot of the database from its first read,
	// and takes no lock a writer waits for.
	rq := cloneValues(q)
	rq.Set("_txlock", "deferred")
	rq.Add("_pragma", "query_only(ON)")
	read, err := sql.Open("sqlite", "file:"+path+"?"+rq.Encode())
	if err != nil {
		write.Close()
		return nil, err
	}
	n := max(4, runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	read.SetConnMaxIdleTime(0)
	read.SetConnMaxLifetime(0)

	s := &Store{write: write, read: read, writeStmts: newPreparedDB(write), readStmts: newPreparedDB(read), timeout: timeout}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlitestore: migrate %s: %w", path, err)
	}
	// The workers do not listen for River's notifications on SQLite (a
	// table their listener would read every 50 ms: jobs.Start); the store
	// wakes them through OnJobsCommitted. So this client writes none.
	jobs, err := river.NewClient[*sql.Tx](silentDriver{riversqlite.New(write)}, &river.Config{})
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlitestore: jobs client: %w", err)
	}
	s.queries = queries{reader: s.readStmts, writer: guarded{s.writeStmts, timeout}, inTx: s.inTx, jobs: jobs}
	// PutSnapshot and the conversations run their statements in
	// transactions, where a statement the writer has not kept runs
	// unprepared: prepare them now, outside any transaction, so that they
	// are kept from the first call.
	for _, query := range append(txQueries, putSnapshotQueries...) {
		if _, err := s.writeStmts.stmt(ctx, query); err != nil {
			s.Close()
			return nil, fmt.Errorf("sqlitestore: prepare %q: %w", query, err)
		}
	}
	// Likewise the reads of a data call, on the readers, for ReadTx.
	for _, query := range readTxQueries {
		if _, err := s.readStmts.stmt(ctx, query); err != nil {
			s.Close()
			return nil, fmt.Errorf("sqlitestore: prepare %q: %w", query, err)
		}
	}
	if s.checkpoints, err = startCheckpointer(dsn); err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlitestore: checkpointer: %w", err)
	}
	s.creates = newCreates(s)
	return s, nil
}

// CreateSession implements store.Store. Outside a transaction, concurrent
// calls share transactions (batch.go); within one, it is one more statement.
func (s *Store) CreateSession(ctx context.Context, sess *store.Session) error {
	return s.creates.create(ctx, sess)
}

func (s *Store) migrate(ctx context.Context) error {
	if err := s.migrateOwn(ctx); err != nil {
		return err
	}
	migrator, err := rivermigrate.New(riversqlite.New(s.write), nil)
	if err != nil {
		return err
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("jobs tables: %w", err)
	}
	return nil
}

// OnJobsCommitted sets fn to be called after every commit of a write
// transaction that enqueued jobs ready to run, with their queues, each
// named once; nil removes it. SQLite has no notifications, so this is how
// this process's workers learn of them at once rather than at their next
// poll. fn runs in the committing goroutine, on the caller's path: it must
// not block. It is never called for a transaction that rolled back, nor
// for jobs scheduled for later, which River's scheduler makes available.
func (s *Store) OnJobsCommitted(fn func(queues []string)) {
	if fn == nil {
		s.jobsCommitted.Store(nil)
		return
	}
	s.jobsCommitted.Store(&fn)
}

// WriteDB returns the pool of the single write connection, for the jobs
// engine's worker client: every writer of the database must share it.
func (s *Store) WriteDB() *sql.DB { return s.write }

func (s *Store) migrateOwn(ctx context.Context) error {
	if _, err := s.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT`); err != nil {
		return err
	}
	files, err := migration.Files(migrations)
	if err != nil {
		return err
	}
	for _, m := range files {
		version, base, body := m.Version, m.Name, m.Body
		tx, err := s.write.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		var applied int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, version).Scan(&applied); err != nil {
			tx.Rollback()
			return err
		}
		if applied > 0 {
			tx.Rollback()
			continue
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %s: %w", base, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, version, time.Now().UnixMicro()); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// InTx implements store.Store.
func (s *Store) InTx(ctx context.Context, fn func(store.Queries) error) error {
	return s.inTx(ctx, func(q queries) error { return fn(q) })
}

// inTx runs fn on the queries of one write transaction, committed when fn
// returns nil and rolled back otherwise.
//
// The transaction, fn included, is bounded by the operation timeout: the
// waits for the writer connection and for the write lock (BEGIN IMMEDIATE)
// end in store.ErrUnavailable.
func (s *Store) inTx(ctx context.Context, fn func(queries) error) error {
	ctx, cancel := bound(ctx, s.timeout)
	defer cancel()
	return classifyTx(ctx, s.runTx(ctx, fn))
}

// classifyTx is classify for the error of a transaction run under ctx: once
// ctx's deadline has passed, database/sql has rolled the transaction back,
// and its statements fail with sql.ErrTxDone, which is the timeout too.
func classifyTx(ctx context.Context, err error) error {
	if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) && !errors.Is(err, store.ErrUnavailable) {
		return fmt.Errorf("%w: %w", store.ErrUnavailable, err)
	}
	return classify(err)
}

func (s *Store) runTx(ctx context.Context, fn func(queries) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	// Deferred, so that a panic in fn also rolls back: the transaction holds
	// the only write connection, and a recovered panic (net/http recovers
	// handlers) must not leave it open. After Commit it is a no-op.
	defer tx.Rollback()
	ptx := preparedTx{tx: tx, p: s.writeStmts}
	state := &txState{}
	if err := fn(queries{reader: ptx, writer: ptx, tx: tx, jobs: s.jobs, state: state}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	if state.deleted {
		s.forget(ctx)
	}
	if len(state.queues) > 0 {
		if fn := s.jobsCommitted.Load(); fn != nil {
			slices.Sort(state.queues)
			(*fn)(slices.Compact(state.queues))
		}
	}
	return nil
}

// ReadTx implements store.Store, on the reader pool: a deferred transaction
// in WAL mode reads one snapshot of the database. Its connections are
// query_only, so a write through q fails.
func (s *Store) ReadTx(ctx context.Context, fn func(store.Queries) error) error {
	ctx, cancel := bound(ctx, s.timeout)
	defer cancel()
	tx, err := s.read.BeginTx(ctx, nil)
	if err != nil {
		return classify(err)
	}
	defer tx.Rollback()
	ptx := preparedTx{tx: tx, p: s.readStmts}
	if err := fn(queries{reader: ptx, writer: ptx, tx: tx, jobs: s.jobs, state: &txState{}}); err != nil {
		return classifyTx(ctx, err)
	}
	return classifyTx(ctx, tx.Commit())
}

// readTxQueries are the statements Open prepares on the readers: what a
// data call reads in its ReadTx.
var readTxQueries = []string{qSession, qSessionView, qLogin, qLoginFetching, qSnapshot, qSnapshotNoTransactions}

// txState is what a transaction's queries report to its commit.
type txState struct {
	// deleted is set when the transaction deleted a login or a customer.
	deleted bool
	// queues are the queues of the jobs the transaction made available,
	// for OnJobsCommitted.
	queues []string
}

// cloneValues copies q, its lists too: an Add to the copy must not write
// into the array q's list shares with another copy.
func cloneValues(q url.Values) url.Values {
	c := make(url.Values, len(q))
	for k, v := range q {
		c[k] = slices.Clone(v)
	}
	return c
}

// oneConnection makes db a pool of one connection, kept open: the writer,
// whose single connection is SQLite's one writer, and the checkpointer.
func oneConnection(db *sql.DB) {
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxIdleTime(0)
	db.SetConnMaxLifetime(0)
}

// forget makes a committed deletion reach the files: secure_delete zeroes
// the freed space of the new page versions, but in WAL mode the old
// versions, holding the deleted rows (a login's wrapped data key among
// them), stay in the -wal file until a checkpoint resets it. A TRUNCATE
// checkpoint copies the new versions in and empties the file. It cannot
// finish while a reader still needs an old version; the WAL is then reset
// by a later checkpoint, the next deletion's or the checkpointer's.
func (s *Store) forget(ctx context.Context) {
	s.write.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
}

// DeleteSessionsIdleSince implements store.Store.
func (s *Store) DeleteSessionsIdleSince(ctx context.Context, t time.Time) (int64, error) {
	res, err := s.queries.writer.ExecContext(ctx, `DELETE FROM sessions WHERE updated_at < ?`, t.UnixMicro())
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// DeleteUnsavedLogins implements store.Store.
func (s *Store) DeleteUnsavedLogins(ctx context.Context, t time.Time) (int64, error) {
	res, err := s.queries.writer.ExecContext(ctx, `
		DELETE FROM logins
		WHERE saved = 0 AND updated_at < ?
		  AND NOT EXISTS (SELECT 1 FROM sessions WHERE sessions.login_id = logins.id)`, t.UnixMicro())
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Ping implements store.Store.
func (s *Store) Ping(ctx context.Context) error { return s.read.PingContext(ctx) }

// Close closes both pools; the writer last, so the WAL is checkpointed by
// the final connection.
func (s *Store) Close() error {
	if s.creates != nil {
		s.creates.close()
	}
	var errCheckpoints error
	if s.checkpoints != nil {
		errCheckpoints = s.checkpoints.close()
	}
	return errors.Join(errCheckpoints, s.readStmts.close(), s.writeStmts.close(), s.read.Close(), s.write.Close())
}

// guarded runs the writes of the pool under the operation timeout, and
// reports a database that cannot take them now as store.ErrUnavailable.
type guarded struct {
	execer
	timeout time.Duration
}

func (g guarded) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx, cancel := bound(ctx, g.timeout)
	defer cancel()
	res, err := g.execer.ExecContext(ctx, query, args...)
	return res, classify(err)
}

// bound returns ctx with the operation timeout, unless ctx has an earlier
// deadline.
func bound(ctx context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	if d, ok := ctx.Deadline(); ok && time.Until(d) <= timeout {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, timeout)
}

// classify reports as store.ErrUnavailable the errors of a database that
// cannot serve now but may soon: another connection or process holds the
// lock past the busy timeout (SQLITE_BUSY, SQLITE_LOCKED), or the operation
// timeout ran out waiting for the writer. Anything else is returned as is;
// the original error stays in the chain, for the log.
func classify(err error) error {
	if err == nil || errors.Is(err, store.ErrUnavailable) {
		return err
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return fmt.Errorf("%w: %w", store.ErrUnavailable, err)
		}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%w: %w", store.ErrUnavailable, err)
	}
	return err
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// queries implements store.Queries on a pair of pools or on one transaction.
type queries struct {
	reader execer
	writer execer
	// inTx runs fn in a write transaction, for the writes of several
	// statements; nil when the queries already run in one.
	inTx func(ctx context.Context, fn func(queries) error) error
	// tx is the transaction the queries run in; nil outside one.
	tx *sql.Tx
	// jobs inserts jobs, in tx.
	jobs *river.Client[*sql.Tx]
	// state is the transaction's report to its commit; nil outside one.
	state *txState
}

const sessionColumns = `id, customer_id, login_id, institution, username, language, tag, mode, save,
	schedule_refresh, state, attempts, fetch, fetch_code, requests, busy_until, version, created_at, updated_at, sealed`

// The statements of sessions and logins, named so that Open prepares them
// on the writer: inside a transaction, a statement the writer has not
// prepared is parsed again at every use, and parsing the long column lists
// cost a refresh a fifth of its time (BenchmarkScheduledRefresh's profile).
const (
	qSession       = `SELECT ` + sessionColumns + ` FROM sessions WHERE id = ? AND customer_id = ?`
	qCreateSession = `INSERT INTO sessions (` + sessionColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	qUpdateSession = `
		UPDATE sessions SET login_id = ?, username = ?, tag = ?, state = ?, attempts = ?, fetch = ?, fetch_code = ?,
			requests = ?, busy_until = ?, version = version + 1, updated_at = ?, sealed = ?
		WHERE id = ? AND customer_id = ? AND version = ?`
	qLogin           = `SELECT ` + loginColumns + ` FROM logins WHERE id = ? AND customer_id = ?`
	qLoginByUsername = `SELECT ` + loginColumns + ` FROM logins WHERE customer_id = ? AND institution = ? AND username_key = ?`
	qCreateLogin     = `INSERT INTO logins (` + loginColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	qUpdateLogin     = `
		UPDATE logins SET username = ?, language = ?, saved = ?, scheduled_refresh = ?, type = ?, last_refresh = ?,
			last_refresh_code = ?, version = version + 1, updated_at = ?, sealed = ?, data_key = coalesce(data_key, ?),
			last_attempt = ?, two_step = ?
		WHERE id = ? AND customer_id = ? AND version = ?`
	qLoginFetching = `SELECT count(*) FROM sessions WHERE login_id = ? AND customer_id = ? AND fetch IN ('pending', 'dispatched')`
)

// qSessionView reads a session, its login and its snapshot's version, the
// column lists qualified by their tables' aliases.
var qSessionView = `SELECT ` + qualify("s", sessionColumns) + `, ` + qualify("l", loginColumns) + `, v.version
	FROM sessions s JOIN logins l ON l.id = s.login_id AND l.customer_id = s.customer_id
	LEFT JOIN snapshots v ON v.login_id = l.id
	WHERE s.id = ? AND s.customer_id = ?`

// qualify prefixes each column of the list columns with alias.
func qualify(alias, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// txQueries are the statements Open prepares on the writer.
var txQueries = []string{qSession, qCreateSession, qUpdateSession, qLogin, qLoginByUsername, qCreateLogin, qUpdateLogin}

func (q queries) Session(ctx context.Context, customerID, id string) (*store.Session, error) {
	var r sessionRow
	if err := q.reader.QueryRowContext(ctx, qSession, id, customerID).Scan(r.dest()...); err != nil {
		return nil, notFound(err)
	}
	return r.session(), nil
}

// sessionRow is where a row of sessionColumns is scanned.
type sessionRow struct {
	s                      store.Session
	loginID                sql.NullString
	busy, created, updated int64
}

func (r *sessionRow) dest() []any {
	s := &r.s
	return []any{&s.ID, &s.CustomerID, &r.loginID, &s.Institution, &s.Username, &s.Language, &s.Tag, &s.Mode, &s.Save,
		&s.ScheduleRefresh, &s.State, &s.Attempts, &s.Fetch, &s.FetchCode, &s.Requests, &r.busy, &s.Version, &r.created, &r.updated, &s.Sealed}
}

func (r *sessionRow) session() *store.Session {
	r.s.LoginID = r.loginID.String
	r.s.BusyUntil, r.s.CreatedAt, r.s.UpdatedAt = fromMicros(r.busy), fromMicros(r.created), fromMicros(r.updated)
	return &r.s
}

func (q queries) CreateSession(ctx context.Context, s *store.Session) error {
	_, err := q.writer.ExecContext(ctx, qCreateSession,
		s.ID, s.CustomerID, nullable(s.LoginID), s.Institution, s.Username, s.Language, s.Tag, s.Mode, s.Save,
		s.ScheduleRefresh, s.State, s.Attempts, s.Fetch, s.FetchCode, s.Requests, toMicros(s.BusyUntil), s.Version, toMicros(s.CreatedAt), toMicros(s.UpdatedAt), s.Sealed)
	return mapErr(err)
}

func (q queries) UpdateSession(ctx context.Context, s *store.Session) error {
	res, err := q.writer.ExecContext(ctx, qUpdateSession,
		nullable(s.LoginID), s.Username, s.Tag, s.State, s.Attempts, s.Fetch, s.FetchCode, s.Requests, toMicros(s.BusyUntil),
		toMicros(s.UpdatedAt), s.Sealed, s.ID, s.CustomerID, s.Version)
	if err := checkOne(res, err); err != nil {
		return err
	}
	s.Version++
	return nil
}

const loginColumns = `id, customer_id, institution, username, username_key, language, saved, scheduled_refresh,
	type, last_refresh, last_refresh_code, version, created_at, updated_at, sealed, data_key, last_attempt, two_step, last_cached`

func (q queries) Login(ctx context.Context, customerID, id string) (*store.Login, error) {
	return scanLogin(q.reader.QueryRowContext(ctx, qLogin, id, customerID))
}

func (q queries) LoginByUsername(ctx context.Context, customerID, institution, usernameKey string) (*store.Login, error) {
	return scanLogin(q.reader.QueryRowContext(ctx, qLoginByUsername,
		customerID, institution, usernameKey))
}

func scanLogin(row interface{ Scan(...any) error }) (*store.Login, error) {
	var r loginRow
	if err := row.Scan(r.dest()...); err != nil {
		return nil, notFound(err)
	}
	return r.login(), nil
}

// loginRow is where a row of loginColumns is scanned.
type loginRow struct {
	l                                       store.Login
	last, created, updated, attempt, cached int64
}

func (r *loginRow) dest() []any {
	l := &r.l
	return []any{&l.ID, &l.CustomerID, &l.Institution, &l.Username, &l.UsernameKey, &l.Language, &l.Saved, &l.ScheduledRefresh,
		&l.Type, &r.last, &l.LastRefreshCode, &l.Version, &r.created, &r.updated, &l.Sealed, &l.DataKey, &r.attempt, &l.TwoStep, &r.cached}
}

func (r *loginRow) login() *store.Login {
	r.l.LastRefresh, r.l.CreatedAt, r.l.UpdatedAt = fromMicros(r.last), fromMicros(r.created), fromMicros(r.updated)
	r.l.LastAttempt, r.l.LastCached = fromMicros(r.attempt), fromMicros(r.cached)
	return &r.l
}

// qSessionLogins reads the sessions among a JSON array of ids: one
// statement text whatever their number, prepared once (a list of
// placeholders would make a statement, kept, for every length).
const qSessionLogins = `SELECT id, ifnull(login_id, '') FROM sessions
	WHERE id IN (SELECT value FROM json_each(?)) AND customer_id = ?`

// SessionLogins implements store.Queries.
func (q queries) SessionLogins(ctx context.Context, customerID string, ids []string) (map[string]string, error) {
	found := make(map[string]string, len(ids))
	if len(ids) == 0 {
		return found, nil
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	rows, err := q.reader.QueryContext(ctx, qSessionLogins, string(list), customerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, login string
		if err := rows.Scan(&id, &login); err != nil {
			return nil, err
		}
		found[id] = login
	}
	return found, rows.Err()
}

// SessionView implements store.Queries: the session joined to its login,
// and to the login's snapshot for its version.
func (q queries) SessionView(ctx context.Context, customerID, id string) (*store.SessionView, error) {
	var sr sessionRow
	var lr loginRow
	var version sql.NullInt64
	dest := append(append(sr.dest(), lr.dest()...), &version)
	if err := q.reader.QueryRowContext(ctx, qSessionView, id, customerID).Scan(dest...); err != nil {
		return nil, notFound(err)
	}
	return &store.SessionView{Session: sr.session(), Login: lr.login(), HasSnapshot: version.Valid, SnapshotVersion: version.Int64}, nil
}

func (q queries) CreateLogin(ctx context.Context, l *store.Login) error {
	_, err := q.writer.ExecContext(ctx, qCreateLogin,
		l.ID, l.CustomerID, l.Institution, l.Username, l.UsernameKey, l.Language, l.Saved, l.ScheduledRefresh,
		l.Type, toMicros(l.LastRefresh), l.LastRefreshCode, l.Version, toMicros(l.CreatedAt), toMicros(l.UpdatedAt), l.Sealed, l.DataKey,
		toMicros(l.LastAttempt), l.TwoStep, toMicros(l.LastCached))
	return mapErr(err)
}

func (q queries) UpdateLogin(ctx context.Context, l *store.Login) error {
	res, err := q.writer.ExecContext(ctx, qUpdateLogin,
		l.Username, l.Language, l.Saved, l.ScheduledRefresh, l.Type, toMicros(l.LastRefresh),
		l.LastRefreshCode, toMicros(l.UpdatedAt), l.Sealed, l.DataKey, toMicros(l.LastAttempt), l.TwoStep, l.ID, l.CustomerID, l.Version)
	if err := checkOne(res, err); err != nil {
		return err
	}
	l.Version++
	return nil
}

func (q queries) DeleteLogin(ctx context.Context, customerID, loginID string) error {
	if q.tx == nil {
		return q.inTx(ctx, func(q queries) error { return q.DeleteLogin(ctx, customerID, loginID) })
	}
	// Its journal first, while its sessions still name the entries of the
	// conversation that made it; a login that is not there rolls it back.
	if err := q.deleteLoginJournal(ctx, customerID, loginID); err != nil {
		return err
	}
	// Its sessions and its snapshot go with it: their foreign keys cascade.
	res, err := q.writer.ExecContext(ctx, `DELETE FROM logins WHERE id = ? AND customer_id = ?`, loginID, customerID)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return store.ErrNotFound
	}
	q.state.deleted = true
	// River keeps finished jobs for a day; their arguments name the login
	// and its sessions, and nothing of a deleted login may remain. Its
	// webhook deliveries take their attempts with them (foreign key).
	if _, err := q.writer.ExecContext(ctx, `DELETE FROM webhook_deliveries WHERE login_id = ? AND customer_id = ?`,
		loginID, customerID); err != nil {
		return err
	}
	_, err = q.writer.ExecContext(ctx, `DELETE FROM river_job WHERE json_extract(args, '$.login_id') = ?`, loginID)
	return err
}

func (q queries) LoginFetching(ctx context.Context, customerID, loginID string) (bool, error) {
	var n int
	err := q.reader.QueryRowContext(ctx, qLoginFetching, loginID, customerID).Scan(&n)
	return n > 0, err
}

func (q queries) Enqueue(ctx context.Context, job store.Job) error {
	if q.tx == nil {
		return q.inTx(ctx, func(q queries) error { return q.Enqueue(ctx, job) })
	}
	res, err := q.jobs.InsertTx(ctx, q.tx, job, nil)
	if err != nil {
		return err
	}
	// The queue River chose, from the job's own InsertOpts or its default;
	// a job scheduled for later has nothing for a worker to do yet.
	if res.Job.State == rivertype.JobStateAvailable {
		q.state.queues = append(q.state.queues, res.Job.Queue)
	}
	return nil
}

func checkOne(res sql.Result, err error) error {
	if err != nil {
		return mapErr(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n != 1 {
		return store.ErrConflict
	}
	return nil
}

// mapErr turns SQLite constraint violations into store.ErrConflict.
func mapErr(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_CONSTRAINT {
		return fmt.Errorf("%w: %v", store.ErrConflict, err)
	}
	return err
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Times are stored as unix microseconds, the precision both SQLite and
// PostgreSQL keep; zero stands for the zero time.
func toMicros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func fromMicros(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMicro(v).UTC()
}
