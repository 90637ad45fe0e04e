package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/internal/store"
	"github.com/bankfeed/bankfeed/internal/store/txblob"
)

// Snapshots are stored as one row per login (snapshots: fetch time and
// holder) and one row per account (snapshot_accounts), each account row
// holding all the account's transactions in one blob, in the snapshot's
// newest-first order. Snapshot reads the holder and the accounts with one
// statement, so that it sees one committed snapshot without a read
// transaction, and filters the transactions in Go while decoding.
//
// Chosen by measurement, over the obvious design of one row per
// transaction (snapshot_transactions, keyed by login, account position and
// order, filtered on a date column). On a snapshot of 4 accounts and 400
// days (1010 transactions, 1.5 a day on chequing), BenchmarkSnapshot and
// BenchmarkPutSnapshot, -benchmem, 2 vCPUs (AMD EPYC, shared), 6 runs:
//
//	                   rows (prototype)            blob per account (kept)
//	days90  (243 tx)   0.41-0.55 ms,  3246 allocs  0.11-0.15 ms,  782 allocs
//	days365 (925 tx)   1.16-1.38 ms, 11431 allocs  0.21-0.28 ms, 2154 allocs
//	PutSnapshot        4.3-5.9 ms,   13034 allocs  0.46-0.53 ms,  287 allocs
//
// Rows miss the targets (0.4 ms and 1.2 ms): through database/sql and
// modernc.org/sqlite every row returned costs about 1.1 µs (seven columns
// scanned), on top of 0.12-0.14 ms when no transaction is selected (a read
// transaction, which the two statements then need, the accounts, the scan
// past the rows); an index on (login_id, date) made days365 slower (1.8 ms:
// a sort) and days90 no faster. Decoding the blob costs about 0.16 µs a
// transaction, the two strings' allocations included. The code is no
// bigger either: a statement per account to write and one to read, against
// a statement per transaction and a read transaction.
//
// The blob is package txblob's, shared with the PostgreSQL store.

// Statements of PutSnapshot, prepared by Open.
const (
	qLoginExists    = `SELECT 1 FROM logins WHERE id = ? AND customer_id = ?`
	qDeleteSnapshot = `DELETE FROM snapshots WHERE login_id = ?`
	qNextVersion    = `UPDATE snapshot_version SET n = n + 1 RETURNING n`
	qInsertSnapshot = `INSERT INTO snapshots (login_id, fetched_at, holder_name, holder_email, holder_phone,
		civic_address, city, province, postal_code, po_box, country, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	qInsertAccount = `INSERT INTO snapshot_accounts (login_id, position, account_id, title, category, type, currency,
		account_type, account_number, transit_number, institution_number, current, available, credit_limit,
		overdraft_limit, transactions) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
)

var putSnapshotQueries = []string{qLoginExists, qDeleteSnapshot, qNextVersion, qInsertSnapshot, qInsertAccount}

// The reads of Snapshot: the snapshot row of a login of the customer, joined
// to its accounts in order. The LEFT JOIN keeps a snapshot without accounts
// (one row whose account columns are NULL, hence the ifnull).
const (
	snapshotSelect = `SELECT s.fetched_at, s.holder_name, s.holder_email, s.holder_phone, s.civic_address, s.city,
		s.province, s.postal_code, s.po_box, s.country, a.position, ifnull(a.account_id, ''), ifnull(a.title, ''),
		ifnull(a.category, ''), ifnull(a.type, ''), ifnull(a.currency, ''), ifnull(a.account_type, ''),
		ifnull(a.account_number, ''), ifnull(a.transit_number, ''), ifnull(a.institution_number, ''),
		a.current, a.available, a.credit_limit, a.overdraft_limit, `
	snapshotFrom = `
		FROM logins l JOIN snapshots s ON s.login_id = l.id
		LEFT JOIN snapshot_accounts a ON a.login_id = s.login_id
		WHERE l.id = ? AND l.customer_id = ?
		ORDER BY a.position`
	qSnapshot = snapshotSelect + `a.transactions` + snapshotFrom
	// Without the blob: SQLite then reads no overflow page of it.
	qSnapshotNoTransactions = snapshotSelect + `NULL` + snapshotFrom
)

func (q queries) PutSnapshot(ctx context.Context, customerID, loginID string, fetchedAt time.Time, snap *connector.Snapshot) error {
	if snap == nil {
		return errors.New("sqlitestore: PutSnapshot of a nil snapshot")
	}
	// Encoded before the transaction: the writer is not held for it.
	blobs := make([][]byte, len(snap.Accounts))
	for i := range snap.Accounts {
		blobs[i] = txblob.Append(nil, snap.Accounts[i].Transactions)
	}
	put := func(q queries) error {
		var one int
		err := q.writer.QueryRowContext(ctx, qLoginExists, loginID, customerID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		// The accounts go with the snapshot row (ON DELETE CASCADE).
		if _, err := q.writer.ExecContext(ctx, qDeleteSnapshot, loginID); err != nil {
			return err
		}
		var version int64
		if err := q.writer.QueryRowContext(ctx, qNextVersion).Scan(&version); err != nil {
			return err
		}
		h := &snap.Holder
		if _, err := q.writer.ExecContext(ctx, qInsertSnapshot, loginID, toMicros(fetchedAt), h.Name, h.Email, h.PhoneNumber,
			h.Address.CivicAddress, h.Address.City, h.Address.Province, h.Address.PostalCode, h.Address.POBox, h.Address.Country, version); err != nil {
			return mapErr(err)
		}
		for i := range snap.Accounts {
			a := &snap.Accounts[i]
			if _, err := q.writer.ExecContext(ctx, qInsertAccount, loginID, i, a.ID, a.Title, a.Category, a.Type, a.Currency,
				a.AccountType, a.AccountNumber, a.TransitNumber, a.InstitutionNumber,
				nullCents(a.Current), nullCents(a.Available), nullCents(a.Limit), nullCents(a.OverdraftLimit), blobs[i]); err != nil {
				return mapErr(err)
			}
		}
		return nil
	}
	if q.inTx == nil {
		return put(q)
	}
	return q.inTx(ctx, put)
}

func (q queries) Snapshot(ctx context.Context, customerID, loginID string, sq store.SnapshotQuery) (*connector.Snapshot, time.Time, error) {
	query := qSnapshot
	if sq.NoTransactions {
		query = qSnapshotNoTransactions
	}
	// One statement: it reads one committed state of the database, so
	// a PutSnapshot committing meanwhile is either wholly seen or not at all.
	rows, err := q.reader.QueryContext(ctx, query, loginID, customerID)
	if err != nil {
		return nil, time.Time{}, err
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
			position                             sql.NullInt64
			current, available, limit, overdraft sql.NullInt64
			// Decoded in place: RawBytes spares copying the blob.
			blob sql.RawBytes
		)
		h := &snap.Holder
		if err := rows.Scan(&fetched, &h.Name, &h.Email, &h.PhoneNumber, &h.Address.CivicAddress, &h.Address.City,
			&h.Address.Province, &h.Address.PostalCode, &h.Address.POBox, &h.Address.Country, &position,
			&a.ID, &a.Title, &a.Category, &a.Type, &a.Currency, &a.AccountType, &a.AccountNumber, &a.TransitNumber,
			&a.InstitutionNumber, &current, &available, &limit, &overdraft, &blob); err != nil {
			return nil, time.Time{}, err
		}
		if !position.Valid {
			continue // a snapshot without accounts
		}
		if len(sq.Accounts) > 0 && !slices.Contains(sq.Accounts, a.ID) {
			continue
		}
		a.Current, a.Available, a.Limit, a.OverdraftLimit = centsOf(current), centsOf(available), centsOf(limit), centsOf(overdraft)
		if !sq.NoTransactions {
			w.After, w.HasAfter = sq.After[a.ID]
			if a.Transactions, err = txblob.Decode(blob, w); err != nil {
				return nil, time.Time{}, fmt.Errorf("sqlitestore: snapshot of login %s, account %s: %w", loginID, a.ID, err)
			}
		}
		snap.Accounts = append(snap.Accounts, a)
	}
	if err := rows.Err(); err != nil {
		return nil, time.Time{}, err
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

func centsOf(v sql.NullInt64) *connector.Cents {
	if !v.Valid {
		return nil
	}
	c := connector.Cents(v.Int64)
	return &c
}
