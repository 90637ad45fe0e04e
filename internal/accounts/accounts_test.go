package accounts_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/accounts"
)

func cents(v connector.Cents) *connector.Cents { return &v }
func money(v flinks.Money) *flinks.Money       { return &v }
func str(s string) *string                     { return &s }

// all is every With* flag on, as when a request omits them.
var all = accounts.Options{Identity: true, KYC: true, Transactions: true, Balance: true, Days: 90, Statements: 1}

// snapshot returns a login of four accounts covering the cases of the
// mapping: a chequing account with every value and amounts that floating
// point gets wrong, a card without transactions or branch numbers, a
// savings account whose number is exactly four characters, and a loan
// without number or account type.
func snapshot() *connector.Snapshot {
	return &connector.Snapshot{
		Holder: connector.Holder{
			Name:        "Zoé Tremblay",
			PhoneNumber: "(514) 333-7777",
			Address:     connector.Address{CivicAddress: "1 rue Principale", City: "Montréal", Province: "QC", PostalCode: "H3B 5E8", Country: "CA"},
		},
		Accounts: []connector.Account{
			{
				ID: "chq", Title: "Chequing", Category: "Operations", Type: "Chequing", Currency: "CAD", AccountType: "Personal",
				AccountNumber: "1111000", TransitNumber: "01234", InstitutionNumber: "777",
				Current: cents(25), Available: cents(25), OverdraftLimit: cents(50000),
				Transactions: []connector.Transaction{
					{ID: "t3", Date: day(2024, time.March, 3), Description: "Coffee", Debit: 5, Balance: 25},
					{ID: "t2", Date: day(2024, time.March, 2), Description: "Refund", Credit: 20, Balance: 30},
					{ID: "t1", Date: day(2024, time.March, 1), Description: "Interest", Credit: 10, Balance: 10},
				},
			},
			{
				ID: "cc", Title: "Visa", Category: "Credits", Type: "CreditCard", Currency: "CAD", AccountType: "Personal",
				AccountNumber: "4500123412341234", Current: cents(-900719925474099), Available: cents(1000000), Limit: cents(1000000),
			},
			{
				ID: "sav", Title: "Savings", Category: "Operations", Type: "Savings", Currency: "USD", AccountType: "Business",
				AccountNumber: "9876", InstitutionNumber: "001",
				Current: cents(0), Available: cents(0),
			},
			{
				ID: "loan", Title: "Car loan", Category: "Credits", Type: "LoanCar", Currency: "CAD",
				Current: cents(-1234567),
			},
		},
	}
}

func wantHolder() *flinks.Holder {
	return &flinks.Holder{
		Name: str("Zoé Tremblay"),
		Address: &flinks.Address{
			CivicAddress: str("1 rue Principale"), City: str("Montréal"), Province: str("QC"), PostalCode: str("H3B 5E8"), Country: str("CA"),
		},
		PhoneNumber: str("(514) 333-7777"),
	}
}

// wantDetail is Detail(snapshot(), all).
func wantDetail() []flinks.AccountDetail {
	h := wantHolder()
	return []flinks.AccountDetail{
		{
			Transactions: []flinks.Transaction{
				{Date: "2024-03-03", Description: "Coffee", Debit: money(5), Balance: money(25), Id: "t3"},
				{Date: "2024-03-02", Description: "Refund", Credit: money(20), Balance: money(30), Id: "t2"},
				{Date: "2024-03-01", Description: "Interest", Credit: money(10), Balance: money(10), Id: "t1"},
			},
			TransitNumber: str("01234"), InstitutionNumber: str("777"), OverdraftLimit: money(50000),
			Title: "Chequing", AccountNumber: str("1111000"), LastFourDigits: str("1000"),
			Balance:  flinks.Balance{Available: money(25), Current: money(25)},
			Category: "Operations", Type: "Chequing", Currency: "CAD", Holder: h, AccountType: str("Personal"), Id: "chq",
		},
		{
			Transactions: []flinks.Transaction{},
			Title:        "Visa", AccountNumber: str("4500123412341234"), LastFourDigits: str("1234"),
			Balance:  flinks.Balance{Available: money(1000000), Current: money(-900719925474099), Limit: money(1000000)},
			Category: "Credits", Type: "CreditCard", Currency: "CAD", Holder: h, AccountType: str("Personal"), Id: "cc",
		},
		{
			Transactions:      []flinks.Transaction{},
			InstitutionNumber: str("001"),
			Title:             "Savings", AccountNumber: str("9876"), LastFourDigits: str("9876"),
			Balance:  flinks.Balance{Available: money(0), Current: money(0)},
			Category: "Operations", Type: "Savings", Currency: "USD", Holder: h, AccountType: str("Business"), Id: "sav",
		},
		{
			Transactions: []flinks.Transaction{},
			Title:        "Car loan",
			Balance:      flinks.Balance{Current: money(-1234567)},
			Category:     "Credits", Type: "LoanCar", Currency: "CAD", Holder: h, Id: "loan",
		},
	}
}

func TestDetail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		o    func(o *accounts.Options)
		want func(w []flinks.AccountDetail)
	}{
		{"every flag", nil, nil},
		{"without identity", func(o *accounts.Options) { o.Identity = false }, func(w []flinks.AccountDetail) {
			for i := range w {
				w[i].TransitNumber, w[i].InstitutionNumber, w[i].AccountNumber, w[i].LastFourDigits = nil, nil, nil, nil
			}
		}},
		{"without KYC", func(o *accounts.Options) { o.KYC = false }, func(w []flinks.AccountDetail) {
			for i := range w {
				w[i].Holder = nil
			}
		}},
		{"without transactions", func(o *accounts.Options) { o.Transactions = false }, func(w []flinks.AccountDetail) {
			w[0].Transactions = []flinks.Transaction{}
		}},
		{"without balance", func(o *accounts.Options) { o.Balance = false }, func(w []flinks.AccountDetail) {
			for i := range w {
				w[i].Balance = flinks.Balance{}
			}
		}},
		{"without anything", func(o *accounts.Options) { *o = accounts.Options{} }, func(w []flinks.AccountDetail) {
			for i := range w {
				w[i].Transactions = []flinks.Transaction{}
				w[i].TransitNumber, w[i].InstitutionNumber, w[i].AccountNumber, w[i].LastFourDigits = nil, nil, nil, nil
				w[i].Holder = nil
				w[i].Balance = flinks.Balance{}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := all
			if tt.o != nil {
				tt.o(&o)
			}
			want := wantDetail()
			if tt.want != nil {
				tt.want(want)
			}
			got := accounts.Detail(snapshot(), o)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Detail =\n%s\nwant\n%s", jsonText(t, got), jsonText(t, want))
			}
		})
	}
}

func TestSummary(t *testing.T) {
	t.Parallel()
	h := wantHolder()
	base := []flinks.AccountSummary{
		// Operations with transit, institution and account numbers: both
		// kinds of transfer.
		{
			EftEligibleRatio: 1, ETransferEligibleRatio: 1,
			Title: "Chequing", AccountNumber: str("1111000"), LastFourDigits: str("1000"),
			Balance:  flinks.Balance{Available: money(25), Current: money(25)},
			Category: "Operations", Type: "Chequing", Currency: "CAD", Holder: h, AccountType: str("Personal"), Id: "chq",
		},
		// A card takes neither.
		{
			Title: "Visa", AccountNumber: str("4500123412341234"), LastFourDigits: str("1234"),
			Balance:  flinks.Balance{Available: money(1000000), Current: money(-900719925474099), Limit: money(1000000)},
			Category: "Credits", Type: "CreditCard", Currency: "CAD", Holder: h, AccountType: str("Personal"), Id: "cc",
		},
		// Operations without a transit number: e-Transfers but no EFT.
		{
			ETransferEligibleRatio: 1,
			Title:                  "Savings", AccountNumber: str("9876"), LastFourDigits: str("9876"),
			Balance:  flinks.Balance{Available: money(0), Current: money(0)},
			Category: "Operations", Type: "Savings", Currency: "USD", Holder: h, AccountType: str("Business"), Id: "sav",
		},
		{
			Title:    "Car loan",
			Balance:  flinks.Balance{Current: money(-1234567)},
			Category: "Credits", Type: "LoanCar", Currency: "CAD", Holder: h, Id: "loan",
		},
	}
	tests := []struct {
		name string
		o    func(o *accounts.Options)
		want func(w []flinks.AccountSummary)
	}{
		{"every flag", nil, nil},
		// Identity hides the numbers, not the eligibility they imply.
		{"without identity", func(o *accounts.Options) { o.Identity = false }, func(w []flinks.AccountSummary) {
			for i := range w {
				w[i].AccountNumber, w[i].LastFourDigits = nil, nil
			}
		}},
		{"without KYC", func(o *accounts.Options) { o.KYC = false }, func(w []flinks.AccountSummary) {
			for i := range w {
				w[i].Holder = nil
			}
		}},
		{"without transactions", func(o *accounts.Options) { o.Transactions = false }, nil},
		{"without balance", func(o *accounts.Options) { o.Balance = false }, func(w []flinks.AccountSummary) {
			for i := range w {
				w[i].Balance = flinks.Balance{}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := all
			if tt.o != nil {
				tt.o(&o)
			}
			want := make([]flinks.AccountSummary, len(base))
			copy(want, base)
			if tt.want != nil {
				tt.want(want)
			}
			got := accounts.Summary(snapshot(), o)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Summary =\n%s\nwant\n%s", jsonText(t, got), jsonText(t, want))
			}
		})
	}
}

func TestLastFourDigits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		number string
		want   *string
	}{
		{"", nil},
		{"1", nil},
		{"123", nil},
		{"1234", str("1234")},
		{"0012-345-6789", str("6789")},
		{"****5678", str("5678")},
		{"ÉÉÉÉ", str("ÉÉÉÉ")}, // characters, not bytes
		{"1ÉÉÉÉ", str("ÉÉÉÉ")},
	}
	for _, tt := range tests {
		snap := &connector.Snapshot{Accounts: []connector.Account{{ID: "a", AccountNumber: tt.number}}}
		d := accounts.Detail(snap, all)[0]
		s := accounts.Summary(snap, all)[0]
		if !reflect.DeepEqual(d.LastFourDigits, tt.want) || !reflect.DeepEqual(s.LastFourDigits, tt.want) {
			t.Errorf("LastFourDigits of %q = %v (detail), %v (summary); want %v", tt.number, deref(d.LastFourDigits), deref(s.LastFourDigits), deref(tt.want))
		}
	}
}

// TestDetailJSON checks the wire text: nulls, empty arrays and exact
// amounts are what clients see.
func TestDetailJSON(t *testing.T) {
	t.Parallel()
	text := jsonText(t, accounts.Detail(snapshot(), all))
	for _, want := range []string{
		// Amounts are cents written as decimals, never through float64:
		// 0.10 + 0.20 is exactly 0.30, and 2^53+ cents keep every digit.
		`{"Date":"2024-03-02","Code":null,"Description":"Refund","Debit":null,"Credit":0.20,"Balance":0.30,"Id":"t2"}`,
		`{"Date":"2024-03-01","Code":null,"Description":"Interest","Debit":null,"Credit":0.10,"Balance":0.10,"Id":"t1"}`,
		`{"Date":"2024-03-03","Code":null,"Description":"Coffee","Debit":0.05,"Credit":null,"Balance":0.25,"Id":"t3"}`,
		`"Current":-9007199254740.99`,
		`"Transactions":[],"TransitNumber":null,"InstitutionNumber":null,"OverdraftLimit":null,"Title":"Visa"`,
		`"OverdraftLimit":500.00`,
		`"Balance":{"Available":null,"Current":-12345.67,"Limit":null}`,
		`"AccountNumber":null,"LastFourDigits":null,"Balance":{"Available":null,"Current":-12345.67`,
		`"Holder":{"Name":"Zoé Tremblay","Address":{"CivicAddress":"1 rue Principale","City":"Montréal","Province":"QC","PostalCode":"H3B 5E8","POBox":null,"Country":"CA"},"Email":null,"PhoneNumber":"(514) 333-7777"}`,
		`"AccountType":null,"Id":"loan"`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("Detail JSON lacks %s\n%s", want, text)
		}
	}

	// The amounts read back exactly as a client's float parser sees them.
	var back []struct{ Transactions []struct{ Credit *float64 } }
	if err := json.Unmarshal([]byte(text), &back); err != nil {
		t.Fatal(err)
	}
	if c := back[0].Transactions[1].Credit; c == nil || *c != 0.2 {
		t.Errorf("Credit reads back as %v, want 0.2", deref(c))
	}

	withheld := jsonText(t, accounts.Detail(snapshot(), accounts.Options{}))
	for _, want := range []string{
		`"Transactions":[]`,
		`"Balance":{"Available":null,"Current":null,"Limit":null}`,
		`"Holder":null`,
		`"TransitNumber":null,"InstitutionNumber":null`,
	} {
		if !strings.Contains(withheld, want) {
			t.Errorf("Detail JSON without flags lacks %s\n%s", want, withheld)
		}
	}
	if strings.Contains(withheld, `"Transactions":null`) {
		t.Errorf("Detail JSON has null Transactions\n%s", withheld)
	}

	// A login without accounts is an empty list, not null.
	empty := &connector.Snapshot{}
	if got := jsonText(t, accounts.Detail(empty, all)); got != "[]" {
		t.Errorf("Detail of no account = %s, want []", got)
	}
	if got := jsonText(t, accounts.Summary(empty, all)); got != "[]" {
		t.Errorf("Summary of no account = %s, want []", got)
	}
	// An empty holder still has an address object.
	if got := jsonText(t, accounts.Detail(&connector.Snapshot{Accounts: []connector.Account{{ID: "a"}}}, all)[0].Holder); got !=
		`{"Name":null,"Address":{"CivicAddress":null,"City":null,"Province":null,"PostalCode":null,"POBox":null,"Country":null},"Email":null,"PhoneNumber":null}` {
		t.Errorf("empty holder = %s", got)
	}
}

// TestDetailOneSide checks that every transaction has exactly one of Debit
// and Credit, and a Balance.
func TestDetailOneSide(t *testing.T) {
	t.Parallel()
	for _, a := range accounts.Detail(yearSnapshot(), all) {
		for _, tx := range a.Transactions {
			if (tx.Debit == nil) == (tx.Credit == nil) || tx.Balance == nil || tx.Code != nil {
				t.Fatalf("transaction %s: Debit %v, Credit %v, Balance %v, Code %v", tx.Id, deref(tx.Debit), deref(tx.Credit), deref(tx.Balance), deref(tx.Code))
			}
		}
	}
}

// yearSnapshot returns four accounts with two transactions a day for the
// 365 days up to 2024-03-15, newest first with chained balances.
func yearSnapshot() *connector.Snapshot {
	snap := &connector.Snapshot{Holder: snapshot().Holder}
	last := day(2024, time.March, 15)
	for a := range 4 {
		acct := connector.Account{
			ID: fmt.Sprintf("acct-%d", a), Title: "Chequing", Category: "Operations", Type: "Chequing", Currency: "CAD",
			AccountType: "Personal", AccountNumber: fmt.Sprintf("%07d", 1000000+a), TransitNumber: "01234", InstitutionNumber: "777",
		}
		bal := connector.Cents(100000)
		for d := 364; d >= 0; d-- {
			date := last.AddDate(0, 0, -d)
			for k := range 2 {
				tx := connector.Transaction{ID: fmt.Sprintf("%d-%d-%d", a, d, k), Date: date, Description: "Purchase at a shop"}
				if k == 0 {
					tx.Credit = connector.Cents(1000 + d)
				} else {
					tx.Debit = connector.Cents(990 + d)
				}
				bal += tx.Credit - tx.Debit
				tx.Balance = bal
				acct.Transactions = append(acct.Transactions, tx)
			}
		}
		// Built oldest first; connector.Account holds newest first.
		for i, j := 0, len(acct.Transactions)-1; i < j; i, j = i+1, j-1 {
			acct.Transactions[i], acct.Transactions[j] = acct.Transactions[j], acct.Transactions[i]
		}
		acct.Current, acct.Available = cents(bal), cents(bal)
		snap.Accounts = append(snap.Accounts, acct)
	}
	return snap
}

func BenchmarkDetail(b *testing.B) {
	snap := yearSnapshot()
	b.ReportAllocs()
	for b.Loop() {
		accounts.Detail(snap, all)
	}
}

func jsonText(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestDetailBankCategory checks that the bank's category of a transaction
// reaches the categorizer through Detail, and never the wire.
func TestDetailBankCategory(t *testing.T) {
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	snap := &connector.Snapshot{Accounts: []connector.Account{{ID: "a", Title: "Chequing",
		Transactions: []connector.Transaction{
			{ID: "t2", Date: day, Description: "RESTAURANT CHEZ LEON", Debit: 42_10, Balance: 100_00, Category: "Food/Restaurants"},
			{ID: "t1", Date: day, Description: "PAYROLL", Credit: 142_10, Balance: 142_10},
		}}}}
	d := accounts.Detail(snap, all)
	if got := d[0].Transactions; got[0].BankCategory != "Food/Restaurants" || got[1].BankCategory != "" {
		t.Errorf("bank categories %q and %q, want the connector's", got[0].BankCategory, got[1].BankCategory)
	}
	body, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(body), "Food/Restaurants") || strings.Contains(string(body), "BankCategory") {
		t.Errorf("the bank's category is on the wire: %s", body)
	}
}
