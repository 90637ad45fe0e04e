package pgstore

import (
	"context"
	"errors"
	"time"

	"github.com/bankfeed/bankfeed/internal/store"
)

func (q queries) Webhook(ctx context.Context, customerID string) (*store.Webhook, error) {
	ws, err := q.webhooks(ctx, `WHERE id = $1`, customerID)
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
	ctx, cancel := q.bound(ctx)
	defer cancel()
	rows, err := q.db.Query(ctx, `SELECT customer_id, url, secret, created_at, updated_at FROM webhooks `+where, args...)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	var out []*store.Webhook
	for rows.Next() {
		var w store.Webhook
		var created, updated int64
		if err := rows.Scan(&w.CustomerID, &w.URL, &w.Secret, &created, &updated); err != nil {
			return nil, classify(err)
		}
		w.CreatedAt, w.UpdatedAt = fromMicros(created), fromMicros(updated)
		out = append(out, &w)
	}
	return out, classify(rows.Err())
}

func (q queries) PutWebhook(ctx context.Context, w *store.Webhook) error {
	ctx, cancel := q.bound(ctx)
	defer cancel()
	_, err := q.db.Exec(ctx, `
		INSERT INTO webhooks (id, customer_id, url, secret, created_at, updated_at) VALUES ($1, $1, $2, $3, $4, $5)
		ON CONFLICT (id) DO UPDATE SET url = excluded.url, secret = excluded.secret, updated_at = excluded.updated_at`,
		w.CustomerID, w.URL, w.Secret, toMicros(w.CreatedAt), toMicros(w.UpdatedAt))
	if err := classify(err); errors.Is(err, store.ErrConflict) {
		// The only constraint an upsert can break: the customer's row.
		return store.ErrNotFound
	} else if err != nil {
		return err
	}
	return nil
}

func (q queries) DeleteWebhook(ctx context.Context, customerID string) error {
	ctx, cancel := q.bound(ctx)
	defer cancel()
	tag, err := q.db.Exec(ctx, `DELETE FROM webhooks WHERE id = $1`, customerID)
	return notFoundUnlessOne(tag, err)
}

const deliveryColumns = `id, customer_id, login_id, request_id, type, url, body, state, attempts, created_at, updated_at`

func (q queries) CreateDelivery(ctx context.Context, d *store.Delivery) error {
	ctx, cancel := q.bound(ctx)
	defer cancel()
	_, err := q.db.Exec(ctx, `INSERT INTO webhook_deliveries (`+deliveryColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		d.ID, d.CustomerID, d.LoginID, d.RequestID, d.Type, d.URL, d.Body, d.State, d.Attempts,
		toMicros(d.CreatedAt), toMicros(d.UpdatedAt))
	return classify(err)
}

func (q queries) Delivery(ctx context.Context, id string) (*store.Delivery, error) {
	ds, err := q.deliveries(ctx, `WHERE id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(ds) == 0 {
		return nil, store.ErrNotFound
	}
	return ds[0], nil
}

func (q queries) UpdateDelivery(ctx context.Context, d *store.Delivery) error {
	ctx, cancel := q.bound(ctx)
	defer cancel()
	tag, err := q.db.Exec(ctx, `UPDATE webhook_deliveries SET state = $1, attempts = $2, updated_at = $3, body = $4 WHERE id = $5`,
		d.State, d.Attempts, toMicros(d.UpdatedAt), d.Body, d.ID)
	return notFoundUnlessOne(tag, err)
}

func (q queries) Deliveries(ctx context.Context, dq store.DeliveryQuery) ([]*store.Delivery, error) {
	var limit any // NULL: no limit
	if dq.Limit > 0 {
		limit = dq.Limit
	}
	return q.deliveries(ctx, `WHERE ($1 = '' OR customer_id = $1) AND ($2 = '' OR login_id = $2)
		ORDER BY created_at DESC, seq DESC LIMIT $3`, dq.CustomerID, dq.LoginID, limit)
}

func (q queries) deliveries(ctx context.Context, where string, args ...any) ([]*store.Delivery, error) {
	ctx, cancel := q.bound(ctx)
	defer cancel()
	rows, err := q.db.Query(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries `+where, args...)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	var out []*store.Delivery
	for rows.Next() {
		var d store.Delivery
		var created, updated int64
		if err := rows.Scan(&d.ID, &d.CustomerID, &d.LoginID, &d.RequestID, &d.Type, &d.URL, &d.Body, &d.State, &d.Attempts,
			&created, &updated); err != nil {
			return nil, classify(err)
		}
		d.CreatedAt, d.UpdatedAt = fromMicros(created), fromMicros(updated)
		out = append(out, &d)
	}
	return out, classify(rows.Err())
}

func (q queries) RecordAttempt(ctx context.Context, a *store.DeliveryAttempt) error {
	ctx, cancel := q.bound(ctx)
	defer cancel()
	_, err := q.db.Exec(ctx, `
		INSERT INTO webhook_attempts (delivery_id, attempt, customer_id, login_id, at, url, status, error, duration_us)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		a.DeliveryID, a.Attempt, a.CustomerID, a.LoginID, toMicros(a.At), a.URL, a.Status, a.Error, a.Duration.Microseconds())
	if err := classify(err); errors.Is(err, store.ErrConflict) {
		// The delivery is gone (its foreign key), or this attempt was
		// recorded already.
		return store.ErrNotFound
	} else if err != nil {
		return err
	}
	return nil
}

func (q queries) Attempts(ctx context.Context, deliveryID string) ([]*store.DeliveryAttempt, error) {
	ctx, cancel := q.bound(ctx)
	defer cancel()
	rows, err := q.db.Query(ctx, `
		SELECT delivery_id, attempt, customer_id, login_id, at, url, status, error, duration_us
		FROM webhook_attempts WHERE delivery_id = $1 ORDER BY attempt`, deliveryID)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	var out []*store.DeliveryAttempt
	for rows.Next() {
		var a store.DeliveryAttempt
		var at, us int64
		if err := rows.Scan(&a.DeliveryID, &a.Attempt, &a.CustomerID, &a.LoginID, &at, &a.URL, &a.Status, &a.Error, &us); err != nil {
			return nil, classify(err)
		}
		a.At, a.Duration = fromMicros(at), time.Duration(us)*time.Microsecond
		out = append(out, &a)
	}
	return out, classify(rows.Err())
}

func (q queries) PruneDeliveries(ctx context.Context, bodiesBefore, before time.Time) (int64, error) {
	ctx, cancel := q.bound(ctx)
	defer cancel()
	var n int64
	for _, stmt := range []struct {
		sql string
		t   time.Time
	}{
		{`DELETE FROM webhook_deliveries WHERE created_at < $1`, before},
		{`UPDATE webhook_deliveries SET body = NULL WHERE created_at < $1 AND body IS NOT NULL AND state <> 'pending'`, bodiesBefore},
	} {
		tag, err := q.db.Exec(ctx, stmt.sql, toMicros(stmt.t))
		if err != nil {
			return n, classify(err)
		}
		n += tag.RowsAffected()
	}
	return n, nil
}
