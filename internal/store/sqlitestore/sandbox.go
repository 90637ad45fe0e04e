package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/bankfeed/bankfeed/internal/store"
)

func (q queries) ClockOffset(ctx context.Context) (time.Duration, bool, error) {
	var us int64
	err := q.reader.QueryRowContext(ctx, `SELECT offset_us FROM sandbox_clock WHERE id = 1`).Scan(&us)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	return time.Duration(us) * time.Microsecond, true, nil
}

func (q queries) MoveClock(ctx context.Context, from, to time.Duration, wallNow time.Time) error {
	if q.tx == nil {
		return q.inTx(ctx, func(q queries) error { return q.MoveClock(ctx, from, to, wallNow) })
	}
	cur, _, err := q.ClockOffset(ctx)
	if err != nil {
		return err
	}
	if cur != from {
		return store.ErrConflict
	}
	if _, err := q.writer.ExecContext(ctx, `
		INSERT INTO sandbox_clock (id, offset_us, updated_at) VALUES (1, ?, ?)
		ON CONFLICT (id) DO UPDATE SET offset_us = excluded.offset_us, updated_at = excluded.updated_at`,
		to.Microseconds(), wallNow.UnixMicro()); err != nil {
		return err
	}
	if by := to - from; by > 0 {
		// River keeps its times as text in this exact form (riversqlite's
		// timeString), which compares as its own built-ins write it.
		if _, err := q.writer.ExecContext(ctx, `
			UPDATE river_job SET scheduled_at = strftime('%Y-%m-%d %H:%M:%f', scheduled_at, ?)
			WHERE state IN ('scheduled', 'retryable')`, fmt.Sprintf("-%.3f seconds", by.Seconds())); err != nil {
			return err
		}
		if _, err := q.writer.ExecContext(ctx, `
			UPDATE river_job SET state = 'available'
			WHERE state IN ('scheduled', 'retryable') AND scheduled_at <= ?`,
			wallNow.UTC().Round(time.Millisecond).Format("2006-01-02 15:04:05.000")); err != nil {
			return err
		}
	}
	return nil
}

func (q queries) StartClock(ctx context.Context, offset time.Duration) (bool, error) {
	res, err := q.writer.ExecContext(ctx, `
		INSERT INTO sandbox_clock (id, offset_us, updated_at) VALUES (1, ?, ?) ON CONFLICT (id) DO NOTHING`,
		offset.Microseconds(), time.Now().UnixMicro())
	if err != nil {
		return false, mapErr(err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
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
	// The snapshots go with their logins (foreign keys): count them first.
	if err := q.reader.QueryRowContext(ctx, `
		SELECT count(*) FROM snapshots WHERE login_id IN (SELECT id FROM logins WHERE ? = '' OR customer_id = ?)`,
		customerID, customerID).Scan(&c.Snapshots); err != nil {
		return c, err
	}
	for _, d := range []struct {
		n    *int64
		stmt string
	}{
		// Sessions first, so that those of a login count as sessions.
		{&c.Sessions, `DELETE FROM sessions WHERE ? = '' OR customer_id = ?`},
		{&c.Logins, `DELETE FROM logins WHERE ? = '' OR customer_id = ?`},
		{&c.Tokens, `DELETE FROM authorize_tokens WHERE ? = '' OR customer_id = ?`},
		{&c.Deliveries, `DELETE FROM webhook_deliveries WHERE ? = '' OR customer_id = ?`},
		// The jobs of a customer name it; the others (the sweeps, the
		// plans of a pass) belong to nobody.
		{&c.Jobs, `DELETE FROM river_job WHERE json_extract(args, '$.customer_id') IS NOT NULL
			AND (? = '' OR json_extract(args, '$.customer_id') = ?)`},
	} {
		res, err := q.writer.ExecContext(ctx, d.stmt, customerID, customerID)
		if err != nil {
			return c, err
		}
		if *d.n, err = res.RowsAffected(); err != nil {
			return c, err
		}
	}
	q.state.deleted = true
	return c, nil
}
