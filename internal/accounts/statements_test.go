package accounts_test

import (
	"bytes"
	"encoding/base64"
	"slices"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/internal/accounts"
	"github.com/bankfeed/bankfeed/internal/statement"
)

// threeMonths returns two accounts with transactions in January, February
// and March 2024 (none in February for the second), newest first.
func threeMonths() *connector.Snapshot {
	snap := snapshot()
	chq := snap.Accounts[0]
	chq.Transactions = nil
	bal := connector.Cents(0)
	for _, d := range []time.Time{day(2024, time.January, 5), day(2024, time.January, 31), day(2024, time.February, 1), day(2024, time.February, 29), day(2024, time.March, 15)} {
		bal += 12345
		chq.Transactions = append(chq.Transactions, connector.Transaction{ID: d.Format("0102"), Date: d, Description: "Pay", Credit: 12345, Balance: bal})
	}
	slices.Reverse(chq.Transactions)
	chq.Current, chq.Available = cents(bal), cents(bal)

	sav := snap.Accounts[2]
	sav.Transactions = []connector.Transaction{
		{ID: "s2", Date: day(2024, time.March, 1), Description: "Deposit", Credit: 500, Balance: 1500},
		{ID: "s1", Date: day(2024, time.January, 10), Description: "Deposit", Credit: 1000, Balance: 1000},
	}
	sav.Current, sav.Available = cents(1500), cents(1500)
	snap.Accounts = []connector.Account{chq, sav}
	return snap
}

func TestStatements(t *testing.T) {
	t.Parallel()
	now := time.Date(2024, time.April, 2, 8, 0, 0, 0, time.UTC)
	snap := threeMonths()
	tests := []struct {
		name   string
		n      int
		months []time.Time
	}{
		{"MostRecent", 1, []time.Time{day(2024, time.March, 1)}},
		{"Months3", 3, []time.Time{day(2024, time.March, 1), day(2024, time.February, 1), day(2024, time.January, 1)}},
		// Months before the history still get a statement; the
		// renderer works out their balance.
		{"Months12", 12, statement.Months(now, 12)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := all
			o.Statements = tt.n
			got, err := accounts.Statements(snap, "Flinks Capital", o, now)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(snap.Accounts) {
				t.Fatalf("%d accounts of statements, want %d", len(got), len(snap.Accounts))
			}
			for i, as := range got {
				a := snap.Accounts[i]
				if as.AccountNumber != a.AccountNumber {
					t.Errorf("account %d: AccountNumber %q, want %q", i, as.AccountNumber, a.AccountNumber)
				}
				if len(as.Statements) != tt.n {
					t.Fatalf("account %s: %d statements, want %d", a.ID, len(as.Statements), tt.n)
				}
				for j, s := range as.Statements {
					if want := statement.UniqueID(a.ID, tt.months[j]); s.UniqueId != want {
						t.Errorf("account %s statement %d: UniqueId %s, want %s (%s)", a.ID, j, s.UniqueId, want, tt.months[j].Format("2006-01"))
					}
					if s.FileType != "PDF" {
						t.Errorf("account %s statement %d: FileType %q", a.ID, j, s.FileType)
					}
					pdf, err := base64.StdEncoding.DecodeString(s.Base64Bytes)
					if err != nil {
						t.Fatalf("account %s statement %d: %v", a.ID, j, err)
					}
					if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
						t.Errorf("account %s statement %d starts %q, want %%PDF-", a.ID, j, pdf[:min(len(pdf), 8)])
					}
					// The bytes are the renderer's for that month, so the
					// right month and account were rendered.
					want, err := statement.Render(statement.Statement{Institution: "Flinks Capital", Holder: snap.Holder, Account: a, Month: tt.months[j]})
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(pdf, want) {
						t.Errorf("account %s statement %d is not the statement of %s", a.ID, j, tt.months[j].Format("2006-01"))
					}
				}
			}
		})
	}
}

func TestStatementsEmpty(t *testing.T) {
	t.Parallel()
	got, err := accounts.Statements(&connector.Snapshot{}, "Flinks Capital", all, time.Now())
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("Statements of no account = %v, %v; want an empty list", got, err)
	}
}

func TestHistoryDays(t *testing.T) {
	t.Parallel()
	tests := []struct {
		now  time.Time
		want int
	}{
		// From the day before 2023-03-01 to 2024-03-15, Feb 29 included.
		{time.Date(2024, time.March, 15, 14, 30, 0, 0, time.UTC), 382},
		// From 2023-12-31 through 2025-01-01, across the whole of 2024.
		{time.Date(2025, time.January, 1, 0, 0, 0, 0, time.UTC), 368},
		// The last day of a month: 2021-12-31 through 2023-01-31.
		{time.Date(2023, time.January, 31, 23, 59, 59, 0, time.UTC), 397},
		// The first day of a month, no leap day: 2025-02-28 through 2026-03-01.
		{time.Date(2026, time.March, 1, 12, 0, 0, 0, time.UTC), 367},
		// Now's day is read in UTC: this is 2024-03-01, so 2023-02-28 on.
		{time.Date(2024, time.February, 29, 22, 0, 0, 0, time.FixedZone("EST", -5*3600)), 368},
	}
	for _, tt := range tests {
		if got := accounts.HistoryDays(tt.now); got != tt.want {
			t.Errorf("HistoryDays(%s) = %d, want %d", tt.now.Format(time.RFC3339), got, tt.want)
		}
	}
}

// TestHistoryDaysCovers checks, over more than two years of days, that the
// history reaches the eve of the oldest Months12 statement and a full
// Days365 window.
func TestHistoryDaysCovers(t *testing.T) {
	t.Parallel()
	start := time.Date(2023, time.January, 1, 17, 0, 0, 0, time.UTC)
	for i := range 800 {
		now := start.AddDate(0, 0, i)
		today := day(now.Year(), now.Month(), now.Day())
		n := accounts.HistoryDays(now)
		oldest := today.AddDate(0, 0, -n+1)
		months := statement.Months(now, 12)
		eve := months[len(months)-1].AddDate(0, 0, -1)
		if oldest.After(eve) {
			t.Errorf("HistoryDays(%s) = %d reaches back to %s, after %s", now.Format(time.DateOnly), n, oldest.Format(time.DateOnly), eve.Format(time.DateOnly))
		}
		if n < 365 {
			t.Errorf("HistoryDays(%s) = %d, less than Days365", now.Format(time.DateOnly), n)
		}
	}
}
