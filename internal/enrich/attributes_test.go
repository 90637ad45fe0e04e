package enrich

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/flinks"
)

func money100(c int64) *flinks.Money { m := flinks.Money(c); return &m }

// ledger builds an account from (date, description, signed cents) lines in
// date order, with the running balance a bank would show from zero.
func ledger(id string, lines ...any) flinks.AccountDetail {
	a := flinks.AccountDetail{Id: id}
	var bal int64
	for i := 0; i < len(lines); i += 3 {
		amount := lines[i+2].(int)
		bal += int64(amount)
		t := flinks.Transaction{Date: lines[i].(string), Description: lines[i+1].(string), Balance: money100(bal)}
		if amount > 0 {
			t.Credit = money100(int64(amount))
		} else {
			t.Debit = money100(int64(-amount))
		}
		a.Transactions = append(a.Transactions, t)
	}
	return a
}

var asOf = time.Date(2026, 3, 31, 15, 0, 0, 0, time.UTC)

// borrower: paid every two weeks by one employer, a child benefit, one gig
// payment and a mortgage on the main account; an NSF fee, a payday loan and
// its bounced repayment on a second one.
func borrower() []flinks.AccountDetail {
	return []flinks.AccountDetail{
		ledger("a",
			"2026-01-02", "PAYROLL DEP ACME CORP 0102", 200000,
			"2026-01-05", "MORTGAGE PAYMENT", -150000,
			"2026-01-16", "PAYROLL DEP ACME CORP 0116", 200000,
			"2026-01-20", "CANADA CHILD BENEFIT", 30000,
			"2026-01-30", "PAYROLL DEP ACME CORP 0130", 200000,
			"2026-02-05", "MORTGAGE PAYMENT", -150000,
			"2026-02-13", "PAYROLL DEP ACME CORP 0213", 200000,
			"2026-02-20", "CANADA CHILD BENEFIT", 30000,
			"2026-02-27", "PAYROLL DEP ACME CORP 0227", 200000,
			"2026-03-05", "MORTGAGE PAYMENT", -150000,
			"2026-03-05", "UBER BV", 8000,
			"2026-03-13", "PAYROLL DEP ACME CORP 0313", 200000,
			"2026-03-15", "HYDRO OTTAWA", -10000,
			"2026-03-16", "ROGERS", -8000,
			"2026-03-20", "CANADA CHILD BENEFIT", 30000,
			"2026-03-27", "PAYROLL DEP ACME CORP 0327", 200000,
		),
		ledger("b",
			"2026-03-09", "SOMETHING", -2000,
			"2026-03-10", "NSF FEE", -4800,
			"2026-03-11", "CASH MONEY PAYDAY LOAN DEPOSIT", 50000,
			"2026-03-25", "CASH MONEY REPAYMENT", -57500,
			"2026-03-26", "RETURNED PAYMENT NSF", 57500,
		),
	}
}

// TestCard checks the attributes of a hand-made history against values
// worked out by hand. The history spans 89 days, 89/30.4375 months.
func TestCard(t *testing.T) {
	card := Card(All, "login", borrower(), asOf)
	want := map[string]any{
		"Id":                        "login",
		"account_age_days":          89,
		"count_accounts":            2,
		"employer_name":             "ACME CORP",
		"count_employers":           1,
		"employer_income_frequency": "biweekly",
		"average_monthly_employer_income_complex":     flinks.Money(478792), // 14,000.00 over 2.924 months
		"estimated_annual_net_employer_income":        flinks.Money(478792 * 12),
		"average_employer_income_deposit":             flinks.Money(200000),
		"employer_income_trend":                       flinks.Money(0), // two pays in each 30 days
		"employer_income_last_deposit_date":           "2026-03-27",
		"employer_income_previous_deposit_date":       "2026-03-13",
		"sum_employer_income_month_0":                 flinks.Money(400000),
		"count_employer_income_month_0":               2,
		"count_employer_income_month_1":               2,
		"count_employer_income_month_2":               3,
		"count_employer_income_month_3":               0,
		"sum_employer_income_month_12":                flinks.Money(0),
		"average_monthly_government_income_complex":   flinks.Money(30779),
		"sum_child_support_income_90_days":            flinks.Money(90000),
		"sum_pension_income_90_days":                  flinks.Money(0),
		"count_government_income_month_0":             1,
		"average_monthly_non_employer_income_complex": flinks.Money(2736), // the gig payment
		"sum_total_income_month_0":                    flinks.Money(400000 + 30000 + 8000),
		"sum_total_credits_month_0":                   flinks.Money(400000 + 30000 + 8000 + 50000 + 57500),
		"average_monthly_mortgage_payments":           flinks.Money(153897),
		"average_monthly_auto_loan_payments":          flinks.Money(0),
		"count_nsf_fees_90_days":                      1,
		"count_stop_payment_fees_90_days":             0,
		"micro_lender_name":                           "CASH MONEY",
		"count_micro_loan_deposits_90_days":           1,
		"nbr_reversed_payments_nsf":                   1,
		"sum_reversed_payments_nsf":                   flinks.Money(57500),
		"sum_reversed_payments_30_days_nsf":           flinks.Money(57500),
		"count_reversed_payments_current_month_nsf":   1,
		"count_reversed_payments_previous_month_nsf":  0,
		"days_with_negative_balance_90_days":          3, // b on 03-09, 03-10 and 03-25
		"min_balance_90_days":                         flinks.Money(-14300),
		"is_primary_account":                          true,
	}
	for name, v := range want {
		if got, ok := card[name]; !ok || !reflect.DeepEqual(got, v) {
			t.Errorf("%s = %#v, want %#v", name, got, v)
		}
	}

	// A card's balance below zero is what is owed, not an overdraft: it
	// counts in no balance attribute.
	card2 := borrower()
	owed := ledger("card", "2026-03-20", "AMAZON.CA", -20000)
	owed.Category = "Credits"
	card2 = append(card2, owed)
	withCard := Card(All, "login", card2, asOf)
	for _, name := range []string{"days_with_negative_balance_90_days", "min_balance_90_days", "average_daily_balance_90_days", "balance_trend"} {
		if !reflect.DeepEqual(withCard[name], card[name]) {
			t.Errorf("a card's balance moved %s: %v, without it %v", name, withCard[name], card[name])
		}
	}
	if withCard["average_monthly_expenditure"] == card["average_monthly_expenditure"] {
		t.Error("a card's purchase did not count as spending")
	}

	empty := Card(All, "login", nil, asOf)
	for name, v := range map[string]any{"employer_name": nil, "employer_income_frequency": "none", "min_balance_90_days": nil,
		"account_age_days": 0, "is_primary_account": false, "employer_income_last_deposit_date": nil} {
		if got := empty[name]; !reflect.DeepEqual(got, v) {
			t.Errorf("without data, %s = %#v, want %#v", name, got, v)
		}
	}
}

// TestPackages checks each package against the composition Flinks
// documents: User Analysis combines Income and Credit Risk; every package
// is a part of All; each card carries the LoginId.
func TestPackages(t *testing.T) {
	all := Names(All)
	for _, p := range Packages {
		names := Names(p)
		if len(names) == 0 {
			t.Errorf("%s has no attribute", p)
		}
		for _, n := range names {
			if !slices.Contains(all, n) {
				t.Errorf("%s: %s is not in All", p, n)
			}
		}
		card := Card(p, "login", borrower(), asOf)
		if card["Id"] != "login" || len(card) != len(names)+1 {
			t.Errorf("%s: card of %d entries, Id %v; want %d attributes and the Id", p, len(card), card["Id"], len(names))
		}
	}
	ua := Names(UserAnalysis)
	for _, p := range []Package{Income, CreditRisk} {
		for _, n := range Names(p) {
			if !slices.Contains(ua, n) {
				t.Errorf("User Analysis lacks %s of %s", n, p)
			}
		}
	}
	if slices.Contains(Names(Income), "count_nsf_fees_90_days") || !slices.Contains(Names(CreditRisk), "count_nsf_fees_90_days") {
		t.Error("NSF fees belong to Credit Risk, not Income")
	}
	if !slices.Contains(Names(BusinessAnalysis), "average_monthly_business_revenue") {
		t.Error("Business Analysis lacks its revenue")
	}
	seen := map[string]bool{}
	for _, n := range all {
		if seen[n] {
			t.Errorf("%s is listed twice", n)
		}
		seen[n] = true
	}
}

func TestFrequency(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	every := func(n, days int) []time.Time {
		var v []time.Time
		for i := 0; i < n; i++ {
			v = append(v, start.AddDate(0, 0, i*days))
		}
		return v
	}
	cases := []struct {
		name  string
		dates []time.Time
		want  string
	}{
		{"weekly", every(6, 7), "weekly"},
		{"biweekly", every(6, 14), "biweekly"},
		{"monthly", every(6, 30), "monthly"},
		{"one", every(1, 7), "irregular"},
		{"irregular", []time.Time{start, start.AddDate(0, 0, 3), start.AddDate(0, 0, 40)}, "irregular"},
	}
	for _, c := range cases {
		if got := Frequency(c.dates); got != c.want {
			t.Errorf("%s: Frequency = %q, want %q", c.name, got, c.want)
		}
	}
}

// A snapshot gives the same card each time, whatever the order of its
// accounts; an NSF fee more moves the attributes that count it.
func TestCardStableAndMoves(t *testing.T) {
	accts := year()
	a, b := Card(All, "l", accts, time.Time{}), Card(All, "l", accts, time.Time{})
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Fatal("same snapshot, different attributes")
	}
	swapped := borrower()
	swapped[0], swapped[1] = swapped[1], swapped[0]
	if !reflect.DeepEqual(Card(All, "l", borrower(), asOf), Card(All, "l", swapped, asOf)) {
		t.Error("the order of the accounts changed the card")
	}
	accts[0].Transactions = append(accts[0].Transactions, tx("2026-12-31", "NSF FEE", 0, 4800, -100))
	c := Card(All, "l", accts, time.Time{})
	if c["count_nsf_fees_90_days"] != a["count_nsf_fees_90_days"].(int)+1 ||
		c["days_with_negative_balance_90_days"] == a["days_with_negative_balance_90_days"] {
		t.Errorf("attributes did not follow the data: NSF %v -> %v, negative days %v -> %v",
			a["count_nsf_fees_90_days"], c["count_nsf_fees_90_days"],
			a["days_with_negative_balance_90_days"], c["days_with_negative_balance_90_days"])
	}
}

func tx(date, desc string, credit, debit, bal int64) flinks.Transaction {
	t := flinks.Transaction{Date: date, Description: desc, Balance: money100(bal)}
	if credit > 0 {
		t.Credit = money100(credit)
	}
	if debit > 0 {
		t.Debit = money100(debit)
	}
	return t
}

func year() []flinks.AccountDetail {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var txs []flinks.Transaction
	bal := int64(100000)
	for i := 0; i < 365; i++ {
		d := start.AddDate(0, 0, i).Format(day)
		if i%14 == 0 {
			bal += 200000
			txs = append(txs, tx(d, "PAYROLL ACME", 200000, 0, bal))
		}
		bal -= 5000
		txs = append(txs, tx(d, "METRO GROCER", 0, 5000, bal))
		bal -= 1000
		txs = append(txs, tx(d, "TIM HORTONS", 0, 1000, bal))
	}
	return []flinks.AccountDetail{{Id: "a", Transactions: txs}}
}

// BenchmarkAttributesYear computes every attribute of a year of
// transactions (1,121 of them).
func BenchmarkAttributesYear(b *testing.B) {
	accts := year()
	b.ReportAllocs()
	for b.Loop() {
		Card(All, "l", accts, time.Time{})
	}
}
