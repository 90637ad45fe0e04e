package flinks

// categories is the category tree bankfeed's categorization answers with,
// each name "Top" or "Top/Sub". It lives here rather than in the
// categorizer so that a connector, which may import only this package and
// package connector, can check the categories it passes
// (connector.Transaction.Category) and the sandbox can check a scenario's.
var categories = []string{
	"Income",
	"Income/Payroll",
	"Income/Government",
	"Income/Gig",
	"Transfers/Incoming",
	"Transfers/Outgoing",
	"Loans/Payment",
	"Loans/Payday",
	"Fees/NSF",
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

// Categories returns the category tree, parents before their children.
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
