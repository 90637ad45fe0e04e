package pgstore

import (
	"context"
	"time"

	"github.com/bankfeed/bankfeed/internal/store"
)

func (q queries) MarkCached(ctx context.Context, customerID, loginID string, t time.Time) error {
	ctx, cancel := q.bound(ctx)
	defer cancel()
	tag, err := q.db.Exec(ctx, `UPDATE logins SET last_cached = greatest(last_cached, $1) WHERE id = $2 AND customer_id = $3`,
		toMicros(t), loginID, customerID)
	return notFoundUnlessOne(tag, err)
}

const scheduledWhere = ` FROM logins WHERE scheduled_refresh AND saved AND id > $1`

func (q queries) ScheduledLogins(ctx context.Context, sq store.ScheduledQuery) ([]*store.Login, error) {
	ctx, cancel := q.bound(ctx)
	defer cancel()
	query, args := `SELECT `+loginColumns+scheduledWhere+` ORDER BY id LIMIT $2`, []any{sq.AfterID, sq.Limit}
	if sq.CustomerID != "" {
		query, args = `SELECT `+loginColumns+scheduledWhere+` AND customer_id = $2 ORDER BY id LIMIT $3`, []any{sq.AfterID, sq.CustomerID, sq.Limit}
	}
	rows, err := q.db.Query(ctx, query, args...)
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
		out = append(out, l)
	}
	return out, classify(rows.Err())
}
