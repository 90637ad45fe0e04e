package txblob

import (
	"fmt"
	"math"
	"math/rand/v2"
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
	other[0] = formatNewestFirst + 1
	if _, err := Decode(other, unbounded); err == nil {
		t.Errorf("a blob of format %d decoded", other[0])
	}
}

// TestTransactionsBlobWindow checks that a read selects the transactions
// of its window, whether the blob is newest first (where the read stops at
// the first older transaction) or in any order.
func TestTransactionsBlobWindow(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 500 {
		n := r.IntN(30)
		txs := make([]connector.Transaction, n)
		day := int64(20_000)
		for j := range txs {
			if i%2 == 0 {
				day -= r.Int64N(3) // newest first, some days twice
			} else {
				day = 20_000 - r.Int64N(40) // any order
			}
			txs[j] = connector.Transaction{ID: fmt.Sprintf("tx-%d", j), Date: time.Unix(day*secondsPerDay, 0).UTC(),
				Description: fmt.Sprintf("desc %d", r.IntN(100)), Debit: connector.Cents(r.IntN(1000))}
		}
		blob := Append(nil, txs)
		if sorted := slices.IsSortedFunc(txs, func(a, b connector.Transaction) int { return b.Date.Compare(a.Date) }); sorted != (blob[0] == formatNewestFirst) {
			t.Fatalf("newest first %v, format %d", sorted, blob[0])
		}
		w := Window{From: 20_000 - r.Int64N(45), To: 20_000 - r.Int64N(20)}
		if r.IntN(3) == 0 && n > 0 {
			w.After, w.HasAfter = txs[r.IntN(n)].ID, true
		}
		var want []connector.Transaction
		for _, tx := range txs {
			if w.HasAfter && tx.ID == w.After {
				break
			}
			if d := EpochDay(tx.Date); d >= w.From && d <= w.To {
				want = append(want, tx)
			}
		}
		got, err := Decode(blob, w)
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("case %d, window %+v of %v:\ngot  %v, %v\nwant %v", i, w, txs, got, err, want)
		}
	}
}

func FuzzDecodeTransactions(f *testing.F) {
	f.Add(Append(nil, blobFixture()))
	f.Add([]byte{formatNewestFirst})
	f.Add([]byte{formatAnyOrder})
	f.Fuzz(func(t *testing.T, blob []byte) {
		Decode(blob, unbounded)
		Decode(blob, Window{From: 0, To: 10, After: "tx-1", HasAfter: true})
	})
}

// TestTransactionsBlobCategories checks the formats with categories: a
// round trip keeps each transaction's category (empty ones too), windows
// read them alike, transactions without any are written exactly as before
// categories existed, and a blob of such an older format still reads.
func TestTransactionsBlobCategories(t *testing.T) {
	plain := blobFixture()
	old := Append(nil, plain)
	if old[0] != formatNewestFirst {
		t.Fatalf("a blob without categories has format %d, want %d as before", old[0], formatNewestFirst)
	}
	// The bytes of that blob, written by the format before categories.
	want := []byte{formatNewestFirst, 4, 't', 'x', '-', '3'}
	if !slices.Equal(old[:len(want)], want) {
		t.Errorf("a blob without categories starts %v, want %v", old[:len(want)], want)
	}

	txs := blobFixture()
	txs[0].Category = "Income/Payroll"
	txs[2].Category = "Food/Restaurants"
	for _, order := range []string{"newest first", "any order"} {
		in := slices.Clone(txs)
		if order == "any order" {
			in[0], in[2] = in[2], in[0]
		}
		blob := Append(nil, in)
		if got := blob[0]; got <= formatNewestFirst {
			t.Errorf("%s: a blob with categories has format %d", order, got)
		}
		got, err := Decode(blob, unbounded)
		if err != nil || !slices.Equal(got, in) {
			t.Fatalf("%s: decode(encode) = %v, %v; want %v", order, got, err, in)
		}
		day := EpochDay(in[1].Date)
		got, err = Decode(blob, Window{From: day, To: day})
		if err != nil || len(got) != 1 || got[0] != in[1] {
			t.Errorf("%s: the window of day %d = %v, %v; want %v", order, day, got, err, in[1])
		}
		for n := range len(blob) {
			got, err := Decode(blob[:n], unbounded)
			if err == nil && !slices.Equal(got, in[:len(got)]) {
				t.Errorf("%s: blob cut at %d decodes to %v, not a prefix", order, n, got)
			}
		}
	}
	for _, f := range []byte{0, formatNewestFirst + withCategories + 1, 0xff} {
		other := slices.Clone(old)
		other[0] = f
		if _, err := Decode(other, unbounded); err == nil {
			t.Errorf("a blob of format %d decoded", f)
		}
	}
}
