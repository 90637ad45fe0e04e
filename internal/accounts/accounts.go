// Package accounts serves the Flinks data endpoints (GetAccountsDetail,
// GetAccountsSummary, GetStatements and their *Async twins) from a login's
// stored snapshot. Service checks a call against its session and reads, in
// one read transaction, what the call asks for; the rest is pure: Parse
// validates a request's options into a store query, and Detail, Summary and
// Statements map what the store read, with the clock passed in.
package accounts

import (
	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/store"
)

// Detail maps the snapshot's accounts (already filtered and windowed by the
// store) to GetAccountsDetail accounts.
func Detail(snap *connector.Snapshot, o Options) []flinks.AccountDetail {
	holder := holderOf(snap, o)
	out := make([]flinks.AccountDetail, 0, len(snap.Accounts))
	for i := range snap.Accounts {
		a := &snap.Accounts[i]
		d := flinks.AccountDetail{
			// Flinks sends [] rather than null when transactions are
			// withheld or there are none, and clients iterate it blindly.
			Transactions:   []flinks.Transaction{},
			OverdraftLimit: money(a.OverdraftLimit),
			Title:          a.Title,
			Balance:        balance(a, o),
			Category:       a.Category,
			Type:           a.Type,
			Currency:       a.Currency,
			Holder:         holder,
			AccountType:    str(a.AccountType),
			Id:             a.ID,
		}
		if o.Identity {
			d.TransitNumber = str(a.TransitNumber)
			d.InstitutionNumber = str(a.InstitutionNumber)
			d.AccountNumber = str(a.AccountNumber)
			d.LastFourDigits = lastFour(a.AccountNumber)
		}
		if o.Transactions && len(a.Transactions) > 0 {
			d.Transactions = transactions(a.Transactions)
		}
		out = append(out, d)
	}
	return out
}

// Summary maps the snapshot's accounts to GetAccountsSummary accounts (no
// transactions).
func Summary(snap *connector.Snapshot, o Options) []flinks.AccountSummary {
	holder := holderOf(snap, o)
	out := make([]flinks.AccountSummary, 0, len(snap.Accounts))
	for i := range snap.Accounts {
		a := &snap.Accounts[i]
		s := flinks.AccountSummary{
			Title:       a.Title,
			Balance:     balance(a, o),
			Category:    a.Category,
			Type:        a.Type,
			Currency:    a.Currency,
			Holder:      holder,
			AccountType: str(a.AccountType),
			Id:          a.ID,
		}
		// Flinks reports how often it obtained EFT details for an account
		// over time; a snapshot has one observation, so the ratio is 0 or 1.
		// Only Operations accounts take EFTs and e-Transfers.
		if a.Category == "Operations" {
			s.ETransferEligibleRatio = 1
			if a.TransitNumber != "" && a.InstitutionNumber != "" && a.AccountNumber != "" {
				s.EftEligibleRatio = 1
			}
		}
		if o.Identity {
			s.AccountNumber = str(a.AccountNumber)
			s.LastFourDigits = lastFour(a.AccountNumber)
		}
		out = append(out, s)
	}
	return out
}

// transactions maps txns, newest first as stored.
func transactions(txns []connector.Transaction) []flinks.Transaction {
	out := make([]flinks.Transaction, len(txns))
	// A year of history is thousands of transactions, and this is the hot
	// path of GetAccountsDetail: rather than three allocations per
	// transaction, Debit or Credit and Balance point into one array, and
	// the dates are substrings of one string.
	amounts := make([]flinks.Money, 2*len(txns))
	buf := make([]byte, 0, len(dateLayout)*len(txns))
	ends := make([]int, len(txns))
	for i, t := range txns {
		buf = t.Date.UTC().AppendFormat(buf, dateLayout)
		ends[i] = len(buf)
	}
	dates, start := string(buf), 0
	for i, t := range txns {
		tx := &out[i]
		tx.Date, start = dates[start:ends[i]], ends[i]
		tx.Description = t.Description
		tx.Id = t.ID
		tx.BankCategory = t.Category
		side := &amounts[2*i]
		if t.Debit != 0 {
			*side = flinks.Money(t.Debit)
			tx.Debit = side
		} else {
			*side = flinks.Money(t.Credit)
			tx.Credit = side
		}
		amounts[2*i+1] = flinks.Money(t.Balance)
		tx.Balance = &amounts[2*i+1]
	}
	return out
}

func balance(a *connector.Account, o Options) flinks.Balance {
	if !o.Balance {
		// The object stays, with null amounts, as Flinks sends it.
		return flinks.Balance{}
	}
	return flinks.Balance{Available: money(a.Available), Current: money(a.Current), Limit: money(a.Limit)}
}

// holderOf maps the snapshot's holder once: every account of a login
// shares it, so the accounts share one value.
func holderOf(snap *connector.Snapshot, o Options) *flinks.Holder {
	if !o.KYC {
		return nil
	}
	return Holder(snap)
}

// Holder maps the snapshot's account holder, as Flinks shows it.
func Holder(snap *connector.Snapshot) *flinks.Holder {
	h, ad := &snap.Holder, &snap.Holder.Address
	return &flinks.Holder{
		Name: str(h.Name),
		// The address is always an object, even when nothing is known,
		// as in every Flinks sample.
		Address: &flinks.Address{
			CivicAddress: str(ad.CivicAddress),
			City:         str(ad.City),
			Province:     str(ad.Province),
			PostalCode:   str(ad.PostalCode),
			POBox:        str(ad.POBox),
			Country:      str(ad.Country),
		},
		Email:       str(h.Email),
		PhoneNumber: str(h.PhoneNumber),
	}
}

// Login maps a saved login to the Login object of the Flinks responses.
func Login(login *store.Login) *flinks.Login {
	l := &flinks.Login{Username: login.Username, IsScheduledRefresh: login.ScheduledRefresh, Id: login.ID}
	if !login.LastRefresh.IsZero() {
		v := login.LastRefresh.UTC().Format(flinks.TimeLayout)
		l.LastRefresh = &v
	}
	if login.Type != "" {
		v := login.Type
		l.Type = &v
	}
	return l
}

// lastFour returns the last four characters of an account number, or nil
// when it has fewer: showing all of a short number would not mask it.
func lastFour(number string) *string {
	r := []rune(number)
	if len(r) < 4 {
		return nil
	}
	s := string(r[len(r)-4:])
	return &s
}

// str maps "" to null: connectors leave unknown text empty, Flinks sends
// null.
func str(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func money(c *connector.Cents) *flinks.Money {
	if c == nil {
		return nil
	}
	m := flinks.Money(*c)
	return &m
}
