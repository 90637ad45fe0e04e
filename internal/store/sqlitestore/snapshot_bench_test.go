package sqlitestore_test

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/internal/store"
)

// benchHistoryDays is how much history the benchmarks' snapshot holds:
// more than a year, as a fetch of Days365 keeps a little more.
const benchHistoryDays = 400

// BenchmarkSnapshot reads the snapshot as GetAccountsDetail does, with the
// windows of DaysOfTransactions. Targets (the endpoint must answer Days90
// under 1 ms and Days365 under 3 ms including JSON): days90 under 0.4 ms,
// days365 under 1.2 ms.
func BenchmarkSnapshot(b *testing.B) {
	ctx := b.Context()
	now := time.Now().UTC()
	s := open(b, filepath.Join(b.TempDir(), "bankfeed.db"))
	b.Cleanup(func() { s.Close() })
	if err := s.CreateLogin(ctx, testLogin("login-1")); err != nil {
		b.Fatal(err)
	}
	snap := benchSnapshot(now, benchHistoryDays)
	if err := s.PutSnapshot(ctx, "cust-1", "login-1", now, snap); err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		q    store.SnapshotQuery
	}{
		{"days90", store.SnapshotQuery{From: now.AddDate(0, 0, -90), To: now}},
		{"days365", store.SnapshotQuery{From: now.AddDate(0, 0, -365), To: now}},
		{"all", store.SnapshotQuery{}},
		{"notransactions", store.SnapshotQuery{NoTransactions: true}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			var n int
			for b.Loop() {
				got, _, err := s.Snapshot(ctx, "cust-1", "login-1", bc.q)
				if err != nil {
					b.Fatal(err)
				}
				n = 0
				for _, a := range got.Accounts {
					n += len(a.Transactions)
				}
			}
			b.ReportMetric(float64(n), "txs")
		})
	}
}

// BenchmarkPutSnapshot replaces a login's snapshot with one of more than a
// year. Target: under 20 ms.
func BenchmarkPutSnapshot(b *testing.B) {
	ctx := b.Context()
	now := time.Now().UTC()
	s := open(b, filepath.Join(b.TempDir(), "bankfeed.db"))
	b.Cleanup(func() { s.Close() })
	if err := s.CreateLogin(ctx, testLogin("login-1")); err != nil {
		b.Fatal(err)
	}
	snap := benchSnapshot(now, benchHistoryDays)
	b.ReportAllocs()
	for b.Loop() {
		if err := s.PutSnapshot(ctx, "cust-1", "login-1", now, snap); err != nil {
			b.Fatal(err)
		}
	}
}

// benchSnapshot returns a snapshot shaped like a bank's after a fetch of
// days days up to now: four accounts with realistic rates of transactions
// (1.5 a day on chequing, fewer elsewhere), GUID ids and descriptions of
// about 25 characters, newest first, balances chained.
func benchSnapshot(now time.Time, days int) *connector.Snapshot {
	r := rand.New(rand.NewPCG(1, 2))
	cents := func(c connector.Cents) *connector.Cents { return &c }
	guid := func() string {
		return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x",
			r.Uint32(), r.Uint32()&0xffff, r.Uint32()&0xfff, 0x8000|r.Uint32()&0x3fff, r.Uint64()&0xffffffffffff)
	}
	descriptions := []string{
		"POS PURCHASE METRO #%04d", "INTERAC E-TRANSFER %06d", "PAYROLL DEPOSIT ACME %04d",
		"BILL PAYMENT HYDRO Q %04d", "PREAUTH DEBIT BELL %06d", "ATM WITHDRAWAL BR%05d",
		"CHEQUE DEPOSIT NO %07d", "TIM HORTONS #%04d MONTREAL", "AMAZON.CA MKTP %08d",
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	snap := &connector.Snapshot{Holder: connector.Holder{
		Name: "John Doe", Email: "john@example.com", PhoneNumber: "+15145551234",
		Address: connector.Address{CivicAddress: "1000 Rue De La Gauchetière", City: "Montréal",
			Province: "QC", PostalCode: "H3B 5E8", Country: "CA"},
	}}
	for i, a := range []struct {
		title, typ, category string
		perDay               float64 // transactions a day, on average
		current              connector.Cents
	}{
		{"Chequing", "Chequing", "Operations", 1.5, 2_345_67},
		{"Credit card", "CreditCard", "Credits", 0.8, -1_234_56},
		{"Savings", "Savings", "Operations", 0.2, 12_345_67},
		{"Line of credit", "LineOfCredit", "Credits", 0.1, -5_000_00},
	} {
		acc := connector.Account{
			ID: guid(), Title: a.title, Category: a.category, Type: a.typ, Currency: "CAD",
			AccountType: "Personal", AccountNumber: fmt.Sprintf("%07d", 1111000+i),
			TransitNumber: "77777", InstitutionNumber: "777",
			Current: cents(a.current), Available: cents(a.current + 10_000_00), Limit: cents(10_000_00),
		}
		bal := a.current
		for d := range days {
			n := int(a.perDay)
			if r.Float64() < a.perDay-float64(n) {
				n++
			}
			for range n {
				t := connector.Transaction{
					ID:          guid(),
					Date:        today.AddDate(0, 0, -d),
					Description: fmt.Sprintf(descriptions[r.IntN(len(descriptions))], r.IntN(10000)),
					Balance:     bal,
				}
				amount := connector.Cents(1 + r.IntN(200_00))
				if r.IntN(3) == 0 {
					t.Credit = amount
				} else {
					t.Debit = amount
				}
				bal += t.Debit - t.Credit // the balance before t
				acc.Transactions = append(acc.Transactions, t)
			}
		}
		snap.Accounts = append(snap.Accounts, acc)
	}
	return snap
}
