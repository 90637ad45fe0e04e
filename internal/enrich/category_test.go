package enrich

import (
	"testing"

	"github.com/bankfeed/bankfeed/flinks"
)

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
		{"CAR LOAN PAYMENT", 0, 40000, CatAutoLoan},
		{"LOAN PAYMENT", 0, 40000, CatLoanPayment},
		{"LOAN ADVANCE", 0, 1500000, CatTransferOut},
		{"MORTGAGE PAYMENT", 0, 180000, CatMortgage},
		{"NSLSC STUDENT LOAN", 0, 20000, CatStudentLoan},
		{"CASH MONEY REPAYMENT", 0, 57500, CatPaydayLoan},
		{"RETURNED PAYMENT NSF", 57500, 0, CatReversedNSF},
		{"STOP PAYMENT FEE", 0, 2000, CatStopPayment},
		{"OVERDRAFT INTEREST", 0, 312, CatOverdraft},
		{"PAYMENT RECEIVED", 40000, 0, CatTransferIn},
		{"PAYROLL DEP GOVT CANADA", 250000, 0, CatPayroll},
		{"EI CANADA", 90000, 0, CatEmploymentInsurance},
		{"CPP CANADA", 70000, 0, CatPension},
		{"WSIB BENEFIT", 70000, 0, CatWSIB},
		{"ONTARIO WORKS", 70000, 0, CatSocialAssistance},
		{"GST CANADA", 12000, 0, CatGovernment},
		{"INTERAC E-TRF FROM ANA", 5000, 0, CatTransferIn},
		{"UBER BV", 8000, 0, CatGig},
		{"UBER TRIP", 0, 2300, CatTransport},
		{"E-TRANSFER FROM JOHN", 1000, 0, CatTransferIn},
		{"E-TRANSFER TO JOHN", 0, 1000, CatTransferOut},
		{"METRO 123", 0, 8000, CatGroceries},
		{"CANADA CHILD BENEFIT", 60000, 0, CatChildSupport},
		{"INTEREST", 12, 0, CatIncome},
		{"SOMETHING", 0, 100, CatUncategorized},
	}
	for _, c := range cases {
		tx := flinks.Transaction{Description: c.desc}
		if c.credit > 0 {
			tx.Credit = money100(c.credit)
		}
		if c.debit > 0 {
			tx.Debit = money100(c.debit)
		}
		if got := Categorize(tx); got != c.want {
			t.Errorf("Categorize(%q) = %q, want %q", c.desc, got, c.want)
		}
	}
}
