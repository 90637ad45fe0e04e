package connector

import (
	"context"
	"strconv"
	"time"
)

// Fetcher is implemented by connectors that fetch a login's data after it
// is authorized. Every connector will have to; it is a separate interface
// while the data endpoints are being built.
type Fetcher interface {
	// Fetch returns what the bank shows of the login whose authorized
	// outcome carried req.State.
	Fetch(ctx context.Context, req FetchRequest) (*Snapshot, error)
}

// FetchRequest asks for a login's data.
type FetchRequest struct {
	// State is the State of the login's authorized outcome.
	State []byte
	// Now is the server's clock: the snapshot shows the accounts as of Now.
	Now time.Time
	// Days is how many days of transactions to return, counted back from
	// Now (365 or more asks for a full year).
	Days int
}

// Snapshot is what a bank shows of a login at one refresh.
type Snapshot struct {
	Holder   Holder
	Accounts []Account
}

// Holder is the person (or business) a login belongs to.
type Holder struct {
	Name        string
	Email       string
	PhoneNumber string
	Address     Address
}

// Address is a civic address.
type Address struct {
	CivicAddress string
	City         string
	Province     string // two letters, e.g. "QC"
	PostalCode   string // e.g. "H3B 5E8"
	POBox        string
	Country      string // "CA"
}

// Account is one account of a login.
type Account struct {
	// ID is stable across refreshes of the login.
	ID       string
	Title    string
	Category string // Operations, Credits, Products or Other
	Type     string // Chequing, Savings, CreditCard, LineOfCredit, Loan, ...
	Currency string // CAD or USD
	// AccountType is Personal or Business.
	AccountType       string
	AccountNumber     string
	TransitNumber     string // five digits
	InstitutionNumber string // three digits
	// Balance: Current is the posted balance, Available what can be spent,
	// Limit the credit limit. A nil amount is not known (a loan has no
	// Limit or Available). Every balance follows one rule, previous plus
	// Credit minus Debit, so on credit accounts (card, line of credit,
	// loan) it is negative when money is owed, and Available is
	// Limit + Current.
	Current, Available, Limit *Cents
	OverdraftLimit            *Cents
	// Transactions are newest first. Each Balance equals the previous
	// (older) one plus Credit minus Debit, and the newest equals Current.
	Transactions []Transaction
}

// Transaction is one transaction as the bank shows it at a refresh. A bank
// may show a transaction while it is pending; when it posts, it keeps its
// ID and may change its amount and description, and a bank may remove one
// (a hold that drops). Balances then follow: each refresh is consistent in
// itself.
type Transaction struct {
	// ID is stable: the same transaction has the same ID at every refresh.
	ID          string
	Date        time.Time // a calendar day, at midnight UTC
	Description string
	// Exactly one of Debit and Credit is positive; the other is zero.
	Debit, Credit Cents
	Balance       Cents
	// Category is optional: the bank's own category of the transaction,
	// mapped by the connector to a category of bankfeed's tree
	// (flinks.Categories). When set, bankfeed's categorization uses it
	// instead of its rules; a name outside the tree is ignored. Empty when
	// the bank gives none, as most do.
	Category string
}

// Cents is an amount of money in hundredths of the currency unit: money is
// counted exactly, never in floating point.
type Cents int64

// String formats c as a decimal amount, e.g. "-1234.50".
func (c Cents) String() string {
	sign := ""
	v := int64(c)
	if v < 0 {
		sign, v = "-", -v
	}
	frac := strconv.FormatInt(v%100, 10)
	if len(frac) == 1 {
		frac = "0" + frac
	}
	return sign + strconv.FormatInt(v/100, 10) + "." + frac
}
