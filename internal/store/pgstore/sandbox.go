package pgstore

import (
	"context"
	"errors"
	"time"

	"github.com/bankfeed/bankfeed/internal/store"
	"github.com/jackc/pgx/v5"
)

func (q queries) ClockOffset(ctx context.Context) (time.Duration, bool, error) {
	ctx, cancel := q.bound(ctx)
	defer cancel()
	var us int64
	err := q.db.QueryRow(ctx, `SELECT offset_us FROM sandbox_clock WHERE id = 1`).Scan(&us)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, classify(err)
	}
	return time.Duration(us) * time.Microsecond, true, nil
}

func (q queries) MoveClock(ctx context.Context, from, to time.Duration, wallNow time.Time) error {
	if q.tx == nil {
		return q.inTx(ctx, func(q queries) error { return q.MoveClock(ctx, from, to, wallNow) })
	}
	ctx, cancel := q.bound(ctx)
	defer cancel()
	var cur int64
	err := q.db.QueryRow(ctx, `SELECT offset_us FROM sandbox_clock WHERE id = 1 FOR UPDATE`).Scan(&cur)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return classify(err)
	}
	if time.Duration(cur)*time.Microsecond != from {
		return store.ErrConflict
	}
	// Two first moves at once: the second insert violates the key, which
	// classify reports as ErrConflict.
	if _, err := q.db.Exec(ctx, `
		INSERT INTO sandbox_clock (id, offset_us, updated_at) VALUES (1, $1, $2)
		ON CONFLICT (id) DO UPDATE SET offset_us = excluded.offset_us, updated_at = excluded.updated_at`,
		to.Microseconds(), wallNow.UnixMicro()); err != nil {
		return classify(err)
	}
	if by := to - from; by > 0 {
		if _, err := q.db.Exec(ctx, `
			UPDATE river_job SET scheduled_at = scheduled_at - make_interval(secs => $1)
			WHERE state IN ('scheduled', 'retryable')`, by.Seconds()); err != nil {
			return classify(err)
		}
		if _, err := q.db.Exec(ctx, `
			UPDATE river_job SET state = 'available'
			WHERE state IN ('scheduled', 'retryable') AND scheduled_at <= $1`, wallNow.UTC()); err != nil {
			return classify(err)
		}
	}
	return nil
}

func (q queries) StartClock(ctx context.Context, offset time.Duration) (bool, error) {
	ctx, cancel := q.bound(ctx)
	defer cancel()
	tag, err := q.db.Exec(ctx, `
		INSERT INTO sandbox_clock (id, offset_us, updated_at) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING`,
		offset.Microseconds(), time.Now().UnixMicro())
	if err != nil {
		return false, classify(err)
	}
	return tag.RowsAffected() == 1, nil
}

func (q queries) Reset(ctx context.Context, customerID string) (store.ResetCounts, error) {
	var c store.ResetCounts
	if q.tx == nil {
		err := q.inTx(ctx, func(q queries) error {
			var err error
			c, err = q.Reset(ctx, customerID)
			return err
		})
		return c, err
	}
	ctx, cancel := q.bound(ctx)
	defer cancel()
	// The snapshots go with their logins (foreign keys): count them first.
	if err := q.db.QueryRow(ctx, `
		SELECT count(*) FROM snapshots WHERE login_id IN (SELECT id FROM logins WHERE $1 = '' OR customer_id = $1)`,
		customerID).Scan(&c.Snapshots); err != nil {
		return c, classify(err)
	}
	for _, d := range []struct {
		n    *int64
		stmt string
	}{
		// Sessions first, so that those of a login count as sessions.
		{&c.Sessions, `DELETE FROM sessions WHERE $1 = '' OR customer_id = $1`},
		{&c.Logins, `DELETE FROM logins WHERE $1 = '' OR customer_id = $1`},
		{&c.Tokens, `DELETE FROM authorize_tokens WHERE $1 = '' OR customer_id = $1`},
		{&c.Deliveries, `DELETE FROM webhook_deliveries WHERE $1 = '' OR customer_id = $1`},
		// The jobs of a customer name it; the others (the sweeps, the
		// plans of a pass) belong to nobody.
		{&c.Jobs, `DELETE FROM river_job WHERE args->>'customer_id' IS NOT NULL AND ($1 = '' OR args->>'customer_id' = $1)`},
	} {
		tag, err := q.db.Exec(ctx, d.stmt, customerID)
		if err != nil {
			return c, classify(err)
		}
		*d.n = tag.RowsAffected()
	}
	return c, nil
}
