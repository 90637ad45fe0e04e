package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/bankfeed/bankfeed/internal/store"
)

var _ store.Sandbox = (*Store)(nil)

const faultColumns = `id, endpoint, institution, login_id, customer_id, status, flinks_code, latency_us, probability, seed, times,
	matched, fired, created_at`

func (s *Store) CreateFault(ctx context.Context, f *store.Fault) error {
	_, err := s.writer.ExecContext(ctx, `INSERT INTO faults (`+faultColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		f.ID, f.Endpoint, f.Institution, f.LoginID, f.CustomerID, f.Status, f.FlinksCode, f.Latency.Microseconds(),
		f.Probability, f.Seed, f.Times, f.Matched, f.Fired, toMicros(f.CreatedAt))
	return mapErr(err)
}

func (s *Store) Faults(ctx context.Context) ([]*store.Fault, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT `+faultColumns+` FROM faults ORDER BY seq`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*store.Fault
	for rows.Next() {
		var f store.Fault
		var latency, created int64
		if err := rows.Scan(&f.ID, &f.Endpoint, &f.Institution, &f.LoginID, &f.CustomerID, &f.Status, &f.FlinksCode, &latency,
			&f.Probability, &f.Seed, &f.Times, &f.Matched, &f.Fired, &created); err != nil {
			return nil, err
		}
		f.Latency, f.CreatedAt = time.Duration(latency)*time.Microsecond, fromMicros(created)
		out = append(out, &f)
	}
	return out, rows.Err()
}

func (s *Store) DeleteFault(ctx context.Context, id string) error {
	res, err := s.writer.ExecContext(ctx, `DELETE FROM faults WHERE id = ?`, id)
	return notFoundUnlessOne(res, err)
}

func (s *Store) DeleteFaults(ctx context.Context, customerID string) (int64, error) {
	res, err := s.writer.ExecContext(ctx, `DELETE FROM faults WHERE ? = '' OR customer_id = ?`, customerID, customerID)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (s *Store) MatchFault(ctx context.Context, id string, fires func(n int64) bool) (bool, error) {
	var fired bool
	err := s.inTx(ctx, func(q queries) error {
		fired = false
		var n, times, spent int64
		// The one writer serializes this transaction with every other
		// process's: each match gets its own number.
		if err := q.writer.QueryRowContext(ctx, `UPDATE faults SET matched = matched + 1 WHERE id = ? RETURNING matched, times, fired`,
			id).Scan(&n, &times, &spent); err != nil {
			return notFound(err)
		}
		if (times != 0 && spent >= times) || !fires(n) {
			return nil
		}
		fired = true
		_, err := q.writer.ExecContext(ctx, `UPDATE faults SET fired = fired + 1 WHERE id = ?`, id)
		return err
	})
	return fired, err
}

const journalColumns = `kind, customer_id, login_id, request_id, method, path, status, flinks_code, duration_us, event, detail,
	at, clock, request_body, response_body`

const (
	qAppendJournal = `INSERT INTO journal (` + journalColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	qPruneJournal  = `DELETE FROM journal WHERE seq <= ?`
)

func (s *Store) AppendJournal(ctx context.Context, entries []*store.JournalEntry, keep int) error {
	if len(entries) == 0 {
		return nil
	}
	// Prepared once, outside any transaction (the transaction holds the
	// one writer connection): a row is then one step of a kept statement,
	// which a write of hundreds of rows a second needs.
	for _, query := range []string{qAppendJournal, qPruneJournal} {
		if _, err := s.writeStmts.stmt(ctx, query); err != nil {
			return err
		}
	}
	return s.inTx(ctx, func(q queries) error {
		for _, e := range entries {
			res, err := q.writer.ExecContext(ctx, qAppendJournal, e.Kind, e.CustomerID, e.LoginID, e.RequestID, e.Method, e.Path,
				e.Status, e.FlinksCode, e.Duration.Microseconds(), e.Event, e.Detail, toMicros(e.At), toMicros(e.Clock),
				e.RequestBody, e.ResponseBody)
			if err != nil {
				return err
			}
			if e.Seq, err = res.LastInsertId(); err != nil {
				return err
			}
		}
		if keep <= 0 {
			return nil
		}
		// seq grows by one per entry, so the bound is one range delete on
		// the primary key: nothing to count.
		_, err := q.writer.ExecContext(ctx, qPruneJournal, entries[len(entries)-1].Seq-int64(keep))
		return err
	})
}

func (s *Store) Journal(ctx context.Context, jq store.JournalQuery) ([]*store.JournalEntry, error) {
	var where []string
	var args []any
	for _, c := range []struct{ col, v string }{{"customer_id", jq.CustomerID}, {"request_id", jq.RequestID}} {
		if c.v != "" {
			where, args = append(where, c.col+" = ?"), append(args, c.v)
		}
	}
	if jq.LoginID != "" {
		// And the entries of its sessions written before it had an id.
		where = append(where, "(login_id = ? OR request_id IN (SELECT id FROM sessions WHERE login_id = ?))")
		args = append(args, jq.LoginID, jq.LoginID)
	}
	if jq.AfterSeq > 0 {
		where, args = append(where, "seq > ?"), append(args, jq.AfterSeq)
	}
	if !jq.Since.IsZero() {
		where, args = append(where, "clock >= ?"), append(args, toMicros(jq.Since))
	}
	query := `SELECT seq, ` + journalColumns + ` FROM journal`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	limit := jq.Limit
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.reader.QueryContext(ctx, query+` ORDER BY seq DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*store.JournalEntry
	for rows.Next() {
		var e store.JournalEntry
		var dur, at, clock int64
		if err := rows.Scan(&e.Seq, &e.Kind, &e.CustomerID, &e.LoginID, &e.RequestID, &e.Method, &e.Path, &e.Status, &e.FlinksCode,
			&dur, &e.Event, &e.Detail, &at, &clock, &e.RequestBody, &e.ResponseBody); err != nil {
			return nil, err
		}
		e.Duration, e.At, e.Clock = time.Duration(dur)*time.Microsecond, fromMicros(at), fromMicros(clock)
		out = append(out, &e)
	}
	return out, rows.Err()
}

func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	return err
}

// deleteLoginJournal deletes the journal entries of a login: those naming
// it, and those of its sessions, which include the rounds of the
// conversation that made it, before it had an id.
func (q queries) deleteLoginJournal(ctx context.Context, customerID, loginID string) error {
	_, err := q.writer.ExecContext(ctx, `DELETE FROM journal WHERE customer_id = ? AND (login_id = ?
		OR request_id IN (SELECT id FROM sessions WHERE login_id = ? AND customer_id = ?))`, customerID, loginID, loginID, customerID)
	return err
}

func (s *Store) SandboxLogins(ctx context.Context, customerID string, limit int) ([]*store.Login, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT `+loginColumns+` FROM logins WHERE ? = '' OR customer_id = ?
		ORDER BY created_at DESC, id LIMIT ?`, customerID, customerID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*store.Login
	for rows.Next() {
		l, err := scanLogin(rows)
		if err != nil {
			return nil, err
		}
		l.Sealed, l.DataKey = nil, nil
		out = append(out, l)
	}
	return out, rows.Err()
}

func (s *Store) LoginSessions(ctx context.Context, customerID, loginID string, limit int) ([]*store.Session, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT id, customer_id, institution, mode, state, attempts, "fetch", fetch_code,
		version, created_at, updated_at FROM sessions WHERE login_id = ? AND customer_id = ? ORDER BY created_at DESC, id LIMIT ?`,
		loginID, customerID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*store.Session
	for rows.Next() {
		ss := store.Session{LoginID: loginID}
		var created, updated int64
		if err := rows.Scan(&ss.ID, &ss.CustomerID, &ss.Institution, &ss.Mode, &ss.State, &ss.Attempts, &ss.Fetch, &ss.FetchCode,
			&ss.Version, &created, &updated); err != nil {
			return nil, err
		}
		ss.CreatedAt, ss.UpdatedAt = fromMicros(created), fromMicros(updated)
		out = append(out, &ss)
	}
	return out, rows.Err()
}
