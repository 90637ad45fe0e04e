package sandbox

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/connector"
)

// TestPersonas checks each built-in persona against what it promises, over
// the 90 days a lender reads and a refresh ten days later: deterministic,
// consistent balances, the same older transactions, and the flows that
// make the persona.
func TestPersonas(t *testing.T) {
	t.Parallel()
	scenarios, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	var fc *Scenario
	for _, sc := range scenarios {
		if sc.Institution == "FlinksCapital" {
			fc = sc
		}
	}
	linked := time.Date(2026, time.November, 24, 15, 0, 0, 0, time.UTC)
	later := linked.Add(10 * 24 * time.Hour)
	// descriptions counts the chequing transactions by description with
	// digits kept.
	descriptions := func(snap *connector.Snapshot) map[string][]time.Time {
		m := map[string][]time.Time{}
		for _, tx := range snap.Accounts[0].Transactions {
			m[tx.Description] = append(m[tx.Description], tx.Date)
		}
		return m
	}
	tests := []struct {
		username, persona string
		check             func(t *testing.T, snap *connector.Snapshot, d map[string][]time.Time)
	}{
		{"persona_salaried", "salaried", func(t *testing.T, snap *connector.Snapshot, d map[string][]time.Time) {
			var pays []time.Time
			for desc, dates := range d {
				if strings.HasPrefix(desc, "PAYROLL DEP ") {
					if pays != nil {
						t.Errorf("a second employer %q", desc)
					}
					pays = dates
				}
			}
			if len(pays) < 6 {
				t.Fatalf("%d paydays in 90 days, want 6 or 7", len(pays))
			}
			for i := 1; i < len(pays); i++ {
				if gap := pays[i-1].Sub(pays[i]); gap != 14*24*time.Hour {
					t.Errorf("paydays %v and %v: %v apart, want two weeks", pays[i], pays[i-1], gap)
				}
			}
			if len(d[nsfDescription]) != 0 {
				t.Errorf("%d NSF fees", len(d[nsfDescription]))
			}
		}},
		{"persona_gig", "gig", func(t *testing.T, snap *connector.Snapshot, d map[string][]time.Time) {
			for desc := range d {
				if strings.HasPrefix(desc, "PAYROLL") {
					t.Errorf("a gig worker paid by %q", desc)
				}
			}
			for _, g := range gigPlatforms {
				if len(d[g.desc]) < 2 {
					t.Errorf("%s paid %d times in 90 days", g.desc, len(d[g.desc]))
				}
			}
		}},
		{"persona_borrower", "borrower", func(t *testing.T, snap *connector.Snapshot, d map[string][]time.Time) {
			if len(snap.Accounts) != 1 {
				t.Errorf("%d accounts, want chequing alone", len(snap.Accounts))
			}
			adv, pay := d["CASH MONEY PAYDAY ADVANCE"], d["CASH MONEY PAYDAY LOAN PAYMENT"]
			if len(adv) < 3 || len(pay) < 3 {
				t.Errorf("%d payday advances and %d repayments in 90 days, want 3 or more", len(adv), len(pay))
			}
			if len(d[nsfDescription]) < 2 {
				t.Errorf("%d NSF fees in 90 days, want several", len(d[nsfDescription]))
			}
			negative := false
			for _, tx := range snap.Accounts[0].Transactions {
				negative = negative || tx.Balance < 0
			}
			if !negative {
				t.Error("chequing never below zero")
			}
		}},
		{"persona_business", "business", func(t *testing.T, snap *connector.Snapshot, d map[string][]time.Time) {
			for _, a := range snap.Accounts {
				if a.AccountType != "Business" || !strings.HasPrefix(a.Title, "Business ") {
					t.Errorf("account %q of type %q, want a Business account", a.Title, a.AccountType)
				}
			}
			if len(d["SQUARE DEPOSIT"]) < 50 || len(d["ADP PAYROLL SERVICES"]) < 6 {
				t.Errorf("%d deposits and %d payrolls in 90 days", len(d["SQUARE DEPOSIT"]), len(d["ADP PAYROLL SERVICES"]))
			}
		}},
		{"persona_newcomer", "newcomer", func(t *testing.T, snap *connector.Snapshot, d map[string][]time.Time) {
			open := linked.Truncate(24*time.Hour).AddDate(0, 0, -(newcomerDays - 1))
			for _, a := range snap.Accounts {
				if n := len(a.Transactions); n == 0 {
					t.Errorf("%s: no transaction", a.Title)
				} else if a.Transactions[n-1].Date.Before(open) {
					t.Errorf("%s: history from %v, want from %v", a.Title, a.Transactions[n-1].Date, open)
				}
			}
			if got := d["INTL WIRE TRANSFER IN"]; len(got) != 1 || !got[0].Equal(open) {
				t.Errorf("the opening wire on %v, want once on %v", got, open)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.persona, func(t *testing.T) {
			t.Parallel()
			u := fc.user(tc.username)
			if u == nil || u.Persona != tc.persona {
				t.Fatalf("FlinksCapital has no user %s of persona %s", tc.username, tc.persona)
			}
			snap := generateFor("FlinksCapital", u, linked, linked, 90)
			if again := generateFor("FlinksCapital", u, linked, linked, 90); !reflect.DeepEqual(snap, again) {
				t.Fatal("two fetches at one moment differ")
			}
			if err := checkChain(snap); err != nil {
				t.Fatal(err)
			}
			next := generateFor("FlinksCapital", u, linked, later, 90)
			if err := checkChain(next); err != nil {
				t.Fatal(err)
			}
			if err := checkStable(snap, next, linked, later, 90); err != nil {
				t.Errorf("a refresh ten days later: %v", err)
			}
			if plain := generate("FlinksCapital", tc.username, linked, 90); reflect.DeepEqual(plain, snap) {
				t.Error("the persona changed nothing")
			}
			tc.check(t, snap, descriptions(snap))
		})
	}
	// The newcomer's history grows from the same first day.
	u := fc.user("persona_newcomer")
	a, b := generateFor("FlinksCapital", u, linked, linked, 90), generateFor("FlinksCapital", u, linked, later, 90)
	first := func(s *connector.Snapshot) time.Time { txs := s.Accounts[0].Transactions; return txs[len(txs)-1].Date }
	if !first(a).Equal(first(b)) || !slices.Equal(a.Accounts[0].Transactions, b.Accounts[0].Transactions[len(b.Accounts[0].Transactions)-len(a.Accounts[0].Transactions):]) {
		t.Errorf("the newcomer's history starts on %v, then %v ten days later", first(a), first(b))
	}
}

// TestBorrowerPaydayLoan checks the borrower's payday loan against its
// description: every advance repaid, with its cost, on the payday four
// days later.
func TestBorrowerPaydayLoan(t *testing.T) {
	t.Parallel()
	u := &User{Username: "persona_borrower", Persona: "borrower"}
	now := time.Date(2026, time.November, 24, 15, 0, 0, 0, time.UTC)
	txs := generateFor("FlinksCapital", u, now, now, 365).Accounts[0].Transactions
	payday := map[time.Time]bool{}
	repaid := map[time.Time]connector.Cents{}
	for _, tx := range txs {
		switch {
		case strings.HasPrefix(tx.Description, "PAYROLL DEP "):
			payday[tx.Date] = true
		case tx.Description == "CASH MONEY PAYDAY LOAN PAYMENT":
			repaid[tx.Date] = tx.Debit
		}
	}
	n := 0
	for _, tx := range txs {
		if tx.Description != "CASH MONEY PAYDAY ADVANCE" {
			continue
		}
		n++
		due := tx.Date.AddDate(0, 0, 4)
		if due.After(now) {
			continue
		}
		if !payday[due] || repaid[due] != paydayAdvance+paydayCost || tx.Credit != paydayAdvance {
			t.Errorf("advance of %v on %v: payday four days later %v, repaid %v", tx.Credit, tx.Date.Format(time.DateOnly), payday[due], repaid[due])
		}
	}
	if n < 12 {
		t.Errorf("%d advances in a year, want one every 28 days", n)
	}
}
