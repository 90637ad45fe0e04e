package sqlitestore

import (
	"context"
	"time"

	"github.com/bankfeed/bankfeed/internal/store"
)

func (q queries) MarkCached(ctx context.Context, customerID, loginID string, t time.Time) error {
	res, err := q.writer.ExecContext(ctx, `UPDATE logins SET last_cached = max(last_cached, ?) WHERE id = ? AND customer_id = ?`,
		toMicros(t), loginID, customerID)
	return notFoundUnlessOne(res, err)
}

const scheduledWhere = ` FROM logins WHERE scheduled_refresh = 1 AND saved = 1 AND id > ?`

func (q queries) ScheduledLogins(ctx context.Context, sq store.ScheduledQuery) ([]*store.Login, error) {
	query, args := `SELECT `+loginColumns+scheduledWhere+` ORDER BY id LIMIT ?`, []any{sq.AfterID, sq.Limit}
	if sq.CustomerID != "" {
		query, args = `SELECT `+loginColumns+scheduledWhere+` AND customer_id = ? ORDER BY id LIMIT ?`, []any{sq.AfterID, sq.CustomerID, sq.Limit}
	}
	rows, err := q.reader.QueryContext(ctx, query, args...)
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
		out = append(out, l)
	}
	return out, rows.Err()
}
