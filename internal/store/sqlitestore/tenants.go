package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bankfeed/bankfeed/internal/store"
)

const customerColumns = `id, name, secret_hash, api_key_hash, token_required, api_key_required,
	request_rate, token_rate, sandbox, created_at, updated_at`

func (q queries) Customer(ctx context.Context, id string) (*store.Customer, error) {
	rows, err := q.reader.QueryContext(ctx, `SELECT `+customerColumns+` FROM customers WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	cs, err := scanCustomers(rows)
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, store.ErrNotFound
	}
	return cs[0], nil
}

func (q queries) Customers(ctx context.Context) ([]*store.Customer, error) {
	rows, err := q.reader.QueryContext(ctx, `SELECT `+customerColumns+` FROM customers ORDER BY id`)
	if err != nil {
		return nil, err
	}
	return scanCustomers(rows)
}

func scanCustomers(rows *sql.Rows) ([]*store.Customer, error) {
	defer rows.Close()
	var out []*store.Customer
	for rows.Next() {
		var c store.Customer
		var created, updated int64
		if err := rows.Scan(&c.ID, &c.Name, &c.SecretHash, &c.APIKeyHash, &c.TokenRequired, &c.APIKeyRequired,
			&c.RequestRate, &c.TokenRate, &c.Sandbox, &created, &updated); err != nil {
			return nil, err
		}
		c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
		out = append(out, &c)
	}
	return out, rows.Err()
}

func (q queries) CreateCustomer(ctx context.Context, c *store.Customer) error {
	_, err := q.writer.ExecContext(ctx, `INSERT INTO customers (`+customerColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.Name, c.SecretHash, c.APIKeyHash, c.TokenRequired, c.APIKeyRequired, c.RequestRate, c.TokenRate, c.Sandbox,
		toMicros(c.CreatedAt), toMicros(c.UpdatedAt))
	return mapErr(err)
}

func (q queries) UpdateCustomer(ctx context.Context, c *store.Customer) error {
	res, err := q.writer.ExecContext(ctx, `
		UPDATE customers SET name = ?, secret_hash = ?, api_key_hash = ?, token_required = ?, api_key_required = ?,
			request_rate = ?, token_rate = ?, sandbox = ?, updated_at = ?
		WHERE id = ?`,
		c.Name, c.SecretHash, c.APIKeyHash, c.TokenRequired, c.APIKeyRequired, c.RequestRate, c.TokenRate, c.Sandbox,
		toMicros(c.UpdatedAt), c.ID)
	return notFoundUnlessOne(res, err)
}

func (q queries) DeleteCustomer(ctx context.Context, id string) error {
	if q.tx == nil {
		return q.inTx(ctx, func(q queries) error { return q.DeleteCustomer(ctx, id) })
	}
	res, err := q.writer.ExecContext(ctx, `DELETE FROM customers WHERE id = ?`, id)
	if err := notFoundUnlessOne(res, err); err != nil {
		return err
	}
	q.state.deleted = true
	// Logins take their sessions and snapshots with them (foreign keys);
	// sessions of conversations that never made a login go by customer.
	for _, stmt := range []string{
		`DELETE FROM logins WHERE customer_id = ?`,
		`DELETE FROM sessions WHERE customer_id = ?`,
		`DELETE FROM authorize_tokens WHERE customer_id = ?`,
		`DELETE FROM webhook_deliveries WHERE customer_id = ?`,
		`DELETE FROM journal WHERE customer_id = ?`,
		`DELETE FROM faults WHERE customer_id = ?`,
		`DELETE FROM river_job WHERE json_extract(args, '$.customer_id') = ?`,
	} {
		if _, err := q.writer.ExecContext(ctx, stmt, id); err != nil {
			return err
		}
	}
	return nil
}

func (q queries) CreateToken(ctx context.Context, t *store.AuthorizeToken) error {
	_, err := q.writer.ExecContext(ctx, `
		INSERT INTO authorize_tokens (hash, customer_id, expires_at, used_at, request_id, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		t.Hash, t.CustomerID, toMicros(t.ExpiresAt), toMicros(t.UsedAt), t.RequestID, toMicros(t.CreatedAt))
	return mapErr(err)
}

func (q queries) Token(ctx context.Context, customerID string, hash []byte) (*store.AuthorizeToken, error) {
	var t store.AuthorizeToken
	var expires, used, created int64
	err := q.reader.QueryRowContext(ctx, `
		SELECT hash, customer_id, expires_at, used_at, request_id, created_at FROM authorize_tokens
		WHERE hash = ? AND customer_id = ?`, hash, customerID).
		Scan(&t.Hash, &t.CustomerID, &expires, &used, &t.RequestID, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	t.ExpiresAt, t.UsedAt, t.CreatedAt = fromMicros(expires), fromMicros(used), fromMicros(created)
	return &t, nil
}

func (q queries) UseToken(ctx context.Context, customerID string, hash []byte, now time.Time) error {
	res, err := q.writer.ExecContext(ctx, `
		UPDATE authorize_tokens SET used_at = ?
		WHERE hash = ? AND customer_id = ? AND used_at = 0 AND expires_at > ?`,
		toMicros(now), hash, customerID, toMicros(now))
	return notFoundUnlessOne(res, err)
}

func (q queries) BindToken(ctx context.Context, customerID string, hash []byte, requestID string) error {
	res, err := q.writer.ExecContext(ctx, `UPDATE authorize_tokens SET request_id = ? WHERE hash = ? AND customer_id = ?`,
		requestID, hash, customerID)
	return notFoundUnlessOne(res, err)
}

func (q queries) ReturnToken(ctx context.Context, customerID string, hash []byte, max int) error {
	res, err := q.writer.ExecContext(ctx, `
		UPDATE authorize_tokens SET used_at = 0, refusals = refusals + 1
		WHERE hash = ? AND customer_id = ? AND used_at <> 0 AND request_id = '' AND refusals < ?`,
		hash, customerID, max)
	return notFoundUnlessOne(res, err)
}

func (q queries) DeleteTokensExpiredBefore(ctx context.Context, t time.Time) (int64, error) {
	res, err := q.writer.ExecContext(ctx, `DELETE FROM authorize_tokens WHERE expires_at < ?`, toMicros(t))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// sealedColumns are the sealed columns a key rotation walks: the table,
// the column, and the condition that selects the rows of the kind.
var sealedColumns = map[store.SealedKind]struct{ table, column, where string }{
	store.SealedLoginKey: {"logins", "data_key", "data_key IS NOT NULL"},
	store.SealedLogin:    {"logins", "sealed", "sealed IS NOT NULL AND data_key IS NULL"},
	store.SealedSession:  {"sessions", "sealed", "sealed IS NOT NULL"},
	store.SealedWebhook:  {"webhooks", "secret", "secret IS NOT NULL"},
}

func sealedColumn(kind store.SealedKind) (table, column, where string, err error) {
	c, ok := sealedColumns[kind]
	if !ok {
		return "", "", "", fmt.Errorf("sqlitestore: unknown sealed kind %q", kind)
	}
	return c.table, c.column, c.where, nil
}

func (q queries) SealedValues(ctx context.Context, kind store.SealedKind, afterID string, limit int) ([]store.SealedValue, error) {
	table, column, where, err := sealedColumn(kind)
	if err != nil {
		return nil, err
	}
	rows, err := q.reader.QueryContext(ctx, `SELECT customer_id, id, `+column+` FROM `+table+`
		WHERE `+where+` AND id > ? ORDER BY id LIMIT ?`, afterID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.SealedValue
	for rows.Next() {
		var v store.SealedValue
		if err := rows.Scan(&v.CustomerID, &v.ID, &v.Value); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func (q queries) ReplaceSealed(ctx context.Context, kind store.SealedKind, customerID, id string, old, new []byte) (bool, error) {
	table, column, where, err := sealedColumn(kind)
	if err != nil {
		return false, err
	}
	res, err := q.writer.ExecContext(ctx, `UPDATE `+table+` SET `+column+` = ?
		WHERE id = ? AND customer_id = ? AND `+column+` = ? AND `+where, new, id, customerID, old)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (q queries) SealedPrefixes(ctx context.Context, n int) ([][]byte, error) {
	var parts []string
	for _, kind := range []store.SealedKind{store.SealedLoginKey, store.SealedLogin, store.SealedSession, store.SealedWebhook} {
		table, column, where, _ := sealedColumn(kind)
		parts = append(parts, fmt.Sprintf(`SELECT DISTINCT substr(%s, 1, %d) FROM %s WHERE %s`, column, n, table, where))
	}
	rows, err := q.reader.QueryContext(ctx, strings.Join(parts, ` UNION `))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var p []byte
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// notFoundUnlessOne maps an update that changed no row to ErrNotFound.
func notFoundUnlessOne(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n != 1 {
		return store.ErrNotFound
	}
	return nil
}
