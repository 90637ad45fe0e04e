package pgstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/internal/store"
	"github.com/bankfeed/bankfeed/internal/store/txblob"
	"github.com/jackc/pgx/v5"
)

// Snapshots are laid out as on SQLite (see sqlitestore/snapshot.go for
// why): one row per login, one per account, each account's transactions in
// one blob of package txblob. Snapshot reads with one statement, so it sees
// one committed snapshot without a read transaction.

const (
	// qLockLogin checks the login and locks it against a concurrent
	// PutSnapshot of the same login, which would otherwise insert the
	// snapshot row twice. NO KEY: sessions that reference the login may
	// still be inserted meanwhile.
	qLockLogin      = `SELECT 1 FROM logins WHERE id = $1 AND customer_id = $2 FOR NO KEY UPDATE`
	qDeleteSnapshot = `DELETE FROM snapshots WHERE login_id = $1`
	qInsertSnapshot = `INSERT INTO snapshots (login_id, fetched_at, holder_name, holder_email, holder_phone,
		civic_address, city, province, postal_code, po_box, country) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`
	qInsertAccount = `INSERT INTO snapshot_accounts (login_id, position, account_id, title, category, type, currency,
		account_type, account_number, transit_number, institution_number, current, available, credit_limit,
		overdraft_limit, transactions) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`
)

const (
	snapshotSelect = `SELECT s.fetched_at, s.holder_name, s.holder_email, s.holder_phone, s.civic_address, s.city,
		s.province, s.postal_code, s.po_box, s.country, a.position, coalesce(a.account_id, ''), coalesce(a.title, ''),
		coalesce(a.category, ''), coalesce(a.type, ''), coalesce(a.currency, ''), coalesce(a.account_type, ''),
		coalesce(a.account_number, ''), coalesce(a.transit_number, ''), coalesce(a.institution_number, ''),
		a.current, a.available, a.credit_limit, a.overdraft_limit, `
	snapshotFrom = `
		FROM logins l JOIN snapshots s ON s.login_id = l.id
		LEFT JOIN snapshot_accounts a ON a.login_id = s.login_id
		WHERE l.id = $1 AND l.customer_id = $2
		ORDER BY a.position`
	qSnapshot = snapshotSelect + `a.transactions` + snapshotFrom
	// Without the blob: PostgreSQL then reads none of its TOAST pages.
	qSnapshotNoTransactions = snapshotSelect + `NULL::bytea` + snapshotFrom
)

func (q queries) PutSnapshot(ctx context.Context, customerID, loginID string, fetchedAt time.Time, snap *connector.Snapshot) error {
	if snap == nil {
		return errors.New("pgstore: PutSnapshot of a nil snapshot")
	}
	if q.tx == nil {
		return q.inTx(ctx, func(q queries) error { return q.PutSnapshot(ctx, customerID, loginID, fetchedAt, snap) })
	}
	ctx, cancel := q.bound(ctx)
	defer cancel()
	var one int
	err := q.db.QueryRow(ctx, qLockLogin, loginID, customerID).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrNotFound
	}
	if err != nil {
		return classify(err)
	}
	// One round trip for the rest: the accounts go with the snapshot row
	// (ON DELETE CASCADE), then the new rows.
	var b pgx.Batch
	b.Queue(qDeleteSnapshot, loginID)
	h := &snap.Holder
	b.Queue(qInsertSnapshot, loginID, toMicros(fetchedAt), h.Name, h.Email, h.PhoneNumber,
		h.Address.CivicAddress, h.Address.City, h.Address.Province, h.Address.PostalCode, h.Address.POBox, h.Address.Country)
	for i := range snap.Accounts {
		a := &snap.Accounts[i]
		b.Queue(qInsertAccount, loginID, i, a.ID, a.Title, a.Category, a.Type, a.Currency,
			a.AccountType, a.AccountNumber, a.TransitNumber, a.InstitutionNumber,
			nullCents(a.Current), nullCents(a.Available), nullCents(a.Limit), nullCents(a.OverdraftLimit),
			txblob.Append(nil, a.Transactions))
	}
	return classify(q.tx.SendBatch(ctx, &b).Close())
}

func (q queries) Snapshot(ctx context.Context, customerID, loginID string, sq store.SnapshotQuery) (*connector.Snapshot, time.Time, error) {
	ctx, cancel := q.bound(ctx)
	defer cancel()
	query := qSnapshot
	if sq.NoTransactions {
		query = qSnapshotNoTransactions
	}
	rows, err := q.db.Query(ctx, query, loginID, customerID)
	if err != nil {
		return nil, time.Time{}, classify(err)
	}
	defer rows.Close()

	w := txblob.All()
	if !sq.From.IsZero() {
		w.From = txblob.EpochDay(sq.From)
	}
	if !sq.To.IsZero() {
		w.To = txblob.EpochDay(sq.To)
	}
	var (
		snap    connector.Snapshot
		fetched int64
		found   bool
	)
	for rows.Next() {
		found = true
		var (
			a                                    connector.Account
			position                             *int32
			current, available, limit, overdraft *int64
			blob                                 []byte
		)
		h := &snap.Holder
		if err := rows.Scan(&fetched, &h.Name, &h.Email, &h.PhoneNumber, &h.Address.CivicAddress, &h.Address.City,
			&h.Address.Province, &h.Address.PostalCode, &h.Address.POBox, &h.Address.Country, &position,
			&a.ID, &a.Title, &a.Category, &a.Type, &a.Currency, &a.AccountType, &a.AccountNumber, &a.TransitNumber,
			&a.InstitutionNumber, &current, &available, &limit, &overdraft, &blob); err != nil {
			return nil, time.Time{}, classify(err)
		}
		if position == nil {
			continue // a snapshot without accounts
		}
		if len(sq.Accounts) > 0 && !slices.Contains(sq.Accounts, a.ID) {
			continue
		}
		a.Current, a.Available, a.Limit, a.OverdraftLimit = centsOf(current), centsOf(available), centsOf(limit), centsOf(overdraft)
		if !sq.NoTransactions {
			w.After, w.HasAfter = sq.After[a.ID]
			if a.Transactions, err = txblob.Decode(blob, w); err != nil {
				return nil, time.Time{}, fmt.Errorf("pgstore: snapshot of login %s, account %s: %w", loginID, a.ID, err)
			}
		}
		snap.Accounts = append(snap.Accounts, a)
	}
	if err := rows.Err(); err != nil {
		return nil, time.Time{}, classify(err)
	}
	if !found {
		return nil, time.Time{}, store.ErrNotFound
	}
	return &snap, fromMicros(fetched), nil
}

func nullCents(c *connector.Cents) any {
	if c == nil {
		return nil
	}
	return int64(*c)
}

func centsOf(v *int64) *connector.Cents {
	if v == nil {
		return nil
	}
	c := connector.Cents(*v)
	return &c
}
