package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// preparedDB runs queries through statements prepared once per connection
// and kept: with modernc.org/sqlite, preparing a statement was a fifth of a
// cached Authorize's time (BenchmarkCachedAuthorize's profile). The queries
// are the store's own constants, so the cache stays small.
type preparedDB struct {
	db    *sql.DB
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

func newPreparedDB(db *sql.DB) *preparedDB {
	return &preparedDB{db: db, stmts: make(map[string]*sql.Stmt)}
}

// cached returns the kept statement of query, if any.
func (p *preparedDB) cached(query string) *sql.Stmt {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stmts[query]
}

// stmt returns the kept statement of query, preparing it on a miss. It must
// not be called inside a transaction of the writer pool: preparing needs a
// connection, and the transaction holds the only one.
func (p *preparedDB) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st := p.cached(query); st != nil {
		return st, nil
	}
	// Prepared without holding mu: waiting for a connection while holding
	// it would block every transaction's lookups behind this one.
	st, err := p.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if kept, ok := p.stmts[query]; ok {
		st.Close()
		return kept, nil
	}
	p.stmts[query] = st
	return st, nil
}

func (p *preparedDB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := p.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (p *preparedDB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := p.stmt(ctx, query)
	if err != nil {
		// The unprepared query reports the same error through the Row.
		return p.db.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

func (p *preparedDB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := p.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// close closes the kept statements.
func (p *preparedDB) close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	var errs []error
	for q, st := range p.stmts {
		errs = append(errs, st.Close())
		delete(p.stmts, q)
	}
	return errors.Join(errs...)
}

// preparedTx runs a transaction's queries through the writer's kept
// statements, bound to the transaction. A query the writer has not prepared
// yet runs unprepared: preparing it would need a second connection.
type preparedTx struct {
	tx *sql.Tx
	p  *preparedDB
}

func (t preparedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.p.cached(query); st != nil {
		return t.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, query, args...)
}

func (t preparedTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.p.cached(query); st != nil {
		return t.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, query, args...)
}

func (t preparedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.p.cached(query); st != nil {
		return t.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, query, args...)
}
