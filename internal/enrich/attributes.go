package enrich

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bankfeed/bankfeed/flinks"
)

// Package is an attributes package, named by the endpoint that serves it.
type Package string

// The packages Flinks documents. All holds every attribute; each other one
// holds the subset its Flinks page lists (docs/enrich.md).
const (
	All              Package = "GetAllAttributes"
	Income           Package = "GetIncomeAttributes"
	Lending          Package = "GetLendingAttributes"
	CreditRisk       Package = "GetCreditRiskAttributes"
	UserAnalysis     Package = "GetUserAnalysisAttributes"
	BusinessAnalysis Package = "GetBusinessAnalysisAttributes"
)

// Packages lists every package, All first.
var Packages = []Package{All, Income, Lending, CreditRisk, UserAnalysis, BusinessAnalysis}

// in is a set of packages other than All, which holds everything.
type in uint8

const (
	pIncome in = 1 << iota
	pLending
	pCreditRisk
	pUserAnalysis
	pBusiness
)

func (p Package) bit() in {
	switch p {
	case Income:
		return pIncome
	case Lending:
		return pLending
	case CreditRisk:
		return pCreditRisk
	case UserAnalysis:
		return pUserAnalysis
	case BusinessAnalysis:
		return pBusiness
	}
	return 0
}

// Months is how many calendar months the per-month attributes cover: the
// month of the snapshot and the twelve before it, "_month_0" to
// "_month_12", as Flinks' "13 attributes" per series.
const Months = 13

// attribute is one entry of the card: its name on the wire, the packages
// that hold it, and how it is computed from the facts of a snapshot.
type attribute struct {
	name  string
	pkgs  in
	value func(*facts) any
}

// Card computes a package's attributes from a login's accounts, as of asOf
// (the time the data was fetched: the attributes of one snapshot never
// depend on when they are asked for). The card's Id is the LoginId.
// Transactions whose Date does not parse are ignored rather than guessed at.
func Card(pkg Package, loginID string, accts []flinks.AccountDetail, asOf time.Time) flinks.AttributeCard {
	f := analyze(accts, asOf)
	card := flinks.AttributeCard{"Id": loginID}
	bit := pkg.bit()
	for _, a := range catalogue {
		if pkg == All || a.pkgs&bit != 0 {
			card[a.name] = a.value(f)
		}
	}
	return card
}

// Names lists the attributes of a package in the catalogue's order, for the
// documentation and its test.
func Names(pkg Package) []string {
	var out []string
	bit := pkg.bit()
	for _, a := range catalogue {
		if pkg == All || a.pkgs&bit != 0 {
			out = append(out, a.name)
		}
	}
	return out
}

const day = "2006-01-02"

// creditCategory is the account Category of cards, lines of credit and
// loans (reference section 7.1).
const creditCategory = "Credits"

// entry is one transaction with what the attributes read of it.
type entry struct {
	date   time.Time
	acct   string
	cat    string
	desc   string
	amount int64 // cents: credits positive, debits negative
	bal    *int64
	// age is how many days before the snapshot's day the entry is, month
	// how many calendar months before its month: computed once, so that
	// the windows of 145 attributes compare integers.
	age, month int
}

// facts is a snapshot read once, for every attribute to compute from.
type facts struct {
	asOf     time.Time
	entries  []entry // oldest first
	accounts int
	first    time.Time
	months   float64 // the history's length in months, at least 1
	// employers groups payroll credits by employer; primary is the one
	// paying most often.
	employers map[string][]entry
	primary   string
}

func analyze(accts []flinks.AccountDetail, asOf time.Time) *facts {
	f := &facts{accounts: len(accts), employers: map[string][]entry{}}
	for _, ac := range accts {
		for _, tx := range ac.Transactions {
			d, err := time.Parse(day, tx.Date)
			if err != nil {
				continue
			}
			e := entry{date: d, acct: ac.Id, cat: Categorize(tx), desc: tx.Description}
			if tx.Credit != nil {
				e.amount += int64(*tx.Credit)
			}
			if tx.Debit != nil {
				e.amount -= int64(*tx.Debit)
			}
			// The balance of a card or a line of credit is what is owed:
			// below zero it is no overdraft, so only the other accounts'
			// balances count (their transactions count all the same).
			if tx.Balance != nil && ac.Category != creditCategory {
				b := int64(*tx.Balance)
				e.bal = &b
			}
			f.entries = append(f.entries, e)
		}
	}
	sort.SliceStable(f.entries, func(i, j int) bool { return f.entries[i].date.Before(f.entries[j].date) })
	if len(f.entries) > 0 {
		f.first = f.entries[0].date
		if asOf.IsZero() {
			asOf = f.entries[len(f.entries)-1].date
		}
	}
	f.asOf = asOf
	y, m, d := asOf.Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	for i := range f.entries {
		e := &f.entries[i]
		e.age = int(today.Sub(e.date).Hours() / 24)
		ey, em, _ := e.date.Date()
		e.month = (y-ey)*12 + int(m-em)
	}
	f.months = float64(f.ageDays()) / 30.4375
	if f.months < 1 {
		f.months = 1
	}
	for _, e := range f.entries {
		if e.cat == CatPayroll {
			k := employerName(e.desc)
			f.employers[k] = append(f.employers[k], e)
		}
	}
	// Ties go to the larger total, then to the smaller name, so that map
	// order never shows.
	for k, v := range f.employers {
		p := f.employers[f.primary]
		if f.primary == "" || len(v) > len(p) || (len(v) == len(p) && (sum(v) > sum(p) || sum(v) == sum(p) && k < f.primary)) {
			f.primary = k
		}
	}
	return f
}

// ageDays is the account age: days from the oldest transaction to the
// snapshot, both counted; 0 without transactions.
func (f *facts) ageDays() int {
	if f.first.IsZero() {
		return 0
	}
	return int(f.asOf.Sub(f.first).Hours()/24) + 1
}

func sum(es []entry) int64 {
	var s int64
	for _, e := range es {
		s += e.amount
	}
	return s
}

// pred selects entries.
type pred func(*entry) bool

func cat(cats ...string) pred {
	return func(e *entry) bool {
		for _, c := range cats {
			if e.cat == c {
				return true
			}
		}
		return false
	}
}

func prefix(p string) pred  { return func(e *entry) bool { return strings.HasPrefix(e.cat, p) } }
func credits(e *entry) bool { return e.amount > 0 }
func debits(e *entry) bool  { return e.amount < 0 }

func and(ps ...pred) pred {
	return func(e *entry) bool {
		for _, p := range ps {
			if !p(e) {
				return false
			}
		}
		return true
	}
}

func not(p pred) pred { return func(e *entry) bool { return !p(e) } }

// isIncome selects the credits Flinks counts as income: pay, government
// benefits, gig and other earnings; not transfers, loans or returned
// payments.
var isIncome = and(credits, prefix("Income"))

var isGovernment = and(credits, prefix(CatGovernment))

// within selects the entries of the days days before the snapshot, the
// snapshot's day included.
func (f *facts) within(days int) pred {
	return func(e *entry) bool { return e.age >= 0 && e.age < days }
}

func (f *facts) total(p pred) int64 {
	var s int64
	for i := range f.entries {
		if p(&f.entries[i]) {
			s += f.entries[i].amount
		}
	}
	return s
}

func (f *facts) count(p pred) int {
	n := 0
	for i := range f.entries {
		if p(&f.entries[i]) {
			n++
		}
	}
	return n
}

// money is an amount of cents as the wire's decimal, positive whichever
// the direction: "average monthly payments" are positive numbers.
func money(c int64) flinks.Money {
	if c < 0 {
		c = -c
	}
	return flinks.Money(c)
}

// monthly is the average per month of the history, the "complex" average
// of Flinks' pages: the total over the history's months rather than over
// the months that had any.
func (f *facts) monthly(p pred) flinks.Money {
	t := float64(f.total(p)) / f.months
	if t < 0 {
		t = -t
	}
	return flinks.Money(t + 0.5)
}

// trend is the amount of the last 30 days minus that of the 30 days before.
func (f *facts) trend(p pred) flinks.Money {
	last, prev := f.within(30), f.within(60)
	return flinks.Money(f.total(and(p, last)) - f.total(and(p, prev, not(last))))
}

// inMonth selects the calendar month n months before the snapshot's.
func (f *facts) inMonth(n int) pred {
	return func(e *entry) bool { return e.month == n }
}

// last is the entry that p selects last, or nil.
func (f *facts) last(p pred) *entry {
	for i := len(f.entries) - 1; i >= 0; i-- {
		if p(&f.entries[i]) {
			return &f.entries[i]
		}
	}
	return nil
}

// negativeDays counts the distinct (account, day) pairs of the last 90
// days on which a transaction left the balance below zero.
func (f *facts) negativeDays() int {
	seen := map[string]bool{}
	in90 := f.within(90)
	for i := range f.entries {
		if e := &f.entries[i]; in90(e) && e.bal != nil && *e.bal < 0 {
			seen[e.acct+e.date.Format(day)] = true
		}
	}
	return len(seen)
}

// balances lists the running balances of the last 90 days.
func (f *facts) balances() []int64 {
	var out []int64
	in90 := f.within(90)
	for i := range f.entries {
		if e := &f.entries[i]; in90(e) && e.bal != nil {
			out = append(out, *e.bal)
		}
	}
	return out
}

func mean(v []int64) int64 {
	if len(v) == 0 {
		return 0
	}
	var s int64
	for _, x := range v {
		s += x
	}
	return s / int64(len(v))
}

// employerName names an employer by a payroll credit's description without
// digits and without the words that say it is pay, so that "PAYROLL DEP
// ACME CORP 0412" and "PAYROLL DEP ACME CORP 0426" are one employer, ACME
// CORP.
func employerName(desc string) string {
	return sourceName(desc, "PAYROLL", "DEP", "DEPOSIT", "DIRECT", "PAY", "SALARY")
}

// sourceName is desc without digits and without the given words.
func sourceName(desc string, drop ...string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(desc) {
		if r < '0' || r > '9' {
			b.WriteRune(r)
		}
	}
	var kept []string
next:
	for _, w := range strings.Fields(b.String()) {
		for _, d := range drop {
			if w == d {
				continue next
			}
		}
		kept = append(kept, w)
	}
	return strings.Join(kept, " ")
}

// Frequency classifies the median gap between payments; a source whose gaps
// vary by more than a week around that median is irregular.
func Frequency(dates []time.Time) string {
	if len(dates) < 2 {
		return "irregular"
	}
	ds := append([]time.Time(nil), dates...)
	sort.Slice(ds, func(i, j int) bool { return ds[i].Before(ds[j]) })
	gaps := make([]int, 0, len(ds)-1)
	for i := 1; i < len(ds); i++ {
		gaps = append(gaps, int(ds[i].Sub(ds[i-1]).Hours()/24))
	}
	sorted := append([]int(nil), gaps...)
	sort.Ints(sorted)
	med := sorted[len(sorted)/2]
	for _, g := range gaps {
		if g-med > 7 || med-g > 7 {
			return "irregular"
		}
	}
	switch {
	case med >= 6 && med <= 8:
		return "weekly"
	case med >= 13 && med <= 15:
		return "biweekly"
	case med >= 15 && med <= 16:
		return "semimonthly"
	case med >= 28 && med <= 31:
		return "monthly"
	}
	return "irregular"
}

// nullable turns an empty string into JSON null: an attribute with nothing
// to name is absent data, not an empty name.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (f *facts) primaryEntries() []entry { return f.employers[f.primary] }

func dateOf(es []entry, fromLast int) any {
	if len(es) <= fromLast {
		return nil
	}
	return es[len(es)-1-fromLast].date.Format(day)
}

// catalogue lists every attribute, in the order docs/enrich.md documents
// them. The per-month series are expanded by perMonth.
var catalogue = func() []attribute {
	const (
		incomeAll = pIncome | pLending | pCreditRisk | pUserAnalysis
		lending   = pLending | pUserAnalysis
		risk      = pCreditRisk | pLending | pUserAnalysis
		every     = incomeAll | pBusiness
	)
	employer := cat(CatPayroll)
	nonEmployer := and(isIncome, not(employer), not(prefix(CatGovernment)))
	loans := and(debits, prefix("Loans/"))
	fees := and(debits, prefix("Fees/"))
	revenue := and(credits, not(prefix("Transfers/")), not(prefix("Loans/")))
	operating := and(debits, not(prefix("Transfers/")), not(prefix("Loans/")), not(prefix("Fees/")))
	reversed := cat(CatReversedNSF)
	microLoan := cat(CatPaydayLoan)

	var c []attribute
	add := func(name string, pkgs in, v func(*facts) any) { c = append(c, attribute{name, pkgs, v}) }
	perMonth := func(series string, pkgs in, p pred, counting bool) {
		for n := 0; n < Months; n++ {
			name := series + "_month_" + strconv.Itoa(n)
			if counting {
				add("count_"+name, pkgs, func(f *facts) any { return f.count(and(p, f.inMonth(n))) })
			} else {
				add("sum_"+name, pkgs, func(f *facts) any { return money(f.total(and(p, f.inMonth(n)))) })
			}
		}
	}

	// Employer income.
	add("employer_name", incomeAll, func(f *facts) any { return nullable(f.primary) })
	add("count_employers", lending, func(f *facts) any { return len(f.employers) })
	add("average_monthly_employer_income_complex", incomeAll, func(f *facts) any { return f.monthly(employer) })
	add("average_employer_income_deposit", lending, func(f *facts) any {
		n := f.count(employer)
		if n == 0 {
			return flinks.Money(0)
		}
		return flinks.Money(f.total(employer) / int64(n))
	})
	add("estimated_annual_net_employer_income", lending, func(f *facts) any { return f.monthly(employer) * 12 })
	add("employer_income_frequency", lending, func(f *facts) any {
		es := f.primaryEntries()
		if len(es) == 0 {
			return "none"
		}
		dates := make([]time.Time, len(es))
		for i, e := range es {
			dates[i] = e.date
		}
		return Frequency(dates)
	})
	add("employer_income_trend", incomeAll, func(f *facts) any { return f.trend(employer) })
	add("employer_income_last_deposit_date", lending, func(f *facts) any { return dateOf(f.primaryEntries(), 0) })
	add("employer_income_previous_deposit_date", lending, func(f *facts) any { return dateOf(f.primaryEntries(), 1) })
	perMonth("employer_income", incomeAll, employer, false)
	perMonth("employer_income", incomeAll, employer, true)

	// Other income.
	add("average_monthly_non_employer_income_complex", incomeAll, func(f *facts) any { return f.monthly(nonEmployer) })
	add("average_monthly_government_income_complex", incomeAll, func(f *facts) any { return f.monthly(isGovernment) })
	perMonth("government_income", pIncome|lending, isGovernment, false)
	perMonth("government_income", pIncome|lending, isGovernment, true)
	for _, g := range []struct{ name, cat string }{
		{"employment_insurance", CatEmploymentInsurance}, {"social_assistance", CatSocialAssistance},
		{"wsib", CatWSIB}, {"pension", CatPension}, {"child_support", CatChildSupport}, {"other_government", CatGovernment},
	} {
		p := and(credits, cat(g.cat))
		add("sum_"+g.name+"_income_90_days", pIncome|lending, func(f *facts) any { return money(f.total(and(p, f.within(90)))) })
	}
	add("average_monthly_total_income_complex", lending, func(f *facts) any { return f.monthly(isIncome) })
	perMonth("total_income", pIncome|lending, isIncome, false)
	perMonth("total_credits", pIncome|lending, credits, false)

	// The account.
	add("account_age_days", every, func(f *facts) any { return f.ageDays() })
	add("count_accounts", pUserAnalysis|pBusiness, func(f *facts) any { return f.accounts })
	add("average_monthly_free_cash_flow", every, func(f *facts) any {
		t := float64(f.total(func(*entry) bool { return true })) / f.months
		if t < 0 {
			return flinks.Money(t - 0.5)
		}
		return flinks.Money(t + 0.5)
	})
	add("min_balance_90_days", risk|pBusiness, func(f *facts) any {
		b := f.balances()
		if len(b) == 0 {
			return nil
		}
		m := b[0]
		for _, x := range b {
			m = min(m, x)
		}
		return flinks.Money(m)
	})
	add("average_daily_balance_90_days", lending|pBusiness, func(f *facts) any { return flinks.Money(mean(f.balances())) })
	add("days_with_negative_balance_90_days", risk|pBusiness, func(f *facts) any { return f.negativeDays() })
	add("balance_trend", risk, func(f *facts) any {
		var last, prev []int64
		in30, in60 := f.within(30), f.within(60)
		for i := range f.entries {
			switch e := &f.entries[i]; {
			case e.bal == nil:
			case in30(e):
				last = append(last, *e.bal)
			case in60(e):
				prev = append(prev, *e.bal)
			}
		}
		return flinks.Money(mean(last) - mean(prev))
	})
	add("total_deposits_trend", risk, func(f *facts) any { return f.trend(credits) })
	add("average_monthly_expenditure", risk, func(f *facts) any { return f.monthly(debits) })

	// Loans and bills.
	for _, l := range []struct{ name, cat string }{
		{"auto_loan", CatAutoLoan}, {"mortgage", CatMortgage}, {"micro_loan", CatPaydayLoan},
		{"student_loan", CatStudentLoan}, {"other_loan", CatLoanPayment},
	} {
		p := and(debits, cat(l.cat))
		add("average_monthly_"+l.name+"_payments", risk, func(f *facts) any { return f.monthly(p) })
	}
	add("average_monthly_loan_payments", pLending|pBusiness, func(f *facts) any { return f.monthly(loans) })
	add("micro_lender_name", risk, func(f *facts) any {
		e := f.last(microLoan)
		if e == nil {
			return nil
		}
		return nullable(sourceName(e.desc, "PAYDAY", "LOAN", "REPAYMENT", "DEPOSIT", "ADVANCE", "PAYMENT"))
	})
	add("count_micro_loan_deposits_90_days", lending, func(f *facts) any {
		return f.count(and(credits, microLoan, f.within(90)))
	})
	add("average_monthly_utility_payments", risk, func(f *facts) any { return f.monthly(and(debits, cat(CatUtilities))) })
	add("average_monthly_telecom_payments", risk, func(f *facts) any { return f.monthly(and(debits, cat(CatTelecom))) })

	// Risk events.
	add("count_nsf_fees_90_days", risk|pBusiness, func(f *facts) any { return f.count(and(cat(CatNSF), f.within(90))) })
	add("count_stop_payment_fees_90_days", risk, func(f *facts) any { return f.count(and(cat(CatStopPayment), f.within(90))) })
	add("count_overdraft_fees_90_days", lending|pBusiness, func(f *facts) any {
		return f.count(and(cat(CatOverdraft), f.within(90)))
	})
	// The reversed-payment series, under the names of Flinks' changelog of
	// November 2026.
	add("nbr_reversed_payments_nsf", pCreditRisk|pUserAnalysis, func(f *facts) any { return f.count(reversed) })
	add("sum_reversed_payments_nsf", pCreditRisk|pUserAnalysis, func(f *facts) any { return money(f.total(reversed)) })
	for _, d := range []int{30, 60, 90} {
		add("sum_reversed_payments_"+strconv.Itoa(d)+"_days_nsf", pCreditRisk|pUserAnalysis, func(f *facts) any {
			return money(f.total(and(reversed, f.within(d))))
		})
	}
	add("count_reversed_payments_current_month_nsf", pCreditRisk|pUserAnalysis, func(f *facts) any {
		return f.count(and(reversed, f.inMonth(0)))
	})
	add("count_reversed_payments_previous_month_nsf", pCreditRisk|pUserAnalysis, func(f *facts) any {
		return f.count(and(reversed, f.inMonth(1)))
	})

	// Primary account detection: pay lands here and bills leave from here.
	add("is_primary_account", pUserAnalysis, func(f *facts) any {
		bills := and(debits, cat(CatUtilities, CatTelecom, CatHousing, CatMortgage), f.within(90))
		return f.count(and(employer, f.within(90))) > 0 && f.count(bills) > 0
	})

	// Business.
	add("average_monthly_business_revenue", pBusiness, func(f *facts) any { return f.monthly(revenue) })
	perMonth("business_revenue", pBusiness, revenue, false)
	add("average_monthly_loan_deposits", pBusiness, func(f *facts) any {
		return f.monthly(and(credits, cat(CatLoanDeposit, CatPaydayLoan)))
	})
	add("average_monthly_operating_expenses", pBusiness, func(f *facts) any { return f.monthly(operating) })
	add("average_monthly_fees", pBusiness, func(f *facts) any { return f.monthly(fees) })
	return c
}()
