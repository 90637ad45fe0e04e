package txblob

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/connector"
)

var unbounded = All()

func blobFixture() []connector.Transaction {
	day := func(n int) time.Time { return time.Date(1969, time.December, 30+n, 0, 0, 0, 0, time.UTC) }
	return []connector.Transaction{
		{ID: "tx-3", Date: day(5), Description: "PAYROLL", Credit: 2_500_00, Balance: math.MaxInt64},
		{ID: "", Date: day(1), Description: "", Debit: 1, Balance: math.MinInt64},
		// Before 1970: a negative day.
		{ID: "tx-1", Date: day(0), Description: "NUL\x00 é", Debit: 3, Credit: 4, Balance: -5},
	}
}

// TestTransactionsBlob checks the blob's round trip, and that a damaged
// blob (cut anywhere, or of another format) fails or decodes to a prefix,
// never panics nor invents a transaction.
func TestTransactionsBlob(t *testing.T) {
	txs := blobFixture()
	blob := Append(nil, txs)
	got, err := Decode(blob, unbounded)
	if err != nil || !slices.Equal(got, txs) {
		t.Fatalf("decode(encode) = %v, %v; want %v", got, err, txs)
	}
	if got, err := Decode(Append(nil, nil), unbounded); err != nil || got != nil {
		t.Errorf("decode of no transactions = %v, %v; want nil, nil", got, err)
	}
	for n := range len(blob) {
		got, err := Decode(blob[:n], unbounded)
		if err == nil && !slices.Equal(got, txs[:len(got)]) {
			t.Errorf("blob cut at %d decodes to %v, not a prefix of the transactions", n, got)
		}
	}
	other := slices.Clone(blob)
	other[0] = format + 1
	if _, err := Decode(other, unbounded); err == nil {
		t.Errorf("a blob of format %d decoded", other[0])
	}
}

func FuzzDecodeTransactions(f *testing.F) {
	f.Add(Append(nil, blobFixture()))
	f.Add([]byte{format})
	f.Fuzz(func(t *testing.T, blob []byte) {
		Decode(blob, unbounded)
		Decode(blob, Window{From: 0, To: 10, After: "tx-1", HasAfter: true})
	})
}
