package sandbox

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/connector"
)

// checkChain checks what every refresh must be, whatever was declared:
// newest first, each Balance the older one plus Credit minus Debit, the
// newest equal to Current, exactly one of Debit and Credit, unique IDs.
func checkChain(snap *connector.Snapshot) error {
	ids := map[string]bool{}
	for _, a := range snap.Accounts {
		for i, tx := range a.Transactions {
			if ids[tx.ID] {
				return fmt.Errorf("%s: transaction ID %s is repeated", a.Title, tx.ID)
			}
			ids[tx.ID] = true
			if (tx.Debit > 0) == (tx.Credit > 0) || tx.Debit < 0 || tx.Credit < 0 {
				return fmt.Errorf("%s: transaction %s has Debit %v and Credit %v", a.Title, tx.ID, tx.Debit, tx.Credit)
			}
			if i == 0 {
				if a.Current == nil || tx.Balance != *a.Current {
					return fmt.Errorf("%s: newest Balance %v, Current %v", a.Title, tx.Balance, a.Current)
				}
				continue
			}
			newer := a.Transactions[i-1]
			if tx.Date.After(newer.Date) {
				return fmt.Errorf("%s: %s of %v lists after %s of %v", a.Title, tx.ID, tx.Date, newer.ID, newer.Date)
			}
			if want := tx.Balance + newer.Credit - newer.Debit; newer.Balance != want {
				return fmt.Errorf("%s: transaction %s Balance %v, want %v", a.Title, newer.ID, newer.Balance, want)
			}
		}
	}
	return nil
}

// declaredUser parses a scenario with one user holding the given declared
// transactions (a JSON list).
func declaredUser(t *testing.T, list string) *User {
	t.Helper()
	sc, err := Parse("bank.json", []byte(`{"Institution": "MapleCredit", "InstitutionId": 900,
		"Users": [{"Username": "alice", "Password": "p", "Transactions": `+list+`}]}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	return sc.Users[0]
}

func findTx(a connector.Account, id string) (connector.Transaction, bool) {
	for _, tx := range a.Transactions {
		if tx.ID == id {
			return tx, true
		}
	}
	return connector.Transaction{}, false
}

// TestDeclaredTransactions follows declared transactions across refreshes
// of one login: pending, posted with another amount and description, or
// removed, each at the moment its scenario says, counted from the link
// time; the generated transactions around them keep their IDs and amounts,
// and every balance after them moves by what they show.
func TestDeclaredTransactions(t *testing.T) {
	t.Parallel()
	u := declaredUser(t, `[
		{"Description": "RESTAURANT CHEZ LEON", "Amount": "-42.10", "Day": -3, "PendingUntil": "48h",
		 "PostedAmount": "-50.52", "PostedDescription": "RESTAURANT CHEZ LEON TIP", "Category": "Food/Restaurants"},
		{"Description": "HOTEL HOLD", "Amount": "-300", "Day": -1, "PendingUntil": "96h", "RemovedAfter": "72h"},
		{"Description": "PAYROLL BONUS", "Amount": "1200.00", "Day": 0},
		{"Description": "REFUND AMAZON.CA", "Amount": "19.99", "Day": 2}
	]`)
	linked := time.Date(2026, time.November, 24, 15, 0, 0, 0, time.UTC)
	seed := loginSeed("MapleCredit", "alice")
	id := func(i int) string { return guidFrom(seed^declaredKey, uint64(i)) }
	type want struct {
		desc   string
		amount connector.Cents // 0: not shown
	}
	tests := []struct {
		name  string
		after time.Duration
		txs   [4]want
	}{
		{"at the link", 0, [4]want{{"RESTAURANT CHEZ LEON", -42_10}, {"HOTEL HOLD", -300_00}, {"PAYROLL BONUS", 1200_00}, {}}},
		{"a day later", 24 * time.Hour, [4]want{{"RESTAURANT CHEZ LEON", -42_10}, {"HOTEL HOLD", -300_00}, {"PAYROLL BONUS", 1200_00}, {}}},
		{"posted", 48 * time.Hour, [4]want{{"RESTAURANT CHEZ LEON TIP", -50_52}, {"HOTEL HOLD", -300_00}, {"PAYROLL BONUS", 1200_00}, {"REFUND AMAZON.CA", 19_99}}},
		{"removed", 72 * time.Hour, [4]want{{"RESTAURANT CHEZ LEON TIP", -50_52}, {}, {"PAYROLL BONUS", 1200_00}, {"REFUND AMAZON.CA", 19_99}}},
		{"long after", 200 * 24 * time.Hour, [4]want{{}, {}, {}, {}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			now := linked.Add(tc.after)
			snap := generateFor("MapleCredit", u, linked, now, 90)
			plain := generate("MapleCredit", "alice", now, 90)
			if err := checkChain(snap); err != nil {
				t.Fatal(err)
			}
			chq := snap.Accounts[0]
			var shown connector.Cents
			for i, w := range tc.txs {
				tx, ok := findTx(chq, id(i))
				if ok != (w.amount != 0) {
					t.Errorf("declared transaction %d shown %v, want %v", i, ok, w.amount != 0)
					continue
				}
				if !ok {
					continue
				}
				shown += w.amount
				if tx.Description != w.desc || tx.Credit-tx.Debit != w.amount {
					t.Errorf("declared transaction %d: %q %v, want %q %v", i, tx.Description, tx.Credit-tx.Debit, w.desc, w.amount)
				}
				day := epochDay(linked) + int64([]int{-3, -1, 0, 2}[i])
				if epochDay(tx.Date) != day || !tx.Date.Equal(tx.Date.Truncate(24*time.Hour)) {
					t.Errorf("declared transaction %d dated %v, want day %d at midnight", i, tx.Date, day)
				}
				if cat := map[int]string{0: "Food/Restaurants"}[i]; tx.Category != cat {
					t.Errorf("declared transaction %d category %q, want %q", i, tx.Category, cat)
				}
			}
			// The long-after window no longer holds them, but its
			// balances still do: the bank spent the money.
			if tc.after > 90*24*time.Hour {
				shown = -50_52 + 1200_00 + 19_99
			}
			if got := *chq.Current - *plain.Accounts[0].Current; got != shown {
				t.Errorf("Current moved by %v, want %v, what the declared transactions show", got, shown)
			}
			if got := *chq.Available - *plain.Accounts[0].Available; got != shown {
				t.Errorf("Available moved by %v, want %v", got, shown)
			}
			// The generated transactions are all there, unchanged but for
			// their running balance.
			byID := map[string]connector.Transaction{}
			for _, tx := range chq.Transactions {
				byID[tx.ID] = tx
			}
			n := 0
			for _, w := range tc.txs {
				if w.amount != 0 {
					n++
				}
			}
			if len(chq.Transactions) != len(plain.Accounts[0].Transactions)+n {
				t.Errorf("%d transactions, want the %d generated and %d declared", len(chq.Transactions), len(plain.Accounts[0].Transactions), n)
			}
			for _, g := range plain.Accounts[0].Transactions {
				got, ok := byID[g.ID]
				if !ok || got.Description != g.Description || got.Debit != g.Debit || got.Credit != g.Credit || !got.Date.Equal(g.Date) {
					t.Fatalf("generated transaction %+v became %+v", g, got)
				}
			}
			for i := 1; i < len(snap.Accounts); i++ {
				if fmt.Sprint(snap.Accounts[i]) != fmt.Sprint(plain.Accounts[i]) {
					t.Errorf("account %s changed: declared transactions go on chequing only", snap.Accounts[i].Title)
				}
			}
		})
	}
}

// TestDeclaredAcrossRefreshes plays the connector itself: the link time is
// kept in the login's state through live reopens, so a refresh days later
// counts from the first login, and a state saved before link times were
// kept is still read.
func TestDeclaredAcrossRefreshes(t *testing.T) {
	t.Parallel()
	sc, err := Parse("bank.json", []byte(`{"Institution": "MapleCredit", "InstitutionId": 900,
		"Users": [{"Username": "alice", "Password": "p", "Transactions": [
			{"Description": "GAS STATION HOLD", "Amount": "-1.00", "Day": 0, "PendingUntil": "24h", "PostedAmount": "-61.30", "PostedDescription": "PETRO-CANADA"}]}]}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(sc)
	if err != nil {
		t.Fatal(err)
	}
	linked := time.Date(2026, time.November, 24, 15, 0, 0, 0, time.UTC)
	login := func(saved []byte, now time.Time) []byte {
		t.Helper()
		out, err := c.Begin(t.Context(), connector.BeginRequest{Institution: "MapleCredit", Username: "alice", Password: "p", Saved: saved, Now: now})
		if err != nil || !out.Authorized() {
			t.Fatalf("Begin: %+v, %v", out, err)
		}
		return out.State
	}
	declared := func(state []byte, now time.Time) connector.Transaction {
		t.Helper()
		snap, err := c.Fetch(t.Context(), connector.FetchRequest{State: state, Now: now, Days: 90})
		if err != nil {
			t.Fatal(err)
		}
		if err := checkChain(snap); err != nil {
			t.Fatal(err)
		}
		tx, ok := findTx(snap.Accounts[0], guidFrom(loginSeed("MapleCredit", "alice")^declaredKey, 0))
		if !ok {
			t.Fatalf("the declared transaction is not shown at %v", now)
		}
		return tx
	}
	first := login(nil, linked)
	if tx := declared(first, linked); tx.Description != "GAS STATION HOLD" || tx.Debit != 1_00 {
		t.Errorf("at the link: %+v, want the pending hold", tx)
	}
	// A reopen 10 hours later: still pending, counted from the link.
	later := linked.Add(10 * time.Hour)
	reopened := login(first, later)
	if tx := declared(reopened, later); tx.Description != "GAS STATION HOLD" {
		t.Errorf("10 hours after the link, after a reopen: %+v, want still pending", tx)
	}
	// And a day after the link, however many reopens: posted.
	next := linked.Add(25 * time.Hour)
	if tx := declared(login(reopened, next), next); tx.Description != "PETRO-CANADA" || tx.Debit != 61_30 {
		t.Errorf("a day after the link: %+v, want posted at 61.30", tx)
	}

	var st state
	if err := json.Unmarshal(reopened, &st); err != nil || st.Linked != linked.Unix() {
		t.Errorf("reopened state %s: Linked %d, want %d", reopened, st.Linked, linked.Unix())
	}
	// A state saved before link times: read, counted from the fetch until
	// the next live login records one.
	old := []byte(`{"i":"MapleCredit","u":"alice","n":3}`)
	if tx := declared(old, next); tx.Description != "GAS STATION HOLD" {
		t.Errorf("an old state: %+v, want the hold as at a link now", tx)
	}
	upgraded := login(old, later)
	if err := json.Unmarshal(upgraded, &st); err != nil || st.Linked != later.Unix() || st.Logins != 4 {
		t.Errorf("an old state reopened: %s, want Linked %d and the login count kept", upgraded, later.Unix())
	}
	if !strings.Contains(string(first), `"k":`) {
		t.Errorf("an authorized state %s does not keep the link time", first)
	}
}

// TestEmbeddedChangingUser checks FlinksCapital's test_changing_transactions
// as docs/sandbox.md tells it: the bill pending then posted with the tip,
// the hotel hold gone after three days, the refund from the third day.
func TestEmbeddedChangingUser(t *testing.T) {
	t.Parallel()
	scenarios, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	var u *User
	for _, sc := range scenarios {
		if sc.Institution == "FlinksCapital" {
			u = sc.user("test_changing_transactions")
		}
	}
	if u == nil {
		t.Fatal("FlinksCapital has no test_changing_transactions")
	}
	linked := time.Date(2026, time.November, 24, 15, 0, 0, 0, time.UTC)
	shown := func(after time.Duration) map[string]connector.Cents {
		snap := generateFor("FlinksCapital", u, linked, linked.Add(after), 90)
		if err := checkChain(snap); err != nil {
			t.Fatal(err)
		}
		m := map[string]connector.Cents{}
		for i := range u.Transactions {
			if tx, ok := findTx(snap.Accounts[0], guidFrom(loginSeed("FlinksCapital", u.Username)^declaredKey, uint64(i))); ok {
				m[tx.Description] = tx.Credit - tx.Debit
			}
		}
		return m
	}
	want := []struct {
		after time.Duration
		shown map[string]connector.Cents
	}{
		{0, map[string]connector.Cents{"RESTAURANT CHEZ LEON": -42_10, "HOTEL LE GERMAIN HOLD": -300_00}},
		{48 * time.Hour, map[string]connector.Cents{"RESTAURANT CHEZ LEON TIP": -50_52, "HOTEL LE GERMAIN HOLD": -300_00}},
		{72 * time.Hour, map[string]connector.Cents{"RESTAURANT CHEZ LEON TIP": -50_52, "REFUND AMAZON.CA": 19_99}},
	}
	for _, w := range want {
		if got := shown(w.after); !reflect.DeepEqual(got, w.shown) {
			t.Errorf("%v after the link: %v, want %v", w.after, got, w.shown)
		}
	}
}
