package enrich

import (
	"sort"
	"strings"
	"time"

	"github.com/bankfeed/bankfeed/flinks"
)

// Attributes are computed from a login's accounts; the type is the wire
// card, so that the endpoint and the SDK share it.
type Attributes = flinks.Attributes

const day = "2006-01-02"

func isIncome(cat string) bool { return strings.HasPrefix(cat, "Income") }

// Compute derives the attributes from every transaction of every account.
// Transactions whose Date does not parse are ignored rather than guessed at.
func Compute(accts []flinks.AccountDetail) Attributes {
	var a Attributes
	type dated struct {
		t  time.Time
		tx flinks.Transaction
	}
	var all []dated
	sources := map[string][]time.Time{}
	negDays := map[string]bool{}
	for _, ac := range accts {
		for _, tx := range ac.Transactions {
			d, err := time.Parse(day, tx.Date)
			if err != nil {
				continue
			}
			all = append(all, dated{d, tx})
			if tx.Balance != nil && *tx.Balance < 0 {
				negDays[ac.Id+tx.Date] = true
			}
			cat := Categorize(tx)
			switch {
			case isIncome(cat) && cat != CatIncome:
				a.TotalIncome += *tx.Credit
				src := sourceKey(tx.Description)
				sources[src] = append(sources[src], d)
			case cat == CatNSF:
				a.NSFCount++
			case cat == CatBankFees && strings.Contains(strings.ToUpper(tx.Description), "OVERDRAFT"):
				a.OverdraftFeeCount++
			case cat == CatLoanPayment:
				a.LoanPaymentCount++
				a.LoanPaymentTotal += *tx.Debit
			case cat == CatPaydayLoan:
				a.PaydayLoanCount++
				if tx.Debit != nil {
					a.LoanPaymentCount++
					a.LoanPaymentTotal += *tx.Debit
				}
			}
		}
	}
	a.DaysWithNegativeBalance = len(negDays)
	a.IncomeSourceCount = len(sources)
	a.PrimaryIncomeFrequency = "none"
	if len(all) == 0 {
		return a
	}
	sort.Slice(all, func(i, j int) bool { return all[i].t.Before(all[j].t) })
	first, last := all[0].t, all[len(all)-1].t
	a.HistoryDays = int(last.Sub(first).Hours()/24) + 1
	months := float64(a.HistoryDays) / 30.4375
	if months < 1 {
		months = 1
	}
	a.AverageMonthlyIncome = flinks.Money(float64(a.TotalIncome)/months + 0.5)

	// The primary source is the one paying the most often; ties go to the
	// smaller key so that map order never shows.
	var primary string
	for k, v := range sources {
		if primary == "" || len(v) > len(sources[primary]) || (len(v) == len(sources[primary]) && k < primary) {
			primary = k
		}
	}
	if primary != "" {
		a.PrimaryIncomeFrequency = Frequency(sources[primary])
	}

	var sum, n int64
	var head, tail []int64
	for _, x := range all {
		if x.tx.Balance == nil {
			continue
		}
		b := int64(*x.tx.Balance)
		sum += b
		n++
		if x.t.Sub(first) < 30*24*time.Hour {
			head = append(head, b)
		}
		if last.Sub(x.t) < 30*24*time.Hour {
			tail = append(tail, b)
		}
	}
	if n > 0 {
		a.AverageDailyBalance = flinks.Money(sum / n)
		a.BalanceTrend = flinks.Money(mean(tail) - mean(head))
	}
	return a
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

// sourceKey names an income source by its description without digits, so
// that "PAYROLL ACME 0412" and "PAYROLL ACME 0426" are one employer.
func sourceKey(desc string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(desc) {
		if r < '0' || r > '9' {
			b.WriteRune(r)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
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
