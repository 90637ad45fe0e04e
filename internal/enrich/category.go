package enrich

import (
	"strings"

	"github.com/bankfeed/bankfeed/flinks"
)

// Categories of the tree bankfeed answers with. Names are Flinks' top-level
// categories; a rule picks one from a transaction's description and sign.
const (
	CatIncome              = "Income"
	CatPayroll             = "Income/Payroll"
	CatGovernment          = "Income/Government"
	CatEmploymentInsurance = "Income/Government/EmploymentInsurance"
	CatSocialAssistance    = "Income/Government/SocialAssistance"
	CatWSIB                = "Income/Government/WSIB"
	CatPension             = "Income/Government/Pension"
	CatChildSupport        = "Income/Government/ChildSupport"
	CatGig                 = "Income/Gig"
	CatTransferIn          = "Transfers/Incoming"
	CatTransferOut         = "Transfers/Outgoing"
	CatReversedNSF         = "Transfers/ReversedNSF"
	CatLoanDeposit         = "Loans/Deposit"
	CatLoanPayment         = "Loans/Payment"
	CatAutoLoan            = "Loans/Auto"
	CatMortgage            = "Loans/Mortgage"
	CatStudentLoan         = "Loans/Student"
	CatPaydayLoan          = "Loans/Payday"
	CatNSF                 = "Fees/NSF"
	CatStopPayment         = "Fees/StopPayment"
	CatOverdraft           = "Fees/Overdraft"
	CatBankFees            = "Fees/Bank"
	CatGroceries           = "Food/Groceries"
	CatRestaurants         = "Food/Restaurants"
	CatHousing             = "Housing/Rent"
	CatUtilities           = "Bills/Utilities"
	CatTelecom             = "Bills/Telecom"
	CatTransport           = "Transportation"
	CatShopping            = "Shopping"
	CatUncategorized       = "Uncategorized"
)

// Categories lists the category tree, for validating a category a
// connector or a scenario names.
func Categories() []string {
	return []string{CatIncome, CatPayroll, CatGovernment, CatEmploymentInsurance, CatSocialAssistance, CatWSIB,
		CatPension, CatChildSupport, CatGig, CatTransferIn, CatTransferOut, CatReversedNSF, CatLoanDeposit,
		CatLoanPayment, CatAutoLoan, CatMortgage, CatStudentLoan, CatPaydayLoan, CatNSF, CatStopPayment,
		CatOverdraft, CatBankFees, CatGroceries, CatRestaurants, CatHousing, CatUtilities, CatTelecom,
		CatTransport, CatShopping, CatUncategorized}
}

// rule maps a keyword in the description, for one direction of money, to a
// category. Order matters: the first rule that matches wins, so the more
// specific keywords (NSF before FEE, PAYDAY before LOAN) come first.
type rule struct {
	keyword string
	credit  bool // the rule applies to credits; otherwise to debits
	cat     string
}

var rules = []rule{
	// A credit naming NSF is a payment the bank returned unpaid.
	{"NSF", true, CatReversedNSF},
	{"NON-SUFFICIENT", true, CatReversedNSF},
	{"NSF", false, CatNSF},
	{"NON-SUFFICIENT", false, CatNSF},
	{"STOP PAYMENT", false, CatStopPayment},
	{"OVERDRAFT", false, CatOverdraft},
	{"FEE", false, CatBankFees},
	{"PAYDAY", true, CatPaydayLoan},
	{"PAYDAY", false, CatPaydayLoan},
	{"CASH MONEY", true, CatPaydayLoan},
	{"CASH MONEY", false, CatPaydayLoan},
	{"MONEYMART", true, CatPaydayLoan},
	{"MONEYMART", false, CatPaydayLoan},
	// The advance a loan account's ledger starts with moves money out of
	// the loan, it is no repayment.
	{"ADVANCE", false, CatTransferOut},
	{"LOAN DEPOSIT", true, CatLoanDeposit},
	{"AUTO LOAN", false, CatAutoLoan},
	{"CAR LOAN", false, CatAutoLoan},
	{"STUDENT LOAN", false, CatStudentLoan},
	{"NSLSC", false, CatStudentLoan},
	{"MORTGAGE", false, CatMortgage},
	{"LOAN", false, CatLoanPayment},
	{"PAYROLL", true, CatPayroll},
	{"SALARY", true, CatPayroll},
	{"PAY ", true, CatPayroll},
	{"EI ", true, CatEmploymentInsurance},
	{"EMPLOYMENT INSURANCE", true, CatEmploymentInsurance},
	{"SOCIAL ASSISTANCE", true, CatSocialAssistance},
	{"ONTARIO WORKS", true, CatSocialAssistance},
	{"WSIB", true, CatWSIB},
	{"CNESST", true, CatWSIB},
	{"CPP", true, CatPension},
	{"OAS", true, CatPension},
	{"PENSION", true, CatPension},
	{"CHILD SUPPORT", true, CatChildSupport},
	{"CCB", true, CatChildSupport},
	{"CANADA CHILD", true, CatChildSupport},
	{"CANADA", true, CatGovernment},
	{"GOVT", true, CatGovernment},
	{"UBER", true, CatGig},
	{"DOORDASH", true, CatGig},
	{"SKIP", true, CatGig},
	{"E-TRANSFER", true, CatTransferIn},
	{"E-TRF", true, CatTransferIn},
	{"TRANSFER", true, CatTransferIn},
	// A card's or a loan's ledger receives its repayments as credits.
	{"PAYMENT", true, CatTransferIn},
	{"E-TRANSFER", false, CatTransferOut},
	{"E-TRF", false, CatTransferOut},
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

// Categorize gives a transaction's category: the bank's own when it gave
// one of the tree (BankCategory, such as a scenario's declared category),
// otherwise the first rule matching its description and the direction of
// its amount. It is deterministic: the same transaction always gets the
// same category. A credit no rule names is Income, a debit Uncategorized.
func Categorize(t flinks.Transaction) string {
	if t.BankCategory != "" && flinks.IsCategory(t.BankCategory) {
		return t.BankCategory
	}
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
