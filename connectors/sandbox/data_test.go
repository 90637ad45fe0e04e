package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/connector"
)

var _ connector.Fetcher = (*Connector)(nil)

var (
	phonePattern  = regexp.MustCompile(`^\(([2-9][0-9]{2})\) 555-01[0-9]{2}$`)
	postalPattern = regexp.MustCompile(`^[ABCEGHJ-NPRSTVXY][0-9][ABCEGHJ-NPRSTV-Z] [0-9][ABCEGHJ-NPRSTV-Z][0-9]$`)
	civicPattern  = regexp.MustCompile(`^[1-9][0-9]* \S.*$`)
	emailPattern  = regexp.MustCompile(`^([a-z]+)\.([a-z]+)[0-9]*@[a-z]+(\.[a-z]+)+$`)
)

// isGUID reports whether s is a lower-case GUID of the version 4 layout:
// xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx.
func isGUID(s string) bool {
	if len(s) != 36 || s[14] != '4' || !strings.ContainsRune("89ab", rune(s[19])) {
		return false
	}
	for i := range len(s) {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if s[i] != '-' {
				return false
			}
		case !('0' <= s[i] && s[i] <= '9' || 'a' <= s[i] && s[i] <= 'f'):
			return false
		}
	}
	return true
}

// provinceOfPostal is the province of a postal code's first letter, per
// Canada Post.
var provinceOfPostal = map[byte]string{
	'A': "NL", 'B': "NS", 'C': "PE", 'E': "NB", 'G': "QC", 'H': "QC", 'J': "QC",
	'K': "ON", 'L': "ON", 'M': "ON", 'N': "ON", 'P': "ON", 'R': "MB", 'S': "SK",
	'T': "AB", 'V': "BC",
}

// provincesOfArea are the provinces an area code serves.
var provincesOfArea = map[string]string{
	"514": "QC", "438": "QC", "418": "QC", "581": "QC", "819": "QC", "873": "QC",
	"416": "ON", "647": "ON", "437": "ON", "613": "ON", "343": "ON", "905": "ON", "289": "ON",
	"519": "ON", "226": "ON", "705": "ON", "249": "ON",
	"604": "BC", "778": "BC", "236": "BC",
	"403": "AB", "587": "AB", "825": "AB", "780": "AB",
	"902": "NS PE", "782": "NS PE",
	"204": "MB", "431": "MB", "306": "SK", "639": "SK", "709": "NL", "506": "NB",
}

// institutionNumbers are the expected institution numbers of the
// institutions the property tests use.
var institutionNumbers = map[string]string{
	"FlinksCapital": "777", "RBC": "003", "National": "006", "Laurentienne": "039", "TD": "004",
}

// typeOrder is the order accounts are listed in, and each type's category.
var typeOrder = map[string]struct {
	rank     int
	category string
}{
	"Chequing":     {0, "Operations"},
	"Savings":      {1, "Operations"},
	"CreditCard":   {2, "Credits"},
	"LineOfCredit": {3, "Credits"},
	"Loan":         {4, "Credits"},
	"LoanPersonal": {4, "Credits"},
}

var unaccent = strings.NewReplacer("é", "e", "è", "e", "ê", "e", "ë", "e", "à", "a", "â", "a", "ç", "c", "î", "i", "ï", "i", "ô", "o", "ù", "u", "û", "u")

// utcDay is t's calendar day in UTC, at midnight.
func utcDay(t time.Time) time.Time {
	u := t.UTC()
	return time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC)
}

func usernames(n int) []string {
	out := []string{"Greatday", "greatday_nomfa", "Jean.Tremblay", "Émilie Côté", "1234567890", "x"}
	for i := len(out); i < n; i++ {
		out = append(out, fmt.Sprintf("user%03d", i))
	}
	return out
}

// propertyNows are the refresh times of the property tests: the last
// ones' UTC calendar day differs from their local one.
var propertyNows = []time.Time{
	time.Date(2021, time.February, 10, 8, 0, 0, 0, time.UTC),
	time.Date(2024, time.February, 29, 23, 59, 59, 0, time.UTC),
	time.Date(2026, time.July, 15, 12, 0, 0, 0, time.UTC),
	time.Date(2025, time.March, 31, 22, 30, 0, 0, time.FixedZone("EDT", -4*3600)),
}

// TestGenerateProperties checks the invariants of the generated data for
// many logins and refresh times.
func TestGenerateProperties(t *testing.T) {
	t.Parallel()
	users := usernames(300)
	if testing.Short() {
		users = users[:40]
	}
	for _, inst := range []string{"FlinksCapital", "RBC", "National"} {
		for _, now := range propertyNows {
			t.Run(inst+"/"+now.Format(time.RFC3339), func(t *testing.T) {
				t.Parallel()
				failures := 0
				for i, user := range users {
					if err := checkLogin(inst, user, now, i%5 == 0); err != nil {
						t.Errorf("%s: %v", user, err)
						if failures++; failures == 10 {
							t.FailNow()
						}
					}
				}
			})
		}
	}
}

// checkLogin checks one login at one refresh time.
func checkLogin(inst, user string, now time.Time, determinism bool) error {
	const days = 365
	snap := generate(inst, user, now, days)
	if err := checkSnapshot(snap, inst, now, days); err != nil {
		return fmt.Errorf("days=%d: %w", days, err)
	}
	if determinism {
		if again := generate(inst, user, now, days); !reflect.DeepEqual(snap, again) {
			return errors.New("two calls returned different snapshots")
		}
	}

	// A longer window holds the shorter one as its newest part, and its
	// balance chain checks the oldest transaction of the shorter one.
	longer := generate(inst, user, now, days+35)
	if err := checkSnapshot(longer, inst, now, days+35); err != nil {
		return fmt.Errorf("days=%d: %w", days+35, err)
	}
	if err := checkPrefix(snap, longer); err != nil {
		return err
	}

	// A year of history: the chequing account's transactions span the
	// window, give or take a quiet day or two at either end.
	if !utcDay(now).Before(historyAnchor.AddDate(0, 0, days)) {
		tx := snap.Accounts[0].Transactions
		if len(tx) == 0 {
			return errors.New("no chequing transactions in a year")
		}
		if span := int(tx[0].Date.Sub(tx[len(tx)-1].Date).Hours()/24) + 1; span < 360 {
			return fmt.Errorf("the chequing transactions of days=365 span %d days", span)
		}
	}

	// Ten days later: the same old transactions, and new ones.
	later := now.AddDate(0, 0, 10)
	if err := checkStable(snap, generate(inst, user, later, days), now, later, days); err != nil {
		return fmt.Errorf("10 days later: %w", err)
	}
	return nil
}

func checkSnapshot(snap *connector.Snapshot, inst string, now time.Time, days int) error {
	if err := checkHolder(snap.Holder); err != nil {
		return fmt.Errorf("holder %+v: %w", snap.Holder, err)
	}
	if n := len(snap.Accounts); n < 2 || n > 5 {
		return fmt.Errorf("%d accounts, want 2 to 5", n)
	}
	last := utcDay(now)
	first := last.AddDate(0, 0, -(days - 1))
	ids := map[string]bool{}
	rank := -1
	for i, a := range snap.Accounts {
		kind, ok := typeOrder[a.Type]
		switch {
		case !ok:
			return fmt.Errorf("account %d has type %q", i, a.Type)
		case i == 0 && a.Type != "Chequing":
			return fmt.Errorf("the first account is %q, want Chequing", a.Type)
		case kind.rank <= rank:
			return fmt.Errorf("account %d (%s) is out of order or repeated", i, a.Type)
		case ids[a.ID]:
			return fmt.Errorf("account ID %s is repeated", a.ID)
		}
		rank = kind.rank
		ids[a.ID] = true
		if err := checkAccount(a, kind.category, inst); err != nil {
			return fmt.Errorf("account %d %q: %w", i, a.Title, err)
		}
		for j, tx := range a.Transactions {
			if ids[tx.ID] {
				return fmt.Errorf("account %q: transaction ID %s is repeated", a.Title, tx.ID)
			}
			ids[tx.ID] = true
			if tx.Date.Before(first) || tx.Date.After(last) {
				return fmt.Errorf("account %q: transaction %d of %s is outside the window %s..%s", a.Title, j, tx.Date.Format(time.DateOnly), first.Format(time.DateOnly), last.Format(time.DateOnly))
			}
		}
	}
	return nil
}

func checkHolder(h connector.Holder) error {
	ad := h.Address
	if h.Name == "" || h.Email == "" || h.PhoneNumber == "" || ad.CivicAddress == "" || ad.City == "" || ad.Province == "" || ad.PostalCode == "" {
		return errors.New("an empty field")
	}
	if ad.Country != "CA" {
		return fmt.Errorf("country %q", ad.Country)
	}
	if !civicPattern.MatchString(ad.CivicAddress) {
		return fmt.Errorf("civic address %q is not a number and a street", ad.CivicAddress)
	}
	if !postalPattern.MatchString(ad.PostalCode) {
		return fmt.Errorf("postal code %q", ad.PostalCode)
	}
	if p := provinceOfPostal[ad.PostalCode[0]]; p != ad.Province {
		return fmt.Errorf("postal code %s is in %s, not %s", ad.PostalCode, p, ad.Province)
	}
	m := phonePattern.FindStringSubmatch(h.PhoneNumber)
	if m == nil {
		return fmt.Errorf("phone number %q", h.PhoneNumber)
	}
	if !strings.Contains(provincesOfArea[m[1]], ad.Province) {
		return fmt.Errorf("area code %s is not in %s", m[1], ad.Province)
	}
	first, last, ok := strings.Cut(h.Name, " ")
	if !ok {
		return fmt.Errorf("name %q is not a first and a last name", h.Name)
	}
	e := emailPattern.FindStringSubmatch(h.Email)
	plain := func(s string) string { return strings.ReplaceAll(unaccent.Replace(strings.ToLower(s)), "-", "") }
	if e == nil || e[1] != plain(first) || e[2] != plain(last) {
		return fmt.Errorf("email %q is not derived from the name %q", h.Email, h.Name)
	}
	return nil
}

func checkAccount(a connector.Account, category, inst string) error {
	digits := func(s string, n int) bool {
		return len(s) == n && strings.Trim(s, "0123456789") == ""
	}
	switch {
	case !isGUID(a.ID):
		return fmt.Errorf("ID %q is not a GUID", a.ID)
	case a.Title == "":
		return errors.New("no title")
	case a.Category != category:
		return fmt.Errorf("category %q, want %q", a.Category, category)
	case a.Currency != "CAD" || a.AccountType != "Personal":
		return fmt.Errorf("currency %q, account type %q", a.Currency, a.AccountType)
	case !digits(a.AccountNumber, 7) || !digits(a.TransitNumber, 5) || !digits(a.InstitutionNumber, 3):
		return fmt.Errorf("numbers %q %q %q", a.AccountNumber, a.TransitNumber, a.InstitutionNumber)
	case institutionNumbers[inst] != "" && a.InstitutionNumber != institutionNumbers[inst]:
		return fmt.Errorf("institution number %s, want %s", a.InstitutionNumber, institutionNumbers[inst])
	case a.Current == nil:
		return errors.New("no current balance")
	}
	cur := *a.Current

	// Balances of the account's kind.
	wantLimit := a.Type == "CreditCard" || a.Type == "LineOfCredit"
	switch {
	case (a.Limit != nil) != wantLimit:
		return fmt.Errorf("limit %v", a.Limit)
	case wantLimit && *a.Limit <= 0:
		return fmt.Errorf("limit %s", *a.Limit)
	case (a.OverdraftLimit != nil) != (a.Type == "Chequing"):
		return fmt.Errorf("overdraft limit %v", a.OverdraftLimit)
	case a.OverdraftLimit != nil && *a.OverdraftLimit <= 0:
		return fmt.Errorf("overdraft limit %s", *a.OverdraftLimit)
	}
	var want *connector.Cents
	switch a.Type {
	case "Chequing":
		want = new(cur + *a.OverdraftLimit)
	case "Savings":
		want = new(cur)
	case "CreditCard", "LineOfCredit":
		want = new(*a.Limit + cur)
	}
	if !reflect.DeepEqual(a.Available, want) {
		return fmt.Errorf("available %v, want %v (current %s)", a.Available, want, cur)
	}
	if category == "Credits" && cur > 0 {
		return fmt.Errorf("a credit account with a positive balance %s", cur)
	}

	// Transactions: newest first, chained, one of debit and credit.
	txs := a.Transactions
	if len(txs) > 0 && txs[0].Balance != cur {
		return fmt.Errorf("current %s, newest balance %s", cur, txs[0].Balance)
	}
	for i, tx := range txs {
		switch {
		case !isGUID(tx.ID):
			return fmt.Errorf("transaction %d: ID %q is not a GUID", i, tx.ID)
		case tx.Description == "":
			return fmt.Errorf("transaction %d has no description", i)
		case tx.Date != utcDay(tx.Date) || tx.Date.Location() != time.UTC:
			return fmt.Errorf("transaction %d: date %v is not a UTC midnight", i, tx.Date)
		case (tx.Debit > 0) == (tx.Credit > 0) || tx.Debit < 0 || tx.Credit < 0:
			return fmt.Errorf("transaction %d: debit %s, credit %s", i, tx.Debit, tx.Credit)
		case category == "Credits" && tx.Balance > 0:
			return fmt.Errorf("transaction %d: a credit account at %s", i, tx.Balance)
		}
		if i+1 == len(txs) {
			break
		}
		older := txs[i+1]
		if older.Date.After(tx.Date) {
			return fmt.Errorf("transaction %d (%s) is older than %d (%s)", i, tx.Date.Format(time.DateOnly), i+1, older.Date.Format(time.DateOnly))
		}
		if tx.Balance != older.Balance+tx.Credit-tx.Debit {
			return fmt.Errorf("transaction %d: balance %s, but %s + %s - %s", i, tx.Balance, older.Balance, tx.Credit, tx.Debit)
		}
	}

	// NSF fees follow exactly the bill payments that overdraw chequing
	// beyond its overdraft.
	if a.Type != "Chequing" {
		return nil
	}
	floor := -*a.OverdraftLimit
	for i, tx := range txs {
		if tx.Description == nsfDescription {
			if tx.Debit != 4800 {
				return fmt.Errorf("transaction %d: NSF fee of %s", i, tx.Debit)
			}
			if i+1 < len(txs) && (txs[i+1].Debit == 0 || txs[i+1].Balance >= floor || txs[i+1].Description == nsfDescription) {
				return fmt.Errorf("transaction %d: an NSF fee after %+v", i, txs[i+1])
			}
			continue
		}
		if tx.Debit > 0 && tx.Balance < floor && tx.Description != "MONTHLY ACCOUNT FEE" && (i == 0 || txs[i-1].Description != nsfDescription) {
			return fmt.Errorf("transaction %d %+v overdraws chequing beyond %s without an NSF fee", i, tx, floor)
		}
	}
	return nil
}

// checkPrefix checks that the snapshot of a longer window holds that of a
// shorter one as its newest transactions, and the same accounts.
func checkPrefix(short, long *connector.Snapshot) error {
	if !reflect.DeepEqual(short.Holder, long.Holder) || len(short.Accounts) != len(long.Accounts) {
		return errors.New("a longer window changed the holder or the accounts")
	}
	for i, s := range short.Accounts {
		l := long.Accounts[i]
		n := len(s.Transactions)
		if len(l.Transactions) < n || !slices.Equal(s.Transactions, l.Transactions[:n]) {
			return fmt.Errorf("account %q: the longer window does not start with the shorter one", s.Title)
		}
		if n > 0 && len(l.Transactions) > n && !l.Transactions[n].Date.Before(s.Transactions[n-1].Date) {
			return fmt.Errorf("account %q: the shorter window left out a transaction of its oldest day", s.Title)
		}
		s.Transactions, l.Transactions = nil, nil
		if !reflect.DeepEqual(s, l) {
			return fmt.Errorf("account %q differs between windows", s.Title)
		}
	}
	return nil
}

// checkStable checks that a refresh at later shows every transaction of
// the refresh at now that falls in its window, unchanged, and new ones.
func checkStable(snap, next *connector.Snapshot, now, later time.Time, days int) error {
	if !reflect.DeepEqual(snap.Holder, next.Holder) || len(snap.Accounts) != len(next.Accounts) {
		return errors.New("the holder or the accounts changed")
	}
	nowDay := utcDay(now)
	from := utcDay(later).AddDate(0, 0, -(days - 1))
	for i, a := range snap.Accounts {
		b := next.Accounts[i]
		if a.ID != b.ID || a.Title != b.Title || a.Type != b.Type || a.AccountNumber != b.AccountNumber || !reflect.DeepEqual(a.Limit, b.Limit) {
			return fmt.Errorf("account %d changed: %q -> %q", i, a.Title, b.Title)
		}
		var kept, shown []connector.Transaction
		for _, tx := range a.Transactions {
			if !tx.Date.Before(from) {
				kept = append(kept, tx)
			}
		}
		fresh := 0
		for _, tx := range b.Transactions {
			if tx.Date.After(nowDay) {
				fresh++
			} else {
				shown = append(shown, tx)
			}
		}
		if !slices.Equal(kept, shown) {
			for j := range min(len(kept), len(shown)) {
				if kept[j] != shown[j] {
					return fmt.Errorf("account %q: transaction %+v became %+v", a.Title, kept[j], shown[j])
				}
			}
			return fmt.Errorf("account %q: %d transactions of the overlap became %d", a.Title, len(kept), len(shown))
		}
		if a.Type == "Chequing" && fresh == 0 {
			return errors.New("no new chequing transaction in ten days")
		}
	}
	return nil
}

// TestGenerateWindow checks the default window and the edges of history.
func TestGenerateWindow(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, time.November, 3, 15, 4, 5, 0, time.UTC)
	def := generate("TD", "Greatday", now, 0)
	if !reflect.DeepEqual(def, generate("TD", "Greatday", now, 90)) || !reflect.DeepEqual(def, generate("TD", "Greatday", now, -7)) {
		t.Error("days <= 0 is not the 90-day window")
	}
	oldest := def.Accounts[0].Transactions[len(def.Accounts[0].Transactions)-1].Date
	if want := time.Date(2025, time.August, 6, 0, 0, 0, 0, time.UTC); oldest.Before(want) {
		t.Errorf("the 90-day window starts %s, before %s", oldest.Format(time.DateOnly), want.Format(time.DateOnly))
	}
	if err := checkSnapshot(generate("TD", "Greatday", now, 5000), "TD", now, 5000); err != nil {
		t.Errorf("the whole history: %v", err)
	}
	if err := checkSnapshot(generate("TD", "Greatday", now, 1), "TD", now, 1); err != nil {
		t.Errorf("one day: %v", err)
	}

	// From the anchor on, the oldest transaction follows the opening balance.
	for _, user := range usernames(60) {
		snap := generate("Scotia", user, now, 5000)
		h := newHistory("Scotia", loginSeed("Scotia", user))
		for j, a := range snap.Accounts {
			opening := h.accounts[j].bal
			if len(a.Transactions) == 0 {
				if *a.Current != opening {
					t.Errorf("%s %q: current %s without transactions, opening %s", user, a.Title, *a.Current, opening)
				}
				continue
			}
			tx := a.Transactions[len(a.Transactions)-1]
			if tx.Balance-tx.Credit+tx.Debit != opening {
				t.Errorf("%s %q: oldest transaction %+v does not follow the opening balance %s", user, a.Title, tx, opening)
			}
		}

		// Before the anchor: opening balances, no transactions.
		before := generate("Scotia", user, historyAnchor.Add(-time.Second), 365)
		for j, a := range before.Accounts {
			if len(a.Transactions) != 0 || *a.Current != h.accounts[j].bal {
				t.Errorf("%s %q before the anchor: %d transactions, current %s", user, a.Title, len(a.Transactions), *a.Current)
			}
		}
	}
}

// TestGenerateLogin checks that the data depend on the login, folded.
func TestGenerateLogin(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, time.January, 20, 0, 0, 0, 0, time.UTC)
	if !reflect.DeepEqual(generate("FlinksCapital", "Greatday", now, 30), generate("flinkscapital", "GREATDAY", now, 30)) {
		t.Error("the data depend on the case of the login")
	}
	if reflect.DeepEqual(generate("FlinksCapital", "Greatday", now, 30).Holder, generate("RBC", "Greatday", now, 30).Holder) {
		t.Error("the same username at two institutions has the same holder")
	}

	// Many logins show every kind of account, city and count.
	ids := map[string]string{}
	counts, types, provinces, cities := map[int]int{}, map[string]int{}, map[string]int{}, map[string]int{}
	for _, user := range usernames(300) {
		snap := generate("FlinksCapital", user, now, 1)
		counts[len(snap.Accounts)]++
		provinces[snap.Holder.Address.Province]++
		cities[snap.Holder.Address.City]++
		for _, a := range snap.Accounts {
			types[a.Type]++
			if other, dup := ids[a.ID]; dup {
				t.Errorf("account ID %s of %s is also %s's", a.ID, user, other)
			}
			ids[a.ID] = user
		}
	}
	for n := 2; n <= 5; n++ {
		if counts[n] == 0 {
			t.Errorf("no login has %d accounts: %v", n, counts)
		}
	}
	for typ := range typeOrder {
		if types[typ] == 0 {
			t.Errorf("no login has a %s account: %v", typ, types)
		}
	}
	if len(provinces) < 6 || len(cities) < 10 {
		t.Errorf("holders live in only %d provinces and %d cities: %v", len(provinces), len(cities), cities)
	}
}

// TestGenerateCadence checks the rhythm of the recurring transactions.
func TestGenerateCadence(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, time.May, 20, 12, 0, 0, 0, time.UTC)
	first := utcDay(now).AddDate(0, 0, -364)
	for _, user := range usernames(120) {
		snap := generate("National", user, now, 365)
		var chq connector.Account
		for _, a := range snap.Accounts {
			dated := func(prefix string) []connector.Transaction {
				var out []connector.Transaction
				for _, tx := range a.Transactions {
					if strings.HasPrefix(tx.Description, prefix) {
						out = append(out, tx)
					}
				}
				return out
			}
			switch a.Type {
			case "Chequing":
				chq = a
				pay := dated("PAYROLL DEP ")
				if len(pay) < 25 {
					t.Errorf("%s: %d paydays in a year", user, len(pay))
				}
				for i := 1; i < len(pay); i++ {
					if d := pay[i-1].Date.Sub(pay[i].Date); d != 14*24*time.Hour || pay[i].Description != pay[0].Description || pay[i].Credit > pay[i-1].Credit {
						t.Errorf("%s: payroll %+v then %+v", user, pay[i], pay[i-1])
					}
				}
				housing := append(dated("RENT PAD "), dated("MORTGAGE PAYMENT")...)
				fees := dated("MONTHLY ACCOUNT FEE")
				if len(housing) != 12 || len(fees) != 12 {
					t.Errorf("%s: %d housing payments and %d account fees in a year", user, len(housing), len(fees))
				}
				for _, tx := range housing {
					if tx.Date.Day() != 1 {
						t.Errorf("%s: %s on %s", user, tx.Description, tx.Date.Format(time.DateOnly))
					}
				}
				for _, tx := range fees {
					if tx.Date.AddDate(0, 0, 1).Day() != 1 {
						t.Errorf("%s: account fee on %s", user, tx.Date.Format(time.DateOnly))
					}
				}
				// Groceries one to three times a week (some may be declined).
				weeks := map[int]int{}
				for _, tx := range a.Transactions {
					if strings.Contains(tx.Description, " #") && tx.Debit > 0 {
						weeks[int(tx.Date.Sub(historyAnchor).Hours()/24+2)/7]++
					}
				}
				total := 0
				for w, n := range weeks {
					total += n
					if n > 3 {
						t.Errorf("%s: %d groceries in week %d", user, n, w)
					}
				}
				if total < 52 || total > 156 {
					t.Errorf("%s: %d groceries in a year", user, total)
				}
			case "CreditCard":
				pays := dated("PAYMENT - THANK YOU")
				if len(pays) < 11 {
					t.Errorf("%s: %d card payments in a year", user, len(pays))
				}
				for _, p := range pays {
					if p.Date.Day() != pays[0].Date.Day() || p.Balance != 0 {
						t.Errorf("%s: card payment %+v", user, p)
					}
				}
			case "Savings", "LineOfCredit", "Loan", "LoanPersonal":
				months := map[time.Month]int{}
				for _, tx := range dated("INTEREST") {
					months[tx.Date.Month()]++
					if (a.Type == "Savings") != (tx.Credit > 0) {
						t.Errorf("%s %s: interest %+v", user, a.Title, tx)
					}
				}
				for m, n := range months {
					if n > 1 {
						t.Errorf("%s %s: %d interest charges in %s", user, a.Title, n, m)
					}
				}
			}
		}
		// Every payment to a credit account leaves chequing the same day.
		for _, a := range snap.Accounts[1:] {
			if a.Category != "Credits" {
				continue
			}
			for _, tx := range a.Transactions {
				if tx.Credit == 0 || tx.Date.Before(first) {
					continue
				}
				found := false
				for _, c := range chq.Transactions {
					found = found || (c.Date.Equal(tx.Date) && c.Debit == tx.Credit && c.Description != nsfDescription)
				}
				if !found {
					t.Errorf("%s %s: payment %+v has no chequing debit", user, a.Title, tx)
				}
			}
		}
	}
}

// TestGeneratePlausible checks that seven years of history keep balances
// within what a household shows, and NSF fees occasional.
func TestGeneratePlausible(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, time.December, 31, 0, 0, 0, 0, time.UTC)
	nsf, chequing := 0, 0
	for _, inst := range []string{"FlinksCapital", "Laurentienne"} {
		for _, user := range usernames(300) {
			snap := generate(inst, user, now, 5000)
			for _, a := range snap.Accounts {
				lo, hi := *a.Current, *a.Current
				for _, tx := range a.Transactions {
					lo, hi = min(lo, tx.Balance), max(hi, tx.Balance)
					if tx.Description == nsfDescription {
						nsf++
					}
				}
				var okLo, okHi connector.Cents
				switch a.Type {
				case "Chequing":
					chequing++
					okLo, okHi = -*a.OverdraftLimit-2_500_00, 25_000_00
				case "Savings":
					okLo, okHi = 0, 60_000_00
				case "CreditCard", "LineOfCredit":
					okLo, okHi = -*a.Limit-300_00, 0
				default:
					okLo, okHi = -40_000_00, 0
				}
				if lo < okLo || hi > okHi {
					t.Errorf("%s/%s %s: balances from %s to %s, outside %s..%s", inst, user, a.Title, lo, hi, okLo, okHi)
				}
			}
		}
	}
	if perYear := float64(nsf) / float64(chequing) / 7; nsf == 0 || perYear > 1 {
		t.Errorf("%d NSF fees on %d chequing accounts in 7 years: %.2f a year", nsf, chequing, perYear)
	}
}

// TestFetch fetches through the connector, after a login.
func TestFetch(t *testing.T) {
	t.Parallel()
	scenarios, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(scenarios...)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, time.March, 14, 9, 26, 53, 0, time.UTC)
	out, err := c.Begin(t.Context(), connector.BeginRequest{
		Institution: "FlinksCapital", Username: "greatday_nomfa", Password: Password, Language: "en", Now: now,
	})
	if err != nil || !out.Authorized() {
		t.Fatalf("Begin: %+v, %v", out, err)
	}
	snap, err := c.Fetch(t.Context(), connector.FetchRequest{State: out.State, Now: now, Days: 365})
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if err := checkSnapshot(snap, "FlinksCapital", now, 365); err != nil {
		t.Error(err)
	}
	if want := generate("FlinksCapital", "greatday_nomfa", now, 365); !reflect.DeepEqual(snap, want) {
		t.Error("Fetch does not return the login's generated data")
	}

	// The saved state of a second login fetches the same data.
	again, err := c.Begin(t.Context(), connector.BeginRequest{
		Institution: "flinkscapital", Username: "GREATDAY_NOMFA", Password: Password, Saved: out.State, Now: now,
	})
	if err != nil {
		t.Fatal(err)
	}
	snap2, err := c.Fetch(t.Context(), connector.FetchRequest{State: again.State, Now: now, Days: 365})
	if err != nil || !reflect.DeepEqual(snap, snap2) {
		t.Errorf("a second login fetched other data (%v)", err)
	}

	// A login in the middle of its MFA is not authorized.
	mfa, err := c.Begin(t.Context(), connector.BeginRequest{
		Institution: "FlinksCapital", Username: "Greatday", Password: Password, Now: now,
	})
	if err != nil || mfa.Authorized() {
		t.Fatalf("Begin Greatday: %+v, %v", mfa, err)
	}
	bad := map[string][]byte{
		"garbage":             []byte("not json"),
		"empty":               nil,
		"mid-conversation":    mfa.State,
		"unknown institution": mustJSON(t, state{Institution: "Nowhere", User: "greatday_nomfa"}),
		"unknown user":        mustJSON(t, state{Institution: "FlinksCapital", User: "nobody"}),
	}
	for name, st := range bad {
		snap, err := c.Fetch(t.Context(), connector.FetchRequest{State: st, Now: now, Days: 90})
		var ce *connector.Error
		if snap != nil || !errors.As(err, &ce) || ce.Kind != connector.Failed {
			t.Errorf("%s state: %v, %v; want a Failed *connector.Error", name, snap, err)
		}
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// BenchmarkGenerate generates seven years of history for a login with five
// accounts.
func BenchmarkGenerate(b *testing.B) {
	now := time.Date(2026, time.December, 31, 12, 0, 0, 0, time.UTC)
	user := ""
	for _, u := range usernames(300) {
		if len(generate("FlinksCapital", u, now, 1).Accounts) == 5 {
			user = u
			break
		}
	}
	if user == "" {
		b.Fatal("no login with five accounts")
	}
	for _, days := range []int{90, 365} {
		b.Run(fmt.Sprintf("days=%d", days), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				generate("FlinksCapital", user, now, days)
			}
		})
	}
}
