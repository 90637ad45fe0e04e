package sqlitestore

import "context"

// JobArgsOf returns the JSON arguments of the jobs naming loginID, for the
// conformance suite's Enqueue test.
func (s *Store) JobArgsOf(ctx context.Context, loginID string) ([]string, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT json(args) FROM river_job WHERE json_extract(args, '$.login_id') = ?`, loginID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// WaitingCreates is how many CreateSession calls wait for their
// transaction; Batches is how many transactions created sessions.
func (s *Store) WaitingCreates() int64 { return s.creates.waiting.Load() }
func (s *Store) Batches() int64        { return s.creates.batches.Load() }
