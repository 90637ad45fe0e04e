package accounts

import (
	"fmt"
	"strings"
	"time"

	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/store"
)

// Options are a data request's options, validated.
type Options struct {
	Identity     bool // WithAccountIdentity (default true)
	KYC          bool // WithKYC (default true)
	Transactions bool // WithTransactions (default true)
	Balance      bool // WithBalance (default true)
	Days         int  // 90 (Days90, the default) or 365 (Days365; "Days360" reads as 365)
	Statements   int  // NumberOfStatements: 1 (MostRecent, default), 3 (Months3), 12 (Months12)
	// Query is what the store must read: Accounts (AccountsFilter),
	// From/To (the window), After (RefreshDelta), NoTransactions (when
	// !Transactions).
	Query store.SnapshotQuery
}

const dateLayout = "2006-01-02"

// Parse validates req as of now (the server clock) and returns its options.
// Every field is checked, whichever endpoint req was sent to, and the first
// invalid one (in the order of flinks.DataRequest) is reported as a
// *flinks.Error with FlinksCode INVALID_REQUEST and a message naming the
// field and what it accepts; HttpStatusCode is left to the HTTP layer.
//
// The transaction window is the last Days calendar days (UTC) up to and
// including now's day. DateFrom and DateTo only narrow it: a DateFrom older
// than Days allows is silently bounded by Days (the fetch holds no more
// history than that), and a DateTo in the future is capped at today. A
// window left empty by narrowing (DateTo before the window, DateFrom in the
// future) is valid and selects no transaction.
func Parse(req *flinks.DataRequest, now time.Time) (Options, error) {
	o := Options{
		Identity:     flag(req.WithAccountIdentity),
		KYC:          flag(req.WithKYC),
		Transactions: flag(req.WithTransactions),
		Balance:      flag(req.WithBalance),
	}

	switch v := req.DaysOfTransactions; {
	case v == "", strings.EqualFold(v, "Days90"):
		o.Days = 90
	// Days360 is what the Ruby gem sends for a year of history.
	case strings.EqualFold(v, "Days365"), strings.EqualFold(v, "Days360"):
		o.Days = 365
	default:
		return Options{}, invalid("DaysOfTransactions must be \"Days90\" or \"Days365\", not %s.", quote(v))
	}

	today := day(now)
	o.Query.From = today.AddDate(0, 0, -(o.Days - 1))
	o.Query.To = today
	from, err := date("DateFrom", req.DateFrom)
	if err != nil {
		return Options{}, err
	}
	to, err := date("DateTo", req.DateTo)
	if err != nil {
		return Options{}, err
	}
	if !from.IsZero() && !to.IsZero() && from.After(to) {
		return Options{}, invalid("DateFrom (%s) must not be after DateTo (%s).", req.DateFrom, req.DateTo)
	}
	if from.After(o.Query.From) {
		o.Query.From = from
	}
	if !to.IsZero() && to.Before(o.Query.To) {
		o.Query.To = to
	}

	o.Query.Accounts = req.AccountsFilter
	for i, d := range req.RefreshDelta {
		switch {
		case d.AccountId == "":
			return Options{}, invalid("RefreshDelta[%d].AccountId is empty: each entry names an account and the newest transaction the client holds of it.", i)
		case d.TransactionId == "":
			return Options{}, invalid("RefreshDelta[%d].TransactionId is empty: each entry names an account and the newest transaction the client holds of it.", i)
		}
		if o.Query.After == nil {
			o.Query.After = make(map[string]string, len(req.RefreshDelta))
		}
		// The store can honour one transaction per account; a repeated
		// entry is harmless only when it says the same thing.
		if prev, ok := o.Query.After[d.AccountId]; ok && prev != d.TransactionId {
			return Options{}, invalid("RefreshDelta[%d] names account %s again with another TransactionId; send one entry per account.", i, quote(d.AccountId))
		}
		o.Query.After[d.AccountId] = d.TransactionId
	}
	o.Query.NoTransactions = !o.Transactions

	switch v := req.NumberOfStatements; {
	case v == "", strings.EqualFold(v, "MostRecent"):
		o.Statements = 1
	case strings.EqualFold(v, "Months3"):
		o.Statements = 3
	case strings.EqualFold(v, "Months12"):
		o.Statements = 12
	default:
		return Options{}, invalid("NumberOfStatements must be \"MostRecent\", \"Months3\" or \"Months12\", not %s.", quote(v))
	}
	return o, nil
}

// flag reads a With* flag: clients that omit one expect the data it
// governs, as the Flinks sandbox returns it.
func flag(b *flinks.Bool) bool { return b == nil || bool(*b) }

// date parses an optional date field; "" is the zero time.
func date(field, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(dateLayout, v)
	if err != nil {
		return time.Time{}, invalid("%s must be a date as yyyy-MM-dd, e.g. \"2024-01-31\", not %s.", field, quote(v))
	}
	return t, nil
}

// day returns midnight UTC of t's calendar day in UTC, the unit the store
// compares transaction dates in.
func day(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func invalid(format string, args ...any) error {
	return &flinks.Error{FlinksCode: flinks.CodeInvalidRequest, Message: fmt.Sprintf(format, args...)}
}

// quote echoes a client's value in a message, short and valid UTF-8 even
// when the client sent a megabyte of garbage.
func quote(s string) string {
	const max = 40
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "..."
	}
	return `"` + strings.ToValidUTF8(s, "") + `"`
}
