// Package txblob encodes the transactions of one account as one blob, the
// form in which both stores keep a snapshot's transactions (see
// sqlitestore/snapshot.go for the measurements that chose it). The bytes are
// the same in SQLite and PostgreSQL, so a database can be moved from one to
// the other without re-encoding.
//
// Format: a format byte, then per transaction
//
//	uvarint len(ID), ID, varint day (days since 1970-01-01 UTC),
//	uvarint len(Description), Description, varint Debit, Credit, Balance
//
// with the amounts in cents: integers only, then, in the formats with
// categories, uvarint len(Category), Category. The format byte says whether
// the days never increase along the blob (newest first, as the connector
// contract asks) or may be in any order (a store keeps a snapshot in the
// connector's order, unchecked), and whether categories follow. A blob of
// transactions without a category is written without them, byte for byte
// as before categories existed, and blobs written before read unchanged. A read of a newest-first blob stops at the
// first transaction older than its window: Days90 reads blobs of more than
// a year, and decoding the rest of them was a fifth of GetAccountsDetail
// under the cached workload of bench/load.
package txblob

import (
	"encoding/binary"
	"errors"
	"math"
	"time"

	"github.com/bankfeed/bankfeed/connector"
)

// The first byte of a blob: its format.
const (
	formatAnyOrder    = 1
	formatNewestFirst = 2
	// withCategories is added to a format whose transactions carry a
	// category each.
	withCategories = 2
)

// ErrCorrupt is returned for a blob that is not in the format.
var ErrCorrupt = errors.New("corrupt transactions blob")

// Window selects the transactions of one account: days From to To, both
// included, and when HasAfter, only those listed before the one with ID
// After.
type Window struct {
	From, To int64
	After    string
	HasAfter bool
}

// All is the window that selects every transaction.
func All() Window { return Window{From: math.MinInt64, To: math.MaxInt64} }

// Append appends the blob of txs to b.
func Append(b []byte, txs []connector.Transaction) []byte {
	format := byte(formatNewestFirst)
	for i := 1; i < len(txs); i++ {
		if EpochDay(txs[i].Date) > EpochDay(txs[i-1].Date) {
			format = formatAnyOrder
			break
		}
	}
	categories := false
	for i := range txs {
		if txs[i].Category != "" {
			categories = true
			format += withCategories
			break
		}
	}
	b = append(b, format)
	for i := range txs {
		t := &txs[i]
		b = binary.AppendUvarint(b, uint64(len(t.ID)))
		b = append(b, t.ID...)
		b = binary.AppendVarint(b, EpochDay(t.Date))
		b = binary.AppendUvarint(b, uint64(len(t.Description)))
		b = append(b, t.Description...)
		b = binary.AppendVarint(b, int64(t.Debit))
		b = binary.AppendVarint(b, int64(t.Credit))
		b = binary.AppendVarint(b, int64(t.Balance))
		if categories {
			b = binary.AppendUvarint(b, uint64(len(t.Category)))
			b = append(b, t.Category...)
		}
	}
	return b
}

// Decode returns the transactions of blob that w selects, in the blob's
// order; nil when none.
func Decode(blob []byte, w Window) ([]connector.Transaction, error) {
	if len(blob) == 0 || blob[0] < formatAnyOrder || blob[0] > formatNewestFirst+withCategories {
		return nil, ErrCorrupt
	}
	format, categories := blob[0], false
	if format > formatNewestFirst {
		format, categories = format-withCategories, true
	}
	newestFirst := format == formatNewestFirst
	d := decoder{b: blob[1:]}
	var out []connector.Transaction
	for len(d.b) > 0 && d.err == nil {
		id := d.bytes()
		day := d.varint()
		desc := d.bytes()
		debit, credit, balance := d.varint(), d.varint(), d.varint()
		var category []byte
		if categories {
			category = d.bytes()
		}
		if d.err != nil {
			break
		}
		if w.HasAfter && string(id) == w.After {
			break // the rest is older
		}
		if day < w.From && newestFirst {
			break // so is the rest
		}
		if day < w.From || day > w.To {
			continue
		}
		out = append(out, connector.Transaction{
			ID:          string(id),
			Date:        time.Unix(day*secondsPerDay, 0).UTC(),
			Description: string(desc),
			Debit:       connector.Cents(debit),
			Credit:      connector.Cents(credit),
			Balance:     connector.Cents(balance),
			Category:    string(category),
		})
	}
	if d.err != nil {
		return nil, d.err
	}
	return out, nil
}

// decoder reads a blob, remembering the first error.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) bytes() []byte {
	n, k := binary.Uvarint(d.b)
	if k <= 0 || n > uint64(len(d.b)-k) {
		d.fail()
		return nil
	}
	v := d.b[k : k+int(n)]
	d.b = d.b[k+int(n):]
	return v
}

func (d *decoder) fail() {
	if d.err == nil {
		d.err = ErrCorrupt
	}
	d.b = nil
}

const secondsPerDay = 24 * 60 * 60

// EpochDay returns t's calendar day (UTC) in days since 1970-01-01.
func EpochDay(t time.Time) int64 {
	s := t.Unix()
	d := s / secondsPerDay
	if s%secondsPerDay < 0 {
		d--
	}
	return d
}
