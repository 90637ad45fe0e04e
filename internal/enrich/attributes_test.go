package enrich

import (
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/flinks"
)

func tx(date, desc string, credit, debit, bal int64) flinks.Transaction {
	t := flinks.Transaction{Date: date, Description: desc, Balance: money(bal)}
	if credit > 0 {
		t.Credit = money(credit)
	}
	if debit > 0 {
		t.Debit = money(debit)
	}
	return t
}

func TestCompute(t *testing.T) {
	acct := flinks.AccountDetail{Id: "a", Transactions: []flinks.Transaction{
		tx("2026-01-02", "PAYROLL ACME 01", 200000, 0, 200000),
		tx("2026-01-10", "NSF FEE", 0, 4800, -4800),
		tx("2026-01-11", "OVERDRAFT FEE", 0, 500, -5300),
		tx("2026-01-16", "PAYROLL ACME 02", 200000, 0, 194700),
		tx("2026-01-20", "CAR LOAN PAYMENT", 0, 30000, 164700),
		tx("2026-01-30", "PAYROLL ACME 03", 200000, 0, 364700),
	}}
	a := Compute([]flinks.AccountDetail{acct})
	want := Attributes{
		HistoryDays: 29, IncomeSourceCount: 1, PrimaryIncomeFrequency: "biweekly",
		AverageMonthlyIncome: 600000, TotalIncome: 600000, NSFCount: 1, OverdraftFeeCount: 1,
		LoanPaymentCount: 1, LoanPaymentTotal: 30000, DaysWithNegativeBalance: 2,
		AverageDailyBalance: (200000 - 4800 - 5300 + 194700 + 164700 + 364700) / 6, BalanceTrend: 0,
	}
	if a != want {
		t.Errorf("Compute =\n%+v\nwant\n%+v", a, want)
	}
	if Compute(nil).PrimaryIncomeFrequency != "none" {
		t.Error("empty data should have no income frequency")
	}
}

func TestFrequency(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	every := func(n, days int) []time.Time {
		var v []time.Time
		for i := 0; i < n; i++ {
			v = append(v, start.AddDate(0, 0, i*days))
		}
		return v
	}
	cases := []struct {
		name  string
		dates []time.Time
		want  string
	}{
		{"weekly", every(6, 7), "weekly"},
		{"biweekly", every(6, 14), "biweekly"},
		{"monthly", every(6, 30), "monthly"},
		{"one", every(1, 7), "irregular"},
		{"irregular", []time.Time{start, start.AddDate(0, 0, 3), start.AddDate(0, 0, 40)}, "irregular"},
	}
	for _, c := range cases {
		if got := Frequency(c.dates); got != c.want {
			t.Errorf("%s: Frequency = %q, want %q", c.name, got, c.want)
		}
	}
}

// A snapshot gives the same attributes each time; adding an NSF moves them.
func TestComputeStableAndMoves(t *testing.T) {
	accts := year()
	a, b := Compute(accts), Compute(accts)
	if a != b {
		t.Fatal("same snapshot, different attributes")
	}
	accts[0].Transactions = append(accts[0].Transactions, tx("2026-12-31", "NSF FEE", 0, 4800, -100))
	if c := Compute(accts); c.NSFCount != a.NSFCount+1 || c.DaysWithNegativeBalance == a.DaysWithNegativeBalance {
		t.Errorf("attributes did not follow the data: %+v vs %+v", c, a)
	}
}

func year() []flinks.AccountDetail {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var txs []flinks.Transaction
	bal := int64(100000)
	for i := 0; i < 365; i++ {
		d := start.AddDate(0, 0, i).Format(day)
		if i%14 == 0 {
			bal += 200000
			txs = append(txs, tx(d, "PAYROLL ACME", 200000, 0, bal))
		}
		bal -= 5000
		txs = append(txs, tx(d, "METRO GROCER", 0, 5000, bal))
		bal -= 1000
		txs = append(txs, tx(d, "TIM HORTONS", 0, 1000, bal))
	}
	return []flinks.AccountDetail{{Id: "a", Transactions: txs}}
}

func BenchmarkAttributesYear(b *testing.B) {
	accts := year()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		Compute(accts)
	}
}
