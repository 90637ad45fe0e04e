package sqlitestore

import (
	"context"
	"errors"
	"time"

	"github.com/bankfeed/bankfeed/internal/store"
)

func (q queries) Webhook(ctx context.Context, customerID string) (*store.Webhook, error) {
	ws, err := q.webhooks(ctx, `WHERE id = ?`, customerID)
	if err != nil {
		return nil, err
	}
	if len(ws) == 0 {
		return nil, store.ErrNotFound
	}
	return ws[0], nil
}

func (q queries) Webhooks(ctx context.Context) ([]*store.Webhook, error) {
	return q.webhooks(ctx, `ORDER BY id`)
}

func (q queries) webhooks(ctx context.Context, where string, args ...any) ([]*store.Webhook, error) {
	rows, err := q.reader.QueryContext(ctx, `SELECT customer_id, url, secret, created_at, updated_at FROM webhooks `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*store.Webhook
	for rows.Next() {
		var w store.Webhook
		var created, updated int64
		if err := rows.Scan(&w.CustomerID, &w.URL, &w.Secret, &created, &updated); err != nil {
			return nil, err
		}
		w.CreatedAt, w.UpdatedAt = fromMicros(created), fromMicros(updated)
		out = append(out, &w)
	}
	return out, rows.Err()
}

func (q queries) PutWebhook(ctx context.Context, w *store.Webhook) error {
	_, err := q.writer.ExecContext(ctx, `
		INSERT INTO webhooks (id, customer_id, url, secret, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET url = excluded.url, secret = excluded.secret, updated_at = excluded.updated_at`,
		w.CustomerID, w.CustomerID, w.URL, w.Secret, toMicros(w.CreatedAt), toMicros(w.UpdatedAt))
	if errors.Is(mapErr(err), store.ErrConflict) {
		// The only constraint an upsert can break: the customer's row.
		return store.ErrNotFound
	}
	return err
}

func (q queries) DeleteWebhook(ctx context.Context, customerID string) error {
	res, err := q.writer.ExecContext(ctx, `DELETE FROM webhooks WHERE id = ?`, customerID)
	return notFoundUnlessOne(res, err)
}

const deliveryColumns = `id, customer_id, login_id, request_id, type, url, body, state, attempts, created_at, updated_at`

func (q queries) CreateDelivery(ctx context.Context, d *store.Delivery) error {
	_, err := q.writer.ExecContext(ctx, `INSERT INTO webhook_deliveries (`+deliveryColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.ID, d.CustomerID, d.LoginID, d.RequestID, d.Type, d.URL, d.Body, d.State, d.Attempts,
		toMicros(d.CreatedAt), toMicros(d.UpdatedAt))
	return mapErr(err)
}

func (q queries) Delivery(ctx context.Context, id string) (*store.Delivery, error) {
	ds, err := q.deliveries(ctx, `WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(ds) == 0 {
		return nil, store.ErrNotFound
	}
	return ds[0], nil
}

func (q queries) UpdateDelivery(ctx context.Context, d *store.Delivery) error {
	res, err := q.writer.ExecContext(ctx, `UPDATE webhook_deliveries SET state = ?, attempts = ?, updated_at = ?, body = ? WHERE id = ?`,
		d.State, d.Attempts, toMicros(d.UpdatedAt), d.Body, d.ID)
	return notFoundUnlessOne(res, err)
}

func (q queries) Deliveries(ctx context.Context, dq store.DeliveryQuery) ([]*store.Delivery, error) {
	limit := dq.Limit
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	return q.deliveries(ctx, `WHERE (? = '' OR customer_id = ?) AND (? = '' OR login_id = ?)
		ORDER BY created_at DESC, rowid DESC LIMIT ?`, dq.CustomerID, dq.CustomerID, dq.LoginID, dq.LoginID, limit)
}

func (q queries) deliveries(ctx context.Context, where string, args ...any) ([]*store.Delivery, error) {
	rows, err := q.reader.QueryContext(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*store.Delivery
	for rows.Next() {
		var d store.Delivery
		var created, updated int64
		if err := rows.Scan(&d.ID, &d.CustomerID, &d.LoginID, &d.RequestID, &d.Type, &d.URL, &d.Body, &d.State, &d.Attempts,
			&created, &updated); err != nil {
			return nil, err
		}
		d.CreatedAt, d.UpdatedAt = fromMicros(created), fromMicros(updated)
		out = append(out, &d)
	}
	return out, rows.Err()
}

func (q queries) RecordAttempt(ctx context.Context, a *store.DeliveryAttempt) error {
	_, err := q.writer.ExecContext(ctx, `
		INSERT INTO webhook_attempts (delivery_id, attempt, customer_id, login_id, at, url, status, error, duration_us)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.DeliveryID, a.Attempt, a.CustomerID, a.LoginID, toMicros(a.At), a.URL, a.Status, a.Error, a.Duration.Microseconds())
	if err := mapErr(err); errors.Is(err, store.ErrConflict) {
		// The delivery is gone (its foreign key), or this attempt was
		// recorded already.
		return store.ErrNotFound
	} else if err != nil {
		return err
	}
	return nil
}

func (q queries) Attempts(ctx context.Context, deliveryID string) ([]*store.DeliveryAttempt, error) {
	rows, err := q.reader.QueryContext(ctx, `
		SELECT delivery_id, attempt, customer_id, login_id, at, url, status, error, duration_us
		FROM webhook_attempts WHERE delivery_id = ? ORDER BY attempt`, deliveryID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*store.DeliveryAttempt
	for rows.Next() {
		var a store.DeliveryAttempt
		var at, us int64
		if err := rows.Scan(&a.DeliveryID, &a.Attempt, &a.CustomerID, &a.LoginID, &at, &a.URL, &a.Status, &a.Error, &us); err != nil {
			return nil, err
		}
		a.At, a.Duration = fromMicros(at), time.Duration(us)*time.Microsecond
		out = append(out, &a)
	}
	return out, rows.Err()
}

func (q queries) PruneDeliveries(ctx context.Context, bodiesBefore, before time.Time) (int64, error) {
	var n int64
	for _, stmt := range []struct {
		sql string
		t   time.Time
	}{
		{`DELETE FROM webhook_deliveries WHERE created_at < ?`, before},
		{`UPDATE webhook_deliveries SET body = NULL WHERE created_at < ? AND body IS NOT NULL AND state <> 'pending'`, bodiesBefore},
	} {
		res, err := q.writer.ExecContext(ctx, stmt.sql, toMicros(stmt.t))
		if err != nil {
			return n, err
		}
		k, err := res.RowsAffected()
		if err != nil {
			return n, err
		}
		n += k
	}
	return n, nil
}
