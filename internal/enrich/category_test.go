package enrich

import (
	"slices"
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

// TestCategorizeBankCategory checks that the bank's category of a
// transaction wins over the rules when it is one of the tree, and is
// ignored when it is not, whatever the description says.
func TestCategorizeBankCategory(t *testing.T) {
	cases := []struct {
		desc, bank string
		credit     int64
		want       string
	}{
		{"RESTAURANT CHEZ LEON", "", 0, CatRestaurants},
		{"RESTAURANT CHEZ LEON", CatShopping, 0, CatShopping},
		{"NSF FEE", CatBankFees, 0, CatBankFees},
		{"PAYROLL ACME", CatGig, 250000, CatGig},
		{"SOMETHING", CatGroceries, 0, CatGroceries},
		{"SQUARE DEPOSIT", CatPayroll, 10000, CatPayroll},
		// Outside the tree, or spelled otherwise: the rules decide.
		{"RESTAURANT CHEZ LEON", "Food/Resto", 0, CatRestaurants},
		{"RESTAURANT CHEZ LEON", "food/restaurants", 0, CatRestaurants},
		{"PAYROLL ACME", "Income/", 250000, CatPayroll},
	}
	for _, c := range cases {
		tx := flinks.Transaction{Description: c.desc, BankCategory: c.bank, Debit: money100(4210)}
		if c.credit > 0 {
			tx.Debit, tx.Credit = nil, money100(c.credit)
		}
		if got := Categorize(tx); got != c.want {
			t.Errorf("Categorize(%q, bank category %q) = %q, want %q", c.desc, c.bank, got, c.want)
		}
	}
}

// TestCategoryTreeIsFlinks checks that the tree a connector or a scenario
// validates its categories against (flinks.Categories) is the one the
// categorizer answers with, node for node.
func TestCategoryTreeIsFlinks(t *testing.T) {
	ours, theirs := Categories(), flinks.Categories()
	if !slices.Equal(ours, theirs) {
		t.Errorf("enrich.Categories() = %q\nflinks.Categories() = %q", ours, theirs)
	}
	for _, r := range rules {
		if !flinks.IsCategory(r.cat) {
			t.Errorf("rule %q names %q, not a category of the tree", r.keyword, r.cat)
		}
	}
}
