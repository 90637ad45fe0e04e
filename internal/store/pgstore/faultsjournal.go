package pgstore

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bankfeed/bankfeed/internal/store"
	"github.com/jackc/pgx/v5"
)

var _ store.Sandbox = (*Store)(nil)

const faultColumns = `id, endpoint, institution, login_id, customer_id, status, flinks_code, latency_us, probability, seed, times,
	matched, fired, created_at`

func (s *Store) CreateFault(ctx context.Context, f *store.Fault) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	_, err := s.db.Exec(ctx, `INSERT INTO faults (`+faultColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		f.ID, f.Endpoint, f.Institution, f.LoginID, f.CustomerID, f.Status, f.FlinksCode, f.Latency.Microseconds(),
		f.Probability, f.Seed, f.Times, f.Matched, f.Fired, toMicros(f.CreatedAt))
	return classify(err)
}

func (s *Store) Faults(ctx context.Context) ([]*store.Fault, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	rows, err := s.db.Query(ctx, `SELECT `+faultColumns+` FROM faults ORDER BY seq`)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	var out []*store.Fault
	for rows.Next() {
		var f store.Fault
		var latency, created int64
		if err := rows.Scan(&f.ID, &f.Endpoint, &f.Institution, &f.LoginID, &f.CustomerID, &f.Status, &f.FlinksCode, &latency,
			&f.Probability, &f.Seed, &f.Times, &f.Matched, &f.Fired, &created); err != nil {
			return nil, classify(err)
		}
		f.Latency, f.CreatedAt = time.Duration(latency)*time.Microsecond, fromMicros(created)
		out = append(out, &f)
	}
	return out, classify(rows.Err())
}

func (s *Store) DeleteFault(ctx context.Context, id string) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	tag, err := s.db.Exec(ctx, `DELETE FROM faults WHERE id = $1`, id)
	return notFoundUnlessOne(tag, err)
}

func (s *Store) DeleteFaults(ctx context.Context, customerID string) (int64, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	tag, err := s.db.Exec(ctx, `DELETE FROM faults WHERE $1 = '' OR customer_id = $1`, customerID)
	if err != nil {
		return 0, classify(err)
	}
	return tag.RowsAffected(), nil
}

func (s *Store) MatchFault(ctx context.Context, id string, fires func(n int64) bool) (bool, error) {
	var fired bool
	err := s.inTx(ctx, func(q queries) error {
		fired = false
		var n, times, spent int64
		// The UPDATE locks the row until commit: a concurrent match, on
		// any process, waits and then reads the counts this one wrote.
		err := q.db.QueryRow(ctx, `UPDATE faults SET matched = matched + 1 WHERE id = $1 RETURNING matched, times, fired`,
			id).Scan(&n, &times, &spent)
		if errors.Is(err, pgx.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return classify(err)
		}
		if (times != 0 && spent >= times) || !fires(n) {
			return nil
		}
		fired = true
		_, err = q.db.Exec(ctx, `UPDATE faults SET fired = fired + 1 WHERE id = $1`, id)
		return classify(err)
	})
	return fired, err
}

const journalColumns = `kind, customer_id, login_id, request_id, method, path, status, flinks_code, duration_us, event, detail,
	at, clock, request_body, response_body`

// journalRows is the most entries one INSERT writes.
const journalRows = 64

func (s *Store) AppendJournal(ctx context.Context, entries []*store.JournalEntry, keep int) error {
	if len(entries) == 0 {
		return nil
	}
	return s.inTx(ctx, func(q queries) error {
		for start := 0; start < len(entries); start += journalRows {
			chunk := entries[start:min(start+journalRows, len(entries))]
			args := make([]any, 0, 15*len(chunk))
			var values strings.Builder
			for i, e := range chunk {
				args = append(args, e.Kind, e.CustomerID, e.LoginID, e.RequestID, e.Method, e.Path, e.Status, e.FlinksCode,
					e.Duration.Microseconds(), e.Event, e.Detail, toMicros(e.At), toMicros(e.Clock), e.RequestBody, e.ResponseBody)
				if i > 0 {
					values.WriteByte(',')
				}
				values.WriteByte('(')
				for c := range 15 {
					if c > 0 {
						values.WriteByte(',')
					}
					values.WriteString("$" + strconv.Itoa(15*i+c+1))
				}
				values.WriteByte(')')
			}
			rows, err := q.db.Query(ctx, `INSERT INTO journal (`+journalColumns+`) VALUES `+values.String()+` RETURNING seq`, args...)
			if err != nil {
				return classify(err)
			}
			seqs, err := pgx.CollectRows(rows, pgx.RowTo[int64])
			if err != nil {
				return classify(err)
			}
			// An identity numbers the rows of one INSERT as they come; the
			// order RETURNING lists them in is not promised, the numbers are.
			slices.Sort(seqs)
			for i, e := range chunk {
				if i < len(seqs) {
					e.Seq = seqs[i]
				}
			}
		}
		if keep <= 0 {
			return nil
		}
		// seq is an identity: the bound is one range delete on the primary
		// key, nothing to count. Several processes' numbers interleave, so
		// the bound is kept to within the entries in flight.
		_, err := q.db.Exec(ctx, `DELETE FROM journal WHERE seq <= $1`, entries[len(entries)-1].Seq-int64(keep))
		return classify(err)
	})
}

func (s *Store) Journal(ctx context.Context, jq store.JournalQuery) ([]*store.JournalEntry, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	for _, c := range []struct{ col, v string }{{"customer_id", jq.CustomerID}, {"request_id", jq.RequestID}} {
		if c.v != "" {
			where = append(where, c.col+" = "+arg(c.v))
		}
	}
	if jq.LoginID != "" {
		// And the entries of its sessions written before it had an id.
		n := arg(jq.LoginID)
		where = append(where, "(login_id = "+n+" OR request_id IN (SELECT id FROM sessions WHERE login_id = "+n+"))")
	}
	if jq.AfterSeq > 0 {
		where = append(where, "seq > "+arg(jq.AfterSeq))
	}
	if !jq.Since.IsZero() {
		where = append(where, "clock >= "+arg(toMicros(jq.Since)))
	}
	query := `SELECT seq, ` + journalColumns + ` FROM journal`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	query += ` ORDER BY seq DESC`
	if jq.Limit > 0 {
		query += ` LIMIT ` + arg(jq.Limit)
	}
	rows, err := s.db.Query(ctx, query, args...)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	var out []*store.JournalEntry
	for rows.Next() {
		var e store.JournalEntry
		var dur, at, clock int64
		if err := rows.Scan(&e.Seq, &e.Kind, &e.CustomerID, &e.LoginID, &e.RequestID, &e.Method, &e.Path, &e.Status, &e.FlinksCode,
			&dur, &e.Event, &e.Detail, &at, &clock, &e.RequestBody, &e.ResponseBody); err != nil {
			return nil, classify(err)
		}
		e.Duration, e.At, e.Clock = time.Duration(dur)*time.Microsecond, fromMicros(at), fromMicros(clock)
		out = append(out, &e)
	}
	return out, classify(rows.Err())
}

// deleteLoginJournal deletes the journal entries of a login: those naming
// it, and those of its sessions, which include the rounds of the
// conversation that made it, before it had an id.
func (q queries) deleteLoginJournal(ctx context.Context, customerID, loginID string) error {
	_, err := q.db.Exec(ctx, `DELETE FROM journal WHERE customer_id = $1 AND (login_id = $2
		OR request_id IN (SELECT id FROM sessions WHERE login_id = $2 AND customer_id = $1))`, customerID, loginID)
	return classify(err)
}

func (s *Store) SandboxLogins(ctx context.Context, customerID string, limit int) ([]*store.Login, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	rows, err := s.db.Query(ctx, `SELECT `+loginColumns+` FROM logins WHERE $1 = '' OR customer_id = $1
		ORDER BY created_at DESC, id LIMIT $2`, customerID, limit)
	if err != nil {
		return nil, classify(err)
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
	return out, classify(rows.Err())
}

func (s *Store) LoginSessions(ctx context.Context, customerID, loginID string, limit int) ([]*store.Session, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	rows, err := s.db.Query(ctx, `SELECT id, customer_id, institution, mode, state, attempts, "fetch", fetch_code,
		version, created_at, updated_at FROM sessions WHERE login_id = $1 AND customer_id = $2 ORDER BY created_at DESC, id LIMIT $3`,
		loginID, customerID, limit)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	var out []*store.Session
	for rows.Next() {
		ss := store.Session{LoginID: loginID}
		var created, updated int64
		if err := rows.Scan(&ss.ID, &ss.CustomerID, &ss.Institution, &ss.Mode, &ss.State, &ss.Attempts, &ss.Fetch, &ss.FetchCode,
			&ss.Version, &created, &updated); err != nil {
			return nil, classify(err)
		}
		ss.CreatedAt, ss.UpdatedAt = fromMicros(created), fromMicros(updated)
		out = append(out, &ss)
	}
	return out, classify(rows.Err())
}
