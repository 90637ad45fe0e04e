package pgstore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"time"

	"github.com/bankfeed/bankfeed/internal/store"
	"github.com/jackc/pgx/v5"
)

const customerColumns = `id, name, secret_hash, api_key_hash, token_required, api_key_required,
	request_rate, token_rate, sandbox, created_at, updated_at`

func (q queries) Customer(ctx context.Context, id string) (*store.Customer, error) {
	cs, err := q.customers(ctx, `SELECT `+customerColumns+` FROM customers WHERE id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, store.ErrNotFound
	}
	return cs[0], nil
}

func (q queries) Customers(ctx context.Context) ([]*store.Customer, error) {
	return q.customers(ctx, `SELECT `+customerColumns+` FROM customers ORDER BY id`)
}

func (q queries) customers(ctx context.Context, query string, args ...any) ([]*store.Customer, error) {
	ctx, cancel := q.bound(ctx)
	defer cancel()
	rows, err := q.db.Query(ctx, query, args...)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	var out []*store.Customer
	for rows.Next() {
		var c store.Customer
		var created, updated int64
		if err := rows.Scan(&c.ID, &c.Name, &c.SecretHash, &c.APIKeyHash, &c.TokenRequired, &c.APIKeyRequired,
			&c.RequestRate, &c.TokenRate, &c.Sandbox, &created, &updated); err != nil {
			return nil, classify(err)
		}
		c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
		out = append(out, &c)
	}
	return out, classify(rows.Err())
}

func (q queries) CreateCustomer(ctx context.Context, c *store.Customer) error {
	ctx, cancel := q.bound(ctx)
	defer cancel()
	_, err := q.db.Exec(ctx, `INSERT INTO customers (`+customerColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		c.ID, c.Name, c.SecretHash, c.APIKeyHash, c.TokenRequired, c.APIKeyRequired, c.RequestRate, c.TokenRate, c.Sandbox,
		toMicros(c.CreatedAt), toMicros(c.UpdatedAt))
	return classify(err)
}

func (q queries) UpdateCustomer(ctx context.Context, c *store.Customer) error {
	ctx, cancel := q.bound(ctx)
	defer cancel()
	tag, err := q.db.Exec(ctx, `
		UPDATE customers SET name = $1, secret_hash = $2, api_key_hash = $3, token_required = $4, api_key_required = $5,
			request_rate = $6, token_rate = $7, sandbox = $8, updated_at = $9
		WHERE id = $10`,
		c.Name, c.SecretHash, c.APIKeyHash, c.TokenRequired, c.APIKeyRequired, c.RequestRate, c.TokenRate, c.Sandbox,
		toMicros(c.UpdatedAt), c.ID)
	return notFoundUnlessOne(tag, err)
}

func (q queries) DeleteCustomer(ctx context.Context, id string) error {
	if q.tx == nil {
		return q.inTx(ctx, func(q queries) error { return q.DeleteCustomer(ctx, id) })
	}
	ctx, cancel := q.bound(ctx)
	defer cancel()
	tag, err := q.db.Exec(ctx, `DELETE FROM customers WHERE id = $1`, id)
	if err := notFoundUnlessOne(tag, err); err != nil {
		return err
	}
	// Logins take their sessions and snapshots with them (foreign keys);
	// sessions of conversations that never made a login go by customer.
	for _, stmt := range []string{
		`DELETE FROM logins WHERE customer_id = $1`,
		`DELETE FROM sessions WHERE customer_id = $1`,
		`DELETE FROM authorize_tokens WHERE customer_id = $1`,
		`DELETE FROM webhook_deliveries WHERE customer_id = $1`,
		`DELETE FROM journal WHERE customer_id = $1`,
		`DELETE FROM faults WHERE customer_id = $1`,
		`DELETE FROM river_job WHERE args->>'customer_id' = $1`,
	} {
		if _, err := q.db.Exec(ctx, stmt, id); err != nil {
			return classify(err)
		}
	}
	return nil
}

func (q queries) CreateToken(ctx context.Context, t *store.AuthorizeToken) error {
	ctx, cancel := q.bound(ctx)
	defer cancel()
	_, err := q.db.Exec(ctx, `
		INSERT INTO authorize_tokens (hash, customer_id, expires_at, used_at, request_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		t.Hash, t.CustomerID, toMicros(t.ExpiresAt), toMicros(t.UsedAt), t.RequestID, toMicros(t.CreatedAt))
	return classify(err)
}

func (q queries) Token(ctx context.Context, customerID string, hash []byte) (*store.AuthorizeToken, error) {
	ctx, cancel := q.bound(ctx)
	defer cancel()
	var t store.AuthorizeToken
	var expires, used, created int64
	err := q.db.QueryRow(ctx, `
		SELECT hash, customer_id, expires_at, used_at, request_id, created_at FROM authorize_tokens
		WHERE hash = $1 AND customer_id = $2`, hash, customerID).
		Scan(&t.Hash, &t.CustomerID, &expires, &used, &t.RequestID, &created)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, classify(err)
	}
	t.ExpiresAt, t.UsedAt, t.CreatedAt = fromMicros(expires), fromMicros(used), fromMicros(created)
	return &t, nil
}

func (q queries) UseToken(ctx context.Context, customerID string, hash []byte, now time.Time) error {
	ctx, cancel := q.bound(ctx)
	defer cancel()
	tag, err := q.db.Exec(ctx, `
		UPDATE authorize_tokens SET used_at = $1
		WHERE hash = $2 AND customer_id = $3 AND used_at = 0 AND expires_at > $4`,
		toMicros(now), hash, customerID, toMicros(now))
	return notFoundUnlessOne(tag, err)
}

func (q queries) BindToken(ctx context.Context, customerID string, hash []byte, requestID string) error {
	ctx, cancel := q.bound(ctx)
	defer cancel()
	tag, err := q.db.Exec(ctx, `UPDATE authorize_tokens SET request_id = $1 WHERE hash = $2 AND customer_id = $3`,
		requestID, hash, customerID)
	return notFoundUnlessOne(tag, err)
}

func (q queries) ReturnToken(ctx context.Context, customerID string, hash []byte, max int) error {
	ctx, cancel := q.bound(ctx)
	defer cancel()
	tag, err := q.db.Exec(ctx, `
		UPDATE authorize_tokens SET used_at = 0, refusals = refusals + 1
		WHERE hash = $1 AND customer_id = $2 AND used_at <> 0 AND request_id = '' AND refusals < $3`,
		hash, customerID, max)
	return notFoundUnlessOne(tag, err)
}

func (q queries) DeleteTokensExpiredBefore(ctx context.Context, t time.Time) (int64, error) {
	ctx, cancel := q.bound(ctx)
	defer cancel()
	tag, err := q.db.Exec(ctx, `DELETE FROM authorize_tokens WHERE expires_at < $1`, toMicros(t))
	return tag.RowsAffected(), classify(err)
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
		return "", "", "", fmt.Errorf("pgstore: unknown sealed kind %q", kind)
	}
	return c.table, c.column, c.where, nil
}

func (q queries) SealedValues(ctx context.Context, kind store.SealedKind, afterID string, limit int) ([]store.SealedValue, error) {
	table, column, where, err := sealedColumn(kind)
	if err != nil {
		return nil, err
	}
	ctx, cancel := q.bound(ctx)
	defer cancel()
	rows, err := q.db.Query(ctx, `SELECT customer_id, id, `+column+` FROM `+table+`
		WHERE `+where+` AND id > $1 ORDER BY id LIMIT $2`, afterID, limit)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	var out []store.SealedValue
	for rows.Next() {
		var v store.SealedValue
		if err := rows.Scan(&v.CustomerID, &v.ID, &v.Value); err != nil {
			return nil, classify(err)
		}
		out = append(out, v)
	}
	return out, classify(rows.Err())
}

func (q queries) ReplaceSealed(ctx context.Context, kind store.SealedKind, customerID, id string, old, new []byte) (bool, error) {
	table, column, where, err := sealedColumn(kind)
	if err != nil {
		return false, err
	}
	ctx, cancel := q.bound(ctx)
	defer cancel()
	tag, err := q.db.Exec(ctx, `UPDATE `+table+` SET `+column+` = $1
		WHERE id = $2 AND customer_id = $3 AND `+column+` = $4 AND `+where, new, id, customerID, old)
	if err != nil {
		return false, classify(err)
	}
	return tag.RowsAffected() == 1, nil
}

func (q queries) SealedPrefixes(ctx context.Context, n int) ([][]byte, error) {
	var parts []string
	for _, kind := range []store.SealedKind{store.SealedLoginKey, store.SealedLogin, store.SealedSession, store.SealedWebhook} {
		table, column, where, _ := sealedColumn(kind)
		parts = append(parts, fmt.Sprintf(`SELECT DISTINCT substring(%s FROM 1 FOR %d) FROM %s WHERE %s`, column, n, table, where))
	}
	ctx, cancel := q.bound(ctx)
	defer cancel()
	rows, err := q.db.Query(ctx, strings.Join(parts, ` UNION `))
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var p []byte
		if err := rows.Scan(&p); err != nil {
			return nil, classify(err)
		}
		out = append(out, p)
	}
	return out, classify(rows.Err())
}
