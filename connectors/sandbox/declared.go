package sandbox

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/flinks"
)

// DeclaredTransaction is a transaction a scenario puts on a user's chequing
// account beside the generated history, to show what a generator cannot
// promise: a transaction pending at one refresh and posted at the next, with
// another amount and description, or removed by the bank.
//
// Its times count from the login's link time (when it was first
// authorized), not from the refresh, so that every refresh at the same
// moment sees the same thing and a later one sees it move on.
type DeclaredTransaction struct {
	// Description is shown while the transaction is pending, and after it
	// posts unless PostedDescription is set.
	Description string
	// Amount is a decimal such as "-42.10": negative is a debit, positive a
	// credit.
	Amount string
	// Day is the transaction's calendar day (UTC), in days from the link
	// day: 0 is the day the login is linked, -3 three days before, 2 two
	// days after (the transaction appears at a refresh from then on).
	Day int
	// PendingUntil, a Go duration from the link time, makes the transaction
	// pending until then; empty means posted from the start.
	PendingUntil string
	// PostedAmount and PostedDescription replace Amount and Description
	// once the transaction posts (a tip added to a restaurant bill).
	PostedAmount      string
	PostedDescription string
	// RemovedAfter, a Go duration from the link time, removes the
	// transaction from then on (an authorization that drops, a reversal).
	RemovedAfter string
	// Category, from the category tree of flinks.Categories, overrides the
	// categorizer's rules for this transaction.
	Category string

	amount, posted        connector.Cents
	pendingFor, removedAt time.Duration
}

// maxDeclaredDay bounds Day: a year either side of the link day.
const maxDeclaredDay = 365

var amountPattern = regexp.MustCompile(`^([+-]?)([0-9]{1,9})(?:\.([0-9]{1,2}))?$`)

// parseAmount reads a decimal amount in cents; "-42.1" is -4210.
func parseAmount(s string) (connector.Cents, bool) {
	m := amountPattern.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, false
	}
	units, _ := strconv.ParseInt(m[2], 10, 64)
	frac := m[3]
	for len(frac) < 2 {
		frac += "0"
	}
	cents, _ := strconv.ParseInt(frac, 10, 64)
	v := connector.Cents(units*100 + cents)
	if m[1] == "-" {
		v = -v
	}
	return v, true
}

// validate checks a declared transaction; field is its path in the file.
func (d *DeclaredTransaction) validate(file, field string) error {
	fail := func(f, format string, args ...any) error {
		return &ScenarioError{File: file, Field: field + f, Msg: fmt.Sprintf(format, args...)}
	}
	if d == nil {
		return fail("", "must be an object")
	}
	if strings.TrimSpace(d.Description) == "" {
		return fail(".Description", "is required")
	}
	amount := func(f, s string) (connector.Cents, error) {
		v, ok := parseAmount(s)
		if !ok {
			return 0, fail(f, "%q is not an amount such as \"-42.10\" (a debit) or \"1200.00\" (a credit)", s)
		}
		if v == 0 {
			return 0, fail(f, "must not be zero: a debit is negative, a credit positive")
		}
		return v, nil
	}
	var err error
	if d.amount, err = amount(".Amount", d.Amount); err != nil {
		return err
	}
	if d.Day < -maxDeclaredDay || d.Day > maxDeclaredDay {
		return fail(".Day", "%d is not between -%d and %d (days from the day the login is linked)", d.Day, maxDeclaredDay, maxDeclaredDay)
	}
	duration := func(f, s string) (time.Duration, error) {
		v, err := time.ParseDuration(s)
		if err != nil || v <= 0 {
			return 0, fail(f, "%q is not a positive duration such as \"48h\" (counted from when the login is linked)", s)
		}
		return v, nil
	}
	if d.PendingUntil != "" {
		if d.pendingFor, err = duration(".PendingUntil", d.PendingUntil); err != nil {
			return err
		}
	}
	d.posted = d.amount
	if d.PostedAmount != "" {
		if d.PendingUntil == "" {
			return fail(".PostedAmount", "needs PendingUntil: only a pending transaction posts with another amount")
		}
		if d.posted, err = amount(".PostedAmount", d.PostedAmount); err != nil {
			return err
		}
	}
	if d.PostedDescription != "" && d.PendingUntil == "" {
		return fail(".PostedDescription", "needs PendingUntil: only a pending transaction posts with another description")
	}
	if d.RemovedAfter != "" {
		if d.removedAt, err = duration(".RemovedAfter", d.RemovedAfter); err != nil {
			return err
		}
	}
	if d.Category != "" && !flinks.IsCategory(d.Category) {
		return fail(".Category", "%q is not a category of the tree (%s)", d.Category, strings.Join(flinks.Categories(), ", "))
	}
	return nil
}

// declaredKey seeds the IDs of a login's declared transactions.
const declaredKey = 0xdec1_a7ed_0000_0000

// overlay adds the declared transactions of a login linked at linked to
// its account a as the bank shows it at now, with a window of the days
// from..last (indexes since historyAnchor): each one pending, posted or
// gone, and every running balance after it moved by its amount, as the
// Balance and Current of a real account would be. The generated
// transactions keep their IDs, amounts and order.
func overlay(a *connector.Account, seed uint64, decl []*DeclaredTransaction, linked, now time.Time, from, last int) {
	type shown struct {
		day int
		tx  connector.Transaction
	}
	linkDay := int(epochDay(linked) - anchorEpochDay)
	var add []shown
	var delta connector.Cents // every declared amount shown, in the window or before it
	var before connector.Cents
	since := now.Sub(linked)
	for i, d := range decl {
		day := linkDay + d.Day
		if day > last || (d.removedAt > 0 && since >= d.removedAt) {
			continue
		}
		amount, desc := d.amount, d.Description
		if d.pendingFor == 0 || since >= d.pendingFor {
			amount = d.posted
			if d.PostedDescription != "" {
				desc = d.PostedDescription
			}
		}
		delta += amount
		if day < from {
			before += amount
			continue
		}
		tx := connector.Transaction{
			ID:          guidFrom(seed^declaredKey, uint64(i)),
			Date:        historyAnchor.Add(time.Duration(day) * 24 * time.Hour),
			Description: desc,
			Category:    d.Category,
		}
		if amount > 0 {
			tx.Credit = amount
		} else {
			tx.Debit = -amount
		}
		add = append(add, shown{day, tx})
	}
	if delta == 0 && len(add) == 0 {
		return
	}
	// Oldest first: a declared transaction is the last of its day, in the
	// order of the file.
	sort.SliceStable(add, func(i, j int) bool { return add[i].day < add[j].day })

	gen := a.Transactions
	var genSum connector.Cents
	for _, t := range gen {
		genSum += t.Credit - t.Debit
	}
	current := connector.Cents(0)
	if a.Current != nil {
		current = *a.Current
	}
	bal := current - genSum + before // the balance before the window's first day
	out := make([]connector.Transaction, 0, len(gen)+len(add))
	k := 0
	for i := len(gen) - 1; i >= 0; i-- {
		day := int(epochDay(gen[i].Date) - anchorEpochDay)
		for ; k < len(add) && add[k].day < day; k++ {
			bal += add[k].tx.Credit - add[k].tx.Debit
			add[k].tx.Balance = bal
			out = append(out, add[k].tx)
		}
		t := gen[i]
		bal += t.Credit - t.Debit
		t.Balance = bal
		out = append(out, t)
	}
	for ; k < len(add); k++ {
		bal += add[k].tx.Credit - add[k].tx.Debit
		add[k].tx.Balance = bal
		out = append(out, add[k].tx)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	a.Transactions = out
	moved := func(c *connector.Cents) *connector.Cents {
		if c == nil {
			return nil
		}
		v := *c + delta
		return &v
	}
	a.Current = moved(a.Current)
	a.Available = moved(a.Available)
}
