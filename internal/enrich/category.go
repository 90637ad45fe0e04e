package enrich

import (
	"strings"

	"github.com/bankfeed/bankfeed/flinks"
)

// Categories of the tree bankfeed answers with. Names are Flinks' top-level
// categories; a rule picks one from a transaction's description and sign.
const (
	CatIncome        = "Income"
	CatPayroll       = "Income/Payroll"
	CatGovernment    = "Income/Government"
	CatTransferIn    = "Transfers/Incoming"
	CatTransferOut   = "Transfers/Outgoing"
	CatLoanPayment   = "Loans/Payment"
	CatPaydayLoan    = "Loans/Payday"
	CatNSF           = "Fees/NSF"
	CatBankFees      = "Fees/Bank"
	CatGroceries     = "Food/Groceries"
	CatRestaurants   = "Food/Restaurants"
	CatHousing       = "Housing/Rent"
	CatUtilities     = "Bills/Utilities"
	CatTelecom       = "Bills/Telecom"
	CatTransport     = "Transportation"
	CatShopping      = "Shopping"
	CatGig           = "Income/Gig"
	CatUncategorized = "Uncategorized"
)

// rule maps a keyword in the description, for one direction of money, to a
// category. Order matters: the first rule that matches wins, so the more
// specific keywords (NSF before FEE, PAYDAY before LOAN) come first.
type rule struct {
	keyword string
	credit  bool // the rule applies to credits; otherwise to debits
	cat     string
}

var rules = []rule{
	{"NSF", false, CatNSF},
	{"NON-SUFFICIENT", false, CatNSF},
	{"OVERDRAFT", false, CatBankFees},
	{"FEE", false, CatBankFees},
	{"PAYDAY", true, CatPaydayLoan},
	{"PAYDAY", false, CatPaydayLoan},
	{"CASH MONEY", true, CatPaydayLoan},
	{"LOAN", false, CatLoanPayment},
	{"MORTGAGE", false, CatLoanPayment},
	{"PAYROLL", true, CatPayroll},
	{"SALARY", true, CatPayroll},
	{"PAY ", true, CatPayroll},
	{"CANADA", true, CatGovernment},
	{"GOVT", true, CatGovernment},
	{"UBER", true, CatGig},
	{"DOORDASH", true, CatGig},
	{"SKIP", true, CatGig},
	{"E-TRANSFER", true, CatTransferIn},
	{"TRANSFER", true, CatTransferIn},
	{"E-TRANSFER", false, CatTransferOut},
	{"TRANSFER", false, CatTransferOut},
	{"RENT", false, CatHousing},
	{"HYDRO", false, CatUtilities},
	{"ENERGY", false, CatUtilities},
	{"BELL", false, CatTelecom},
	{"ROGERS", false, CatTelecom},
	{"TELUS", false, CatTelecom},
	{"GROCER", false, CatGroceries},
	{"METRO", false, CatGroceries},
	{"LOBLAWS", false, CatGroceries},
	{"IGA", false, CatGroceries},
	{"RESTAURANT", false, CatRestaurants},
	{"TIM HORTONS", false, CatRestaurants},
	{"UBER", false, CatTransport},
	{"PRESTO", false, CatTransport},
	{"GAS", false, CatTransport},
	{"AMAZON", false, CatShopping},
}

// Categorize gives a transaction's category from its description and the
// direction of its amount. It is deterministic: the same transaction always
// gets the same category. A credit no rule names is Income, a debit
// Uncategorized.
func Categorize(t flinks.Transaction) string {
	d := " " + strings.ToUpper(t.Description) + " "
	credit := t.Credit != nil && *t.Credit > 0
	for _, r := range rules {
		// A keyword matches at the start of a word: NSF must not match
		// inside TRANSFER.
		if r.credit == credit && strings.Contains(d, " "+r.keyword) {
			return r.cat
		}
	}
	if credit {
		return CatIncome
	}
	return CatUncategorized
}
