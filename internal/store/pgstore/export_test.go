package pgstore

import "context"

// JobArgsOf returns the JSON arguments of the jobs naming loginID, for the
// conformance suite's Enqueue test.
func (s *Store) JobArgsOf(ctx context.Context, loginID string) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT args::text FROM river_job WHERE args->>'login_id' = $1`, loginID)
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
