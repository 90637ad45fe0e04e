// Package pgstore implements the store contract on PostgreSQL
// (github.com/jackc/pgx/v5), for several bankfeed processes sharing one
// database.
//
// Every process is alike: each runs the migrations it lacks at start
// (serialized across processes by an advisory lock), reads and writes through
// a pool, and inserts jobs in its own transactions. Concurrent writers are
// told apart by the rows' versions, as on SQLite; PostgreSQL's READ
// COMMITTED isolation is enough, because every compare-and-swap of the
// contract is one UPDATE ... WHERE version = $n, which PostgreSQL re-checks
// after waiting for a concurrent writer of the row.
package pgstore

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/bankfeed/bankfeed/internal/store"
	"github.com/bankfeed/bankfeed/internal/store/migration"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

//go:embed migrations/*.sql
var migrations embed.FS

const (
	// DefaultMaxConns is the pool size when the URL sets none
	// (pool_max_conns): enough for the HTTP handlers and the 16 job
	// workers of one process, few enough that a handful of processes fit
	// in PostgreSQL's default 100 connections.
	DefaultMaxConns = 20
	// DefaultConnectTimeout bounds a connection attempt when the URL sets
	// none (connect_timeout): a database that does not answer makes
	// requests fail soon, rather than wait for the operating system's
	// minutes-long TCP timeout.
	DefaultConnectTimeout = 5 * time.Second
	// DefaultOpTimeout bounds one operation of the store (a query, or a
	// whole transaction) whose context has no earlier deadline, so that no
	// request waits on a database that went away.
	DefaultOpTimeout = 10 * time.Second
	// migrationLock is the advisory lock key that serializes the
	// migrations of processes starting together: "bankfeed" in ASCII.
	migrationLock = 0x62616e6b66656564
)

// Store is a store.Store on PostgreSQL.
type Store struct {
	queries
	pool *pgxpool.Pool
	// validator checks River's migrations for Migrated, made at its first
	// call.
	validator migration.Once[*rivermigrate.Migrator[pgx.Tx]]
}

var _ store.Store = (*Store)(nil)

// Options tune Open; the zero value is the defaults.
type Options struct {
	// OpTimeout replaces DefaultOpTimeout when positive.
	OpTimeout time.Duration
}

// Open connects to the database at url (a postgres:// URL or a key=value
// connection string) and applies the migrations it lacks, bankfeed's and
// then the jobs engine's.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's message may quote the URL, password included.
		return nil, errors.New("pgstore: the database URL is not a valid PostgreSQL URL or connection string")
	}
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = DefaultMaxConns
	}
	if !strings.Contains(url, "connect_timeout") {
		cfg.ConnConfig.ConnectTimeout = DefaultConnectTimeout
	}
	// A broken connection is found by its next use anyway; checking idle
	// ones often means that after an outage the pool holds no dead
	// connection for long.
	cfg.HealthCheckPeriod = 5 * time.Second
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("pgstore: %w", classify(err))
	}
	timeout := opts.OpTimeout
	if timeout <= 0 {
		timeout = DefaultOpTimeout
	}
	s := &Store{pool: pool}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("pgstore: migrate: %w", classify(err))
	}
	// The jobs engine, River, keeps its tables in the same database, so that
	// a job is inserted in the transaction of the rows that need it: this
	// client only inserts; the application's client works the jobs.
	//
	// An insert in a transaction sends a notification, delivered at commit,
	// that wakes the workers listening, in this process or another; but
	// River sends at most one per queue every FetchCooldown of the
	// inserting client, 100 ms by default, and a job whose notification it
	// held back waits for the workers' next poll. The least cooldown River
	// allows makes nearly every live Authorize's fetch start at its commit;
	// the notifications it adds are a few bytes each, and the workers
	// debounce their fetches by their own cooldown whatever they receive.
	jobs, err := river.NewClient(riverpgxv5.New(pool), &river.Config{FetchCooldown: river.FetchCooldownMin})
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("pgstore: jobs client: %w", err)
	}
	s.queries = queries{db: pool, inTx: s.inTx, jobs: jobs, timeout: timeout}
	return s, nil
}

// Pool returns the connection pool, for the jobs engine's worker client.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

func (s *Store) migrate(ctx context.Context) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	// A session lock, held across both sets of migrations: a second process
	// starting meanwhile waits here, then finds nothing left to apply.
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, int64(migrationLock)); err != nil {
		return err
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, int64(migrationLock))
	if err := migrateOwn(ctx, conn.Conn()); err != nil {
		return err
	}
	migrator, err := rivermigrate.New(riverpgxv5.New(s.pool), nil)
	if err != nil {
		return err
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("jobs tables: %w", err)
	}
	return nil
}

// migrateOwn applies bankfeed's migrations that conn's database lacks, each
// in its own transaction with its record in schema_migrations.
func migrateOwn(ctx context.Context, conn *pgx.Conn) error {
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at bigint NOT NULL)`); err != nil {
		return err
	}
	files, err := migration.Files(migrations)
	if err != nil {
		return err
	}
	for _, m := range files {
		version, base, body := m.Version, m.Name, m.Body
		err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			var applied bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)`, version).Scan(&applied); err != nil {
				return err
			}
			if applied {
				return nil
			}
			// Several statements: the simple protocol runs them as one.
			if _, err := tx.Exec(ctx, string(body), pgx.QueryExecModeSimpleProtocol); err != nil {
				return fmt.Errorf("migration %s: %w", base, err)
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`, version, time.Now().UnixMicro())
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// InTx implements store.Store.
func (s *Store) InTx(ctx context.Context, fn func(store.Queries) error) error {
	return s.inTx(ctx, func(q queries) error { return fn(q) })
}

// inTx runs fn on the queries of one transaction, committed when fn returns
// nil and rolled back otherwise. BEGIN and COMMIT are bounded by the store's
// operation timeout, and so is each statement of fn, by the query that runs
// it (queries.bound): pgx ties a transaction's statements to the context
// each is given, not to the one of BEGIN, so a query that ran one on its
// caller's context could wait forever on a database that stopped answering
// (TestDatabaseOutage hung so in Enqueue).
func (s *Store) inTx(ctx context.Context, fn func(queries) error) error {
	return s.runTx(ctx, pgx.TxOptions{}, fn)
}

// ReadTx implements store.Store: a read-only transaction at REPEATABLE
// READ, which reads one snapshot of the database from its first query, and
// refuses writes.
func (s *Store) ReadTx(ctx context.Context, fn func(store.Queries) error) error {
	return s.runTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(q queries) error { return fn(q) })
}

func (s *Store) runTx(ctx context.Context, opts pgx.TxOptions, fn func(queries) error) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	tx, err := s.pool.BeginTx(ctx, opts)
	if err != nil {
		return classify(err)
	}
	// Deferred, so that a panic in fn also rolls back and returns the
	// connection to the pool. After Commit it is a no-op.
	defer tx.Rollback(context.WithoutCancel(ctx))
	if err := fn(queries{db: tx, tx: tx, jobs: s.jobs, timeout: s.timeout}); err != nil {
		return err
	}
	return classify(tx.Commit(ctx))
}

// DeleteSessionsIdleSince implements store.Store.
func (s *Store) DeleteSessionsIdleSince(ctx context.Context, t time.Time) (int64, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	tag, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE updated_at < $1`, t.UnixMicro())
	return tag.RowsAffected(), classify(err)
}

// DeleteUnsavedLogins implements store.Store.
func (s *Store) DeleteUnsavedLogins(ctx context.Context, t time.Time) (int64, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	tag, err := s.pool.Exec(ctx, `
		DELETE FROM logins
		WHERE NOT saved AND updated_at < $1
		  AND NOT EXISTS (SELECT 1 FROM sessions WHERE sessions.login_id = logins.id)`, t.UnixMicro())
	return tag.RowsAffected(), classify(err)
}

// Ping implements store.Store: it runs a query, not only a connection
// check, so that a database that accepts connections but cannot serve
// (starting up, shutting down) is reported.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	var one int
	return classify(s.pool.QueryRow(ctx, `SELECT 1`).Scan(&one))
}

// Close closes the pool.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// querier is what the queries run on: the pool, or one transaction.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// queries implements store.Queries on the pool or on one transaction.
type queries struct {
	db querier
	// tx is the transaction the queries run in; nil outside one.
	tx pgx.Tx
	// inTx runs fn in a transaction, for the writes of several statements;
	// nil when the queries already run in one.
	inTx func(ctx context.Context, fn func(queries) error) error
	// jobs inserts jobs, in tx.
	jobs    *river.Client[pgx.Tx]
	timeout time.Duration
}

// bound returns ctx with the operation timeout, unless ctx has an earlier
// deadline.
func (q queries) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if d, ok := ctx.Deadline(); ok && time.Until(d) <= q.timeout {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, q.timeout)
}

// Error classes and codes of PostgreSQL (Appendix A of its manual).
const (
	classIntegrityViolation  = "23"
	classConnectionException = "08"
	codeSerializationFailure = "40001"
	codeDeadlockDetected     = "40P01"
	codeAdminShutdown        = "57P01"
	codeCrashShutdown        = "57P02"
	codeCannotConnectNow     = "57P03"
	codeTooManyConnections   = "53300"
)

// classify maps an error of the driver to the store's: a violated
// constraint, a serialization failure or a deadlock is store.ErrConflict
// (the caller reads again and retries, as after a lost compare-and-swap);
// a database that cannot be reached, or that is shutting down or starting
// up, is store.ErrUnavailable. Anything else is returned as is.
func classify(err error) error {
	if err == nil {
		return nil
	}
	// First: a failure to connect carries the server's refusal as a
	// PgError (database missing, too many clients, starting up), and
	// whatever it says, the database cannot be used now.
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return fmt.Errorf("%w: %v", store.ErrUnavailable, err)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case strings.HasPrefix(pe.Code, classIntegrityViolation), pe.Code == codeSerializationFailure, pe.Code == codeDeadlockDetected:
			return fmt.Errorf("%w: %v", store.ErrConflict, err)
		case strings.HasPrefix(pe.Code, classConnectionException), pe.Code == codeAdminShutdown, pe.Code == codeCrashShutdown,
			pe.Code == codeCannotConnectNow, pe.Code == codeTooManyConnections:
			return fmt.Errorf("%w: %v", store.ErrUnavailable, err)
		}
		return err
	}
	var ne net.Error
	switch {
	case errors.As(err, &ne), pgconn.Timeout(err), pgconn.SafeToRetry(err),
		errors.Is(err, pgconn.ErrConnClosed), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%w: %v", store.ErrUnavailable, err)
	}
	return err
}

const sessionColumns = `id, customer_id, login_id, institution, username, language, tag, mode, save,
	schedule_refresh, state, attempts, "fetch", fetch_code, requests, busy_until, version, created_at, updated_at, sealed`

func (q queries) Session(ctx context.Context, customerID, id string) (*store.Session, error) {
	ctx, cancel := q.bound(ctx)
	defer cancel()
	var r sessionRow
	if err := q.db.QueryRow(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE id = $1 AND customer_id = $2`, id, customerID).Scan(r.dest()...); err != nil {
		return nil, noRow(err)
	}
	return r.session(), nil
}

// sessionRow is where a row of sessionColumns is scanned.
type sessionRow struct {
	s                      store.Session
	loginID                *string
	busy, created, updated int64
}

func (r *sessionRow) dest() []any {
	s := &r.s
	return []any{&s.ID, &s.CustomerID, &r.loginID, &s.Institution, &s.Username, &s.Language, &s.Tag, &s.Mode, &s.Save,
		&s.ScheduleRefresh, &s.State, &s.Attempts, &s.Fetch, &s.FetchCode, &s.Requests, &r.busy, &s.Version, &r.created, &r.updated, &s.Sealed}
}

func (r *sessionRow) session() *store.Session {
	if r.loginID != nil {
		r.s.LoginID = *r.loginID
	}
	r.s.BusyUntil, r.s.CreatedAt, r.s.UpdatedAt = fromMicros(r.busy), fromMicros(r.created), fromMicros(r.updated)
	return &r.s
}

// noRow is the store's error for err of a one-row query: ErrNotFound when
// there was no row.
func noRow(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrNotFound
	}
	return classify(err)
}

func (q queries) CreateSession(ctx context.Context, s *store.Session) error {
	ctx, cancel := q.bound(ctx)
	defer cancel()
	_, err := q.db.Exec(ctx, `INSERT INTO sessions (`+sessionColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
		s.ID, s.CustomerID, nullable(s.LoginID), s.Institution, s.Username, s.Language, s.Tag, s.Mode, s.Save,
		s.ScheduleRefresh, s.State, s.Attempts, s.Fetch, s.FetchCode, s.Requests, toMicros(s.BusyUntil), s.Version,
		toMicros(s.CreatedAt), toMicros(s.UpdatedAt), s.Sealed)
	return classify(err)
}

func (q queries) UpdateSession(ctx context.Context, s *store.Session) error {
	ctx, cancel := q.bound(ctx)
	defer cancel()
	tag, err := q.db.Exec(ctx, `
		UPDATE sessions SET login_id = $1, username = $2, tag = $3, state = $4, attempts = $5, "fetch" = $6, fetch_code = $7,
			requests = $8, busy_until = $9, version = version + 1, updated_at = $10, sealed = $11
		WHERE id = $12 AND customer_id = $13 AND version = $14`,
		nullable(s.LoginID), s.Username, s.Tag, s.State, s.Attempts, s.Fetch, s.FetchCode, s.Requests, toMicros(s.BusyUntil),
		toMicros(s.UpdatedAt), s.Sealed, s.ID, s.CustomerID, s.Version)
	if err := conflictUnlessOne(tag, err); err != nil {
		return err
	}
	s.Version++
	return nil
}

const loginColumns = `id, customer_id, institution, username, username_key, language, saved, scheduled_refresh,
	type, last_refresh, last_refresh_code, version, created_at, updated_at, sealed, data_key, last_attempt, two_step, last_cached`

func (q queries) Login(ctx context.Context, customerID, id string) (*store.Login, error) {
	ctx, cancel := q.bound(ctx)
	defer cancel()
	return scanLogin(q.db.QueryRow(ctx, `SELECT `+loginColumns+` FROM logins WHERE id = $1 AND customer_id = $2`, id, customerID))
}

func (q queries) LoginByUsername(ctx context.Context, customerID, institution, usernameKey string) (*store.Login, error) {
	ctx, cancel := q.bound(ctx)
	defer cancel()
	return scanLogin(q.db.QueryRow(ctx, `SELECT `+loginColumns+` FROM logins WHERE customer_id = $1 AND institution = $2 AND username_key = $3`,
		customerID, institution, usernameKey))
}

func scanLogin(row pgx.Row) (*store.Login, error) {
	var r loginRow
	if err := row.Scan(r.dest()...); err != nil {
		return nil, noRow(err)
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

// qSessionView reads a session, its login and its snapshot's version, the
// column lists qualified by their tables' aliases.
var qSessionView = `SELECT ` + qualify("s", sessionColumns) + `, ` + qualify("l", loginColumns) + `, v.version
	FROM sessions s JOIN logins l ON l.id = s.login_id AND l.customer_id = s.customer_id
	LEFT JOIN snapshots v ON v.login_id = l.id
	WHERE s.id = $1 AND s.customer_id = $2`

// qualify prefixes each column of the list columns with alias.
func qualify(alias, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// SessionLogins implements store.Queries.
func (q queries) SessionLogins(ctx context.Context, customerID string, ids []string) (map[string]string, error) {
	ctx, cancel := q.bound(ctx)
	defer cancel()
	rows, err := q.db.Query(ctx, `SELECT id, coalesce(login_id, '') FROM sessions WHERE customer_id = $1 AND id = ANY($2)`, customerID, ids)
	if err != nil {
		return nil, classify(err)
	}
	found := make(map[string]string, len(ids))
	var id, login string
	_, err = pgx.ForEachRow(rows, []any{&id, &login}, func() error {
		found[id] = login
		return nil
	})
	return found, classify(err)
}

// SessionView implements store.Queries: the session joined to its login,
// and to the login's snapshot for its version.
func (q queries) SessionView(ctx context.Context, customerID, id string) (*store.SessionView, error) {
	ctx, cancel := q.bound(ctx)
	defer cancel()
	var sr sessionRow
	var lr loginRow
	var version *int64
	dest := append(append(sr.dest(), lr.dest()...), &version)
	if err := q.db.QueryRow(ctx, qSessionView, id, customerID).Scan(dest...); err != nil {
		return nil, noRow(err)
	}
	v := &store.SessionView{Session: sr.session(), Login: lr.login(), HasSnapshot: version != nil}
	if version != nil {
		v.SnapshotVersion = *version
	}
	return v, nil
}

func (q queries) CreateLogin(ctx context.Context, l *store.Login) error {
	ctx, cancel := q.bound(ctx)
	defer cancel()
	_, err := q.db.Exec(ctx, `INSERT INTO logins (`+loginColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
		l.ID, l.CustomerID, l.Institution, l.Username, l.UsernameKey, l.Language, l.Saved, l.ScheduledRefresh,
		l.Type, toMicros(l.LastRefresh), l.LastRefreshCode, l.Version, toMicros(l.CreatedAt), toMicros(l.UpdatedAt), l.Sealed, l.DataKey,
		toMicros(l.LastAttempt), l.TwoStep, toMicros(l.LastCached))
	return classify(err)
}

func (q queries) UpdateLogin(ctx context.Context, l *store.Login) error {
	ctx, cancel := q.bound(ctx)
	defer cancel()
	tag, err := q.db.Exec(ctx, `
		UPDATE logins SET username = $1, language = $2, saved = $3, scheduled_refresh = $4, type = $5, last_refresh = $6,
			last_refresh_code = $7, version = version + 1, updated_at = $8, sealed = $9, data_key = coalesce(data_key, $10),
			last_attempt = $11, two_step = $12
		WHERE id = $13 AND customer_id = $14 AND version = $15`,
		l.Username, l.Language, l.Saved, l.ScheduledRefresh, l.Type, toMicros(l.LastRefresh),
		l.LastRefreshCode, toMicros(l.UpdatedAt), l.Sealed, l.DataKey, toMicros(l.LastAttempt), l.TwoStep, l.ID, l.CustomerID, l.Version)
	if err := conflictUnlessOne(tag, err); err != nil {
		return err
	}
	l.Version++
	return nil
}

func (q queries) DeleteLogin(ctx context.Context, customerID, loginID string) error {
	if q.tx == nil {
		return q.inTx(ctx, func(q queries) error { return q.DeleteLogin(ctx, customerID, loginID) })
	}
	ctx, cancel := q.bound(ctx)
	defer cancel()
	// Its journal first, while its sessions still name the entries of the
	// conversation that made it; a login that is not there rolls it back.
	if err := q.deleteLoginJournal(ctx, customerID, loginID); err != nil {
		return err
	}
	// Its sessions and its snapshot go with it: their foreign keys cascade.
	tag, err := q.db.Exec(ctx, `DELETE FROM logins WHERE id = $1 AND customer_id = $2`, loginID, customerID)
	if err != nil {
		return classify(err)
	}
	if tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	// River keeps finished jobs for a day; their arguments name the login
	// and its sessions, and nothing of a deleted login may remain. Its
	// webhook deliveries take their attempts with them (foreign key).
	if _, err := q.db.Exec(ctx, `DELETE FROM webhook_deliveries WHERE login_id = $1 AND customer_id = $2`,
		loginID, customerID); err != nil {
		return classify(err)
	}
	_, err = q.db.Exec(ctx, `DELETE FROM river_job WHERE args->>'login_id' = $1`, loginID)
	return classify(err)
}

func (q queries) LoginFetching(ctx context.Context, customerID, loginID string) (bool, error) {
	ctx, cancel := q.bound(ctx)
	defer cancel()
	var busy bool
	err := q.db.QueryRow(ctx, `
		SELECT EXISTS (SELECT 1 FROM sessions
		WHERE login_id = $1 AND customer_id = $2 AND "fetch" IN ('pending', 'dispatched'))`, loginID, customerID).Scan(&busy)
	return busy, classify(err)
}

func (q queries) Enqueue(ctx context.Context, job store.Job) error {
	if q.tx == nil {
		return q.inTx(ctx, func(q queries) error { return q.Enqueue(ctx, job) })
	}
	ctx, cancel := q.bound(ctx)
	defer cancel()
	_, err := q.jobs.InsertTx(ctx, q.tx, job, nil)
	return classify(err)
}

// conflictUnlessOne maps an update that changed no row (its version moved,
// or it is gone) to store.ErrConflict.
func conflictUnlessOne(tag pgconn.CommandTag, err error) error {
	if err != nil {
		return classify(err)
	}
	if tag.RowsAffected() != 1 {
		return store.ErrConflict
	}
	return nil
}

// notFoundUnlessOne maps an update that changed no row to store.ErrNotFound.
func notFoundUnlessOne(tag pgconn.CommandTag, err error) error {
	if err != nil {
		return classify(err)
	}
	if tag.RowsAffected() != 1 {
		return store.ErrNotFound
	}
	return nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Times are stored as unix microseconds, as on SQLite; zero stands for the
// zero time.
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
