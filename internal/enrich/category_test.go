package enrich

import (
	"testing"

	"github.com/bankfeed/bankfeed/flinks"
)

func money(c int64) *flinks.Money { m := flinks.Money(c); return &m }

func TestCategorize(t *testing.T) {
	cases := []struct {
		desc   string
		credit int64
		debit  int64
		want   string
	}{
		{"PAYROLL ACME CORP", 250000, 0, CatPayroll},
		{"NSF FEE", 0, 4800, CatNSF},
		{"MONTHLY FEE", 0, 1500, CatBankFees},
		{"PAYDAY LOAN DEPOSIT", 50000, 0, CatPaydayLoan},
		{"PAYDAY LOAN REPAYMENT", 0, 57500, CatPaydayLoan},
		{"CAR LOAN PAYMENT", 0, 40000, CatLoanPayment},
		{"UBER BV", 8000, 0, CatGig},
		{"UBER TRIP", 0, 2300, CatTransport},
		{"E-TRANSFER FROM JOHN", 1000, 0, CatTransferIn},
		{"E-TRANSFER TO JOHN", 0, 1000, CatTransferOut},
		{"METRO 123", 0, 8000, CatGroceries},
		{"CANADA CHILD BENEFIT", 60000, 0, CatGovernment},
		{"INTEREST", 12, 0, CatIncome},
		{"SOMETHING", 0, 100, CatUncategorized},
	}
	for _, c := range cases {
		tx := flinks.Transaction{Description: c.desc}
		if c.credit > 0 {
			tx.Credit = money(c.credit)
		}
		if c.debit > 0 {
			tx.Debit = money(c.debit)
		}
		if got := Categorize(tx); got != c.want {
			t.Errorf("Categorize(%q) = %q, want %q", c.desc, got, c.want)
		}
	}
}
