package flinks

// categories is the category tree bankfeed's categorization answers with
// (internal/enrich names each), a name per node, its path from the top. It
// lives here rather than in the categorizer so that a connector, which may import only this package and
// package connector, can check the categories it passes
// (connector.Transaction.Category) and the sandbox can check a scenario's.
var categories = []string{
	"Income",
	"Income/Payroll",
	"Income/Government",
	"Income/Government/EmploymentInsurance",
	"Income/Government/SocialAssistance",
	"Income/Government/WSIB",
	"Income/Government/Pension",
	"Income/Government/ChildSupport",
	"Income/Gig",
	"Transfers/Incoming",
	"Transfers/Outgoing",
	"Transfers/ReversedNSF",
	"Loans/Deposit",
	"Loans/Payment",
	"Loans/Auto",
	"Loans/Mortgage",
	"Loans/Student",
	"Loans/Payday",
	"Fees/NSF",
	"Fees/StopPayment",
	"Fees/Overdraft",
	"Fees/Bank",
	"Food/Groceries",
	"Food/Restaurants",
	"Housing/Rent",
	"Bills/Utilities",
	"Bills/Telecom",
	"Transportation",
	"Shopping",
	"Uncategorized",
}

// Categories returns the category tree, in the order of internal/enrich's
// Categories.
func Categories() []string { return append([]string(nil), categories...) }

// IsCategory reports whether name is a category of the tree, spelled
// exactly.
func IsCategory(name string) bool {
	for _, c := range categories {
		if c == name {
			return true
		}
	}
	return false
}
