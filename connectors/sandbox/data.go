package sandbox

import (
	"context"
	"encoding/json"
	"hash/fnv"
	"math/bits"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/bankfeed/bankfeed/connector"
)

// This file is the sandbox bank's account data: a holder, two to five
// accounts and their whole transaction history, generated from the login
// alone.
//
// History starts on a fixed anchor day (historyAnchor) with opening balances
// and is played day by day up to the requested day. The randomness of a day
// comes from a generator seeded by (login, account, calendar day) only, and
// whatever else a day does depends only on the days before it (a card
// payment pays what the card owes, a sweep moves what chequing holds). So a
// day never changes once it has happened: a refresh ten days later shows ten
// more days and the same older transactions, with the same IDs, amounts and
// balances.
//
// Balances follow one rule on every account: each transaction's Balance is
// the previous one plus Credit minus Debit. On credit accounts (credit card,
// line of credit, loan) a purchase, an advance or interest is a Debit and a
// payment a Credit, so their balance is negative when money is owed: a card
// owing 512.34 has Current -512.34, and its Available is Limit + Current.

// Fetch implements connector.Fetcher.
func (c *Connector) Fetch(ctx context.Context, req connector.FetchRequest) (*connector.Snapshot, error) {
	var st state
	if err := json.Unmarshal(req.State, &st); err != nil {
		return nil, connector.Errorf(connector.Failed, "The sandbox could not read the login state.")
	}
	if st.Step != "" {
		return nil, connector.Errorf(connector.Failed, "The login state is not that of an authorized login.")
	}
	sc := c.byName[fold(st.Institution)]
	if sc == nil {
		return nil, connector.Errorf(connector.Failed, "The login state names an institution the sandbox does not serve.")
	}
	u := sc.user(st.User)
	if u == nil {
		return nil, connector.Errorf(connector.Failed, "The login state names a user the sandbox does not know.")
	}
	if u.fetchDelay > 0 {
		if err := c.wait(ctx, req.Now.Add(u.fetchDelay), u.fetchDelay); err != nil {
			return nil, err
		}
	}
	linked := req.Now // a login saved before link times were kept
	if st.Linked != 0 {
		linked = time.Unix(st.Linked, 0).UTC()
	}
	return generateFor(sc.Institution, u, linked, req.Now, req.Days), nil
}

// historyAnchor is the first day of every sandbox history. It is fixed, not
// counted back from now, so that the balance of any day is the opening
// balance plus everything since the anchor, whatever day one asks.
var historyAnchor = time.Date(2020, time.January, 1, 0, 0, 0, 0, time.UTC)

const (
	// anchorEpochDay is historyAnchor in days since 1970-01-01.
	anchorEpochDay = 18262
	// defaultHistoryDays is the window returned when a fetch asks for none.
	defaultHistoryDays = 90
	// nsfFee is charged when a debit takes chequing below its overdraft.
	nsfFee         connector.Cents = 4800
	nsfDescription                 = "NSF FEE"
)

// The account kinds, in the order a bank lists them. A kind's value is also
// its slot: what its ID and its generators are derived from, so an account
// keeps its ID whatever other accounts the login has.
type accountKind int

const (
	kindChequing accountKind = iota
	kindSavings
	kindCard
	kindCreditLine
	kindLoan
)

// generate returns the sandbox data of a login as of now: the holder, the
// accounts, and the transactions of the last days calendar days (UTC) up to
// and including now's, newest first. days <= 0 means 90. The same login
// always gets the same data, and a later now only adds transactions.
func generate(institution, username string, now time.Time, days int) *connector.Snapshot {
	return generateFor(institution, &User{Username: username}, now, now, days)
}

// generateFor is generate for a scenario user linked at linked: the history
// of the user's persona, and the user's declared transactions as the bank
// shows them at now.
func generateFor(institution string, u *User, linked, now time.Time, days int) *connector.Snapshot {
	if days <= 0 {
		days = defaultHistoryDays
	}
	seed := loginSeed(institution, u.Username)
	s := newHistory(institution, seed)
	if p, ok := personas[u.Persona]; ok {
		p.apply(s, seed, linked)
	}
	last := int(epochDay(now) - anchorEpochDay)
	s.from = last - days + 1
	s.run(last)

	snap := &connector.Snapshot{Holder: s.holder}
	for _, a := range s.accounts {
		snap.Accounts = append(snap.Accounts, s.account(a))
	}
	if len(u.Transactions) > 0 { // on chequing, always the first account
		overlay(&snap.Accounts[0], seed, u.Transactions, linked, now, s.from, last)
	}
	return snap
}

// loginSeed hashes the login: case-folded institution and username.
func loginSeed(institution, username string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(strings.ToLower(institution) + "/" + strings.ToLower(username)))
	return h.Sum64()
}

// epochDay returns t's calendar day (UTC) in days since 1970-01-01.
func epochDay(t time.Time) int64 {
	u := t.Unix()
	d := u / 86400
	if u%86400 < 0 {
		d--
	}
	return d
}

// mix64 is the SplitMix64 finalizer: a bijective scrambling of 64 bits.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// dayRand is a small generator for one (login, account, day): a PCG that
// stays on the stack.
type dayRand struct{ p *rand.PCG }

func newDayRand(a, b uint64) dayRand { return dayRand{rand.NewPCG(a, b)} }

// intn returns a number in [0, n).
func (r dayRand) intn(n int) int {
	hi, _ := bits.Mul64(r.p.Uint64(), uint64(n))
	return int(hi)
}

// chance reports true with probability permille/1000.
func (r dayRand) chance(permille int) bool { return r.intn(1000) < permille }

// between returns an amount in [lo, hi].
func (r dayRand) between(lo, hi connector.Cents) connector.Cents {
	return lo + connector.Cents(r.intn(int(hi-lo)+1))
}

// guidFrom formats two words as a GUID-shaped (version 4 layout) string.
func guidFrom(a, b uint64) string {
	a = mix64(a ^ mix64(b))
	b = mix64(a ^ b ^ 0x5851f42d4c957f2d)
	a = a&^(0xf<<12) | 0x4<<12       // version nibble
	b = b&^(0x3<<62) | uint64(2)<<62 // variant 10
	const hexdigits = "0123456789abcdef"
	var buf [36]byte
	pos := 0
	put := func(v uint64, nibbles int) {
		for i := nibbles - 1; i >= 0; i-- {
			buf[pos] = hexdigits[(v>>(4*uint(i)))&0xf]
			pos++
		}
	}
	put(a>>32, 8)
	buf[pos] = '-'
	pos++
	put(a>>16, 4)
	buf[pos] = '-'
	pos++
	put(a, 4)
	buf[pos] = '-'
	pos++
	put(b>>48, 4)
	buf[pos] = '-'
	pos++
	put(b, 12)
	return string(buf[:])
}

// spend is something bought, with its price range in 2020 dollars.
type spend struct {
	desc   string
	lo, hi connector.Cents
	round  connector.Cents // amounts are multiples of round when set (ATM)
}

// subscription is a fixed monthly charge on the credit card.
type subscription struct {
	desc   string
	day    int
	amount connector.Cents
}

// histAccount is one account being played.
type histAccount struct {
	kind                 accountKind
	title, category, typ string
	number, transit      string
	limit, overdraft     connector.Cents // 0 when none
	bal                  connector.Cents
	key                  uint64 // seeds the account's generators
	n                    int    // transactions posted today
	txs                  []connector.Transaction
	day                  int             // day of month of its statement, payment or interest
	rate                 int64           // annual interest rate in basis points
	payment              connector.Cents // loan instalment
	fresh                bool            // the loan was disbursed today
}

// history plays a login's accounts day by day.
type history struct {
	institution string
	holder      connector.Holder
	accounts    []*histAccount
	chq         *histAccount
	sav, card   *histAccount
	line, loan  *histAccount
	// drawn holds every kind's account as drawn, the login's or not, for
	// a persona to choose its own (persona.go).
	drawn       [kindLoan + 1]*histAccount
	city        *place
	accountType string // Personal or Business
	// open is the day (an index since the anchor) the accounts were
	// opened, before which nothing happens; -1 for the anchor itself.
	open int
	// persona plays the day's persona-specific flows (nil for none).
	persona *persona

	// The current day: index since the anchor, calendar, and whether it is
	// in the returned window (index >= from).
	d, from        int
	y, m, dom, dim int
	date           time.Time
	inWindow       bool
	// scale is the price index of the current year in per mille of 2020's:
	// pay and prices rise together every January.
	scale, inflation int64
	// lifestyle scales discretionary amounts to the pay, per mille.
	lifestyle int64

	// Chequing.
	pay                     connector.Cents // net pay every two weeks, 2020 dollars
	firstPay                int             // first payday's index
	payroll                 string
	housing                 connector.Cents
	housingDesc             string
	utility, phone          connector.Cents
	utilityDay, phoneDay    int
	utilityDesc, phoneDesc  string
	fee                     connector.Cents
	keep                    connector.Cents // what a sweep leaves in chequing
	grocers                 []string
	groceryWeek             int
	groceryDays             uint8   // weekdays (bit 0 Monday) of this week's groceries
	small, misc             []spend // everyday and occasional debit card purchases
	smallChance, miscChance int     // per mille a day
	contacts                []string
	sweepDesc               string

	// Credit card.
	shops   []spend
	subs    []subscription
	cardPay string
}

func (s *history) scaled(c connector.Cents) connector.Cents {
	return connector.Cents(int64(c) * s.scale / 1000)
}

func (s *history) styled(c connector.Cents) connector.Cents {
	return connector.Cents(int64(c) * s.scale / 1000 * s.lifestyle / 1000)
}

// dayRand returns the generator of account a for the current day.
func (s *history) dayRand(a *histAccount) dayRand {
	return newDayRand(a.key, mix64(a.key^uint64(anchorEpochDay+s.d)))
}

// post books amount (a credit when positive, a debit when negative) on a.
// Transactions of days before the window only move the balance.
func (s *history) post(a *histAccount, desc string, amount connector.Cents) {
	if amount == 0 {
		return
	}
	a.bal += amount
	if s.inWindow {
		t := connector.Transaction{
			ID:          guidFrom(a.key, uint64(anchorEpochDay+s.d)<<16|uint64(a.n)),
			Date:        s.date,
			Description: desc,
			Balance:     a.bal,
		}
		if amount > 0 {
			t.Credit = amount
		} else {
			t.Debit = -amount
		}
		a.txs = append(a.txs, t)
	}
	a.n++
}

// debit books a pre-authorized debit or a bill payment on chequing, and the
// NSF fee when it takes the balance below the overdraft.
func (s *history) debit(desc string, amount connector.Cents) {
	s.post(s.chq, desc, -amount)
	if amount > 0 && s.chq.bal < -s.chq.overdraft {
		s.post(s.chq, nsfDescription, -nsfFee)
	}
}

// purchase books a debit card purchase or an Interac e-Transfer on
// chequing; the bank declines it when it exceeds what is available.
func (s *history) purchase(desc string, amount connector.Cents) {
	if amount <= s.chq.bal+s.chq.overdraft {
		s.post(s.chq, desc, -amount)
	}
}

// transfer moves amount between two of the login's accounts.
func (s *history) transfer(from, to *histAccount, fromDesc, toDesc string, amount connector.Cents) {
	if amount <= 0 {
		return
	}
	if from == s.chq {
		s.debit(fromDesc, amount)
	} else {
		s.post(from, fromDesc, -amount)
	}
	s.post(to, toDesc, amount)
}

// run plays every day from the anchor to day last (an index since the
// anchor), keeping the transactions of days from s.from on.
func (s *history) run(last int) {
	s.y, s.m, s.dom = 2020, 1, 1
	s.dim = 31
	s.scale = 1000
	if s.from < 0 {
		s.from = 0
	}
	if window := last - s.from + 1; window > 0 {
		for _, a := range s.accounts {
			a.txs = make([]connector.Transaction, 0, window*perDay(a.kind)/8)
		}
	}
	for s.d = 0; s.d <= last; s.d++ {
		if s.d > 0 {
			s.nextDay()
		}
		s.inWindow = s.d >= s.from
		if s.inWindow {
			s.date = historyAnchor.Add(time.Duration(s.d) * 24 * time.Hour)
		}
		if s.d < s.open {
			continue
		}
		for _, a := range s.accounts {
			a.n = 0
		}
		if s.d == s.open && s.persona != nil && s.persona.opening != nil {
			s.persona.opening(s)
		}
		if s.card != nil {
			s.cardDay()
		}
		if s.line != nil {
			s.lineDay()
		}
		if s.loan != nil {
			s.loanDay()
		}
		s.chequingDay()
		if s.sav != nil {
			s.savingsDay()
		}
	}
	for _, a := range s.accounts {
		for i, j := 0, len(a.txs)-1; i < j; i, j = i+1, j-1 {
			a.txs[i], a.txs[j] = a.txs[j], a.txs[i]
		}
	}
}

// perDay is about eight times an account kind's transactions a day, to size
// the window's slice.
func perDay(k accountKind) int {
	switch k {
	case kindChequing:
		return 14
	case kindCard:
		return 6
	}
	return 1
}

func (s *history) nextDay() {
	s.dom++
	if s.dom <= s.dim {
		return
	}
	s.dom = 1
	s.m++
	if s.m > 12 {
		s.m = 1
		s.y++
		s.scale = s.scale * (1000 + s.inflation) / 1000
	}
	s.dim = time.Date(s.y, time.Month(s.m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func (s *history) isPayday(d int) bool {
	return d >= s.firstPay && (d-s.firstPay)%14 == 0
}

// groceryToday reports whether today is one of this week's one to three
// grocery days, drawn once a week from (login, week).
func (s *history) groceryToday() bool {
	week := (s.d + 2) / 7 // weeks start on Monday; the anchor is a Wednesday
	if week != s.groceryWeek || s.d == 0 {
		s.groceryWeek = week
		r := newDayRand(s.chq.key^0x67726f63, mix64(s.chq.key^uint64(week)<<20))
		s.groceryDays = 0
		for n := 1 + r.intn(3); n > 0; {
			bit := uint8(1) << r.intn(7)
			if s.groceryDays&bit == 0 {
				s.groceryDays |= bit
				n--
			}
		}
	}
	return s.groceryDays&(1<<((s.d+2)%7)) != 0
}

func (s *history) chequingDay() {
	a := s.chq
	r := s.dayRand(a)
	if s.isPayday(s.d) && (s.persona == nil || !s.persona.noPayroll) {
		s.post(a, s.payroll, s.scaled(s.pay))
	}
	s.personaDay()
	if r.chance(35) {
		amt := r.between(20_00, 250_00) / 500 * 500
		s.post(a, "INTERAC E-TRF FROM "+s.contacts[r.intn(len(s.contacts))], s.styled(amt))
	}
	if s.dom == 1 {
		s.debit(s.housingDesc, s.scaled(s.housing))
	}
	if s.dom == s.utilityDay {
		// Heating makes winter bills higher.
		season := [...]int64{0, 135, 130, 115, 100, 85, 80, 85, 85, 90, 105, 120, 130}[s.m]
		amt := connector.Cents(int64(s.scaled(s.utility)) * season / 100 * int64(90+r.intn(21)) / 100)
		s.debit(s.utilityDesc, amt)
	}
	if s.dom == s.phoneDay {
		s.debit(s.phoneDesc, s.scaled(s.phone))
	}
	if c := s.card; c != nil && s.dom == c.day && c.bal < 0 {
		s.transfer(a, c, s.cardPay, "PAYMENT - THANK YOU", -c.bal)
	}
	if l := s.line; l != nil && s.dom == l.day && l.bal < 0 {
		owed := -l.bal
		amt := max(50_00, owed*3/100)
		s.transfer(a, l, "LOC PAYMENT", "PAYMENT RECEIVED", min(owed, amt))
	}
	if l := s.loan; l != nil && s.dom == l.day && !l.fresh && l.bal < 0 {
		s.transfer(a, l, "LOAN PAYMENT", "PAYMENT RECEIVED", min(-l.bal, l.payment))
	}
	if s.groceryToday() {
		p := s.grocers[r.intn(len(s.grocers))]
		s.purchase(p, s.styled(r.between(22_00, 150_00)))
	}
	// Someone overdrawn spends less.
	restraint := 1
	if a.bal < 0 {
		restraint = 3
	}
	for n, chance := 0, s.smallChance; n < 2 && r.chance(chance); n++ {
		p := s.small[r.intn(len(s.small))]
		s.purchase(p.desc, s.styled(r.between(p.lo, p.hi)))
		chance = 200 / restraint
	}
	if r.chance(s.miscChance / restraint) {
		p := s.misc[r.intn(len(s.misc))]
		amt := s.styled(r.between(p.lo, p.hi))
		if p.round > 0 {
			amt = max(p.round, amt/p.round*p.round)
		}
		s.purchase(p.desc, amt)
	}
	if r.chance(40 / restraint) {
		amt := r.between(20_00, 200_00) / 500 * 500
		s.purchase("INTERAC E-TRF TO "+s.contacts[r.intn(len(s.contacts))], s.styled(amt))
	}
	if s.dom == s.dim {
		s.post(a, "MONTHLY ACCOUNT FEE", -s.fee)
	}

	// The evening before payday, what is left above a cushion goes to
	// savings (or an investment account elsewhere).
	keep := s.scaled(s.keep)
	if s.isPayday(s.d+1) && a.bal > keep+s.scaled(s.pay)/4 {
		amt := (a.bal - keep) / 100_00 * 100_00
		if s.sav != nil {
			s.transfer(a, s.sav, "TRANSFER TO SAVINGS", "TRANSFER FROM CHEQUING", amt)
		} else {
			s.post(a, s.sweepDesc, -amt)
		}
	}
	// Overdrawn at the end of the day: savings, else the line of credit,
	// tops chequing up.
	if a.bal < 0 {
		need := (keep/2 - a.bal + 99_99) / 100_00 * 100_00
		switch {
		case s.sav != nil && s.sav.bal >= 100_00:
			s.transfer(s.sav, a, "TRANSFER TO CHEQUING", "TRANSFER FROM SAVINGS", min(need, s.sav.bal/100_00*100_00))
		case s.line != nil && s.line.limit+s.line.bal >= 100_00:
			room := s.line.limit + s.line.bal
			s.transfer(s.line, a, "ADVANCE TO CHEQUING", "TRANSFER FROM LINE OF CREDIT", min(need, room/100_00*100_00))
		}
	}
}

func (s *history) savingsDay() {
	a := s.sav
	if s.dom != s.dim {
		return
	}
	if a.bal > 0 {
		s.post(a, "INTEREST", connector.Cents(int64(a.bal)*a.rate/120000))
	}
	// Savings beyond a few months of pay are invested elsewhere.
	if limit := 6 * s.scaled(s.pay); a.bal > limit {
		s.post(a, "TRANSFER TO TFSA", -((a.bal - limit/2) / 100_00 * 100_00))
	}
}

func (s *history) cardDay() {
	a := s.card
	r := s.dayRand(a)
	for _, sub := range s.subs {
		if sub.day == s.dom {
			s.post(a, sub.desc, -s.scaled(sub.amount))
		}
	}
	n := 0
	if r.chance(420) {
		n = 1
		if r.chance(180) {
			n = 2
		}
	}
	for ; n > 0; n-- {
		p := s.shops[r.intn(len(s.shops))]
		amt := s.styled(r.between(p.lo, p.hi))
		if a.limit+a.bal >= amt { // declined beyond the limit
			s.post(a, p.desc, -amt)
		}
	}
}

func (s *history) lineDay() {
	a := s.line
	if s.dom == a.day && a.bal < 0 {
		s.post(a, "INTEREST", -connector.Cents(int64(-a.bal)*a.rate/120000))
	}
}

func (s *history) loanDay() {
	a := s.loan
	if s.dom != a.day {
		return
	}
	a.fresh = false
	if a.bal < 0 {
		s.post(a, "INTEREST", -connector.Cents(int64(-a.bal)*a.rate/120000))
		return
	}
	// Paid off: the holder borrows again.
	r := s.dayRand(a)
	principal, months, rate := loanTerms(r)
	principal = s.scaled(principal)
	a.rate = rate
	a.payment = instalment(principal, months, rate)
	a.fresh = true
	s.post(a, "LOAN ADVANCE", -principal)
}

// loanTerms draws a personal loan: principal, months and rate.
func loanTerms(r dayRand) (connector.Cents, int, int64) {
	principal := r.between(5_000_00, 25_000_00) / 500_00 * 500_00
	months := [...]int{36, 48, 60, 72}[r.intn(4)]
	return principal, months, int64(599 + r.intn(600))
}

// instalment is the monthly payment of a loan: the principal spread over
// the term plus the average interest.
func instalment(principal connector.Cents, months int, rate int64) connector.Cents {
	return principal/connector.Cents(months) + connector.Cents(int64(principal)*rate/240000)
}

// account returns the snapshot's view of a.
func (s *history) account(a *histAccount) connector.Account {
	cents := func(c connector.Cents) *connector.Cents { return &c }
	out := connector.Account{
		ID:                guidFrom(a.key, 0xacc0_0000_0000_0000),
		Title:             a.title,
		Category:          a.category,
		Type:              a.typ,
		Currency:          "CAD",
		AccountType:       s.accountType,
		AccountNumber:     a.number,
		TransitNumber:     a.transit,
		InstitutionNumber: institutionNumber(s.institution),
		Current:           cents(a.bal),
		Transactions:      a.txs,
	}
	switch a.kind {
	case kindChequing:
		out.OverdraftLimit = cents(a.overdraft)
		out.Available = cents(a.bal + a.overdraft)
	case kindSavings:
		out.Available = cents(a.bal)
	case kindCard, kindCreditLine:
		out.Limit = cents(a.limit)
		out.Available = cents(a.limit + a.bal)
	}
	// A loan has no limit and nothing available: both are left unknown.
	return out
}

// institutionNumber is the Canadian institution number of a bank.
func institutionNumber(institution string) string {
	switch strings.ToLower(institution) {
	case "bmo":
		return "001"
	case "scotia":
		return "002"
	case "rbc":
		return "003"
	case "td":
		return "004"
	case "national":
		return "006"
	case "cibc":
		return "010"
	case "hsbc":
		return "016"
	case "laurentienne":
		return "039"
	case "tangerine":
		return "614"
	case "desjardins":
		return "815"
	}
	return "777"
}

// newHistory draws the login's holder, accounts and habits, and their
// opening balances on the anchor day.
func newHistory(institution string, seed uint64) *history {
	r := rand.New(rand.NewPCG(seed, mix64(seed)))
	pick := func(list []string) string { return list[r.IntN(len(list))] }
	between := func(lo, hi connector.Cents) connector.Cents { return lo + connector.Cents(r.Int64N(int64(hi-lo)+1)) }
	s := &history{institution: institution, accountType: "Personal", open: -1}

	// Holder.
	c := pickCity(r, institution)
	s.city = c
	french := r.IntN(100) < 15
	if c.prov == "QC" {
		french = r.IntN(100) < 80
	}
	firsts, lasts := englishFirst, englishLast
	if french {
		firsts, lasts = frenchFirst, frenchLast
	}
	first, last := pick(firsts), pick(lasts)
	email := asciiLower(first) + "." + asciiLower(last)
	if r.IntN(2) == 0 {
		email += strconv.Itoa(60 + r.IntN(40))
	}
	domains := []string{"gmail.com", "gmail.com", "outlook.com", "hotmail.com", "icloud.com", "yahoo.ca"}
	if c.isp != "" {
		domains = append(domains, c.isp)
	}
	s.holder = connector.Holder{
		Name:        first + " " + last,
		Email:       email + "@" + pick(domains),
		PhoneNumber: "(" + pick(c.areas) + ") 555-01" + twoDigits(r.IntN(100)),
		Address: connector.Address{
			CivicAddress: strconv.Itoa(1+r.IntN(8999)) + " " + pick(c.streets),
			City:         c.name,
			Province:     c.prov,
			PostalCode:   pick(c.fsas) + " " + postalLDU(r),
			Country:      "CA",
		},
	}

	// Habits, in 2020 dollars.
	s.inflation = int64(18 + r.IntN(20))
	s.pay = between(1_500_00, 3_200_00)
	s.lifestyle = min(1400, max(700, int64(s.pay)*1000/2_300_00))
	s.firstPay = (int(time.Thursday) + r.IntN(2) - int(time.Wednesday)) + 7*r.IntN(2)
	s.payroll = "PAYROLL DEP " + pick(employers)
	if r.IntN(100) < 35 {
		s.housing = s.pay * connector.Cents(70+r.IntN(25)) / 100 / 100_00 * 100_00
		s.housingDesc = "MORTGAGE PAYMENT"
	} else {
		s.housing = s.pay * connector.Cents(55+r.IntN(25)) / 100 / 5_00 * 5_00
		s.housingDesc = "RENT PAD " + pick(landlords)
	}
	s.utility = between(55_00, 140_00)
	s.utilityDay = 3 + r.IntN(22)
	s.utilityDesc = c.utility
	s.phone = between(45_00, 115_00)
	s.phoneDay = 2 + r.IntN(25)
	s.phoneDesc = pick(c.phoneCos)
	s.fee = []connector.Cents{4_00, 10_95, 12_95, 16_95}[r.IntN(4)]
	s.keep = s.pay * connector.Cents(20+r.IntN(40)) / 100
	for _, g := range c.grocers {
		s.grocers = append(s.grocers, g+" #"+strconv.Itoa(10+r.IntN(980))+" "+c.upper)
	}
	for range 4 {
		s.contacts = append(s.contacts, pick(initials)+". "+strings.ToUpper(asciiLower(pick(lasts))))
	}
	s.small = []spend{
		{desc: "TIM HORTONS", lo: 2_50, hi: 14_00},
		{desc: c.transit, lo: 3_25, hi: 12_00},
		{desc: c.convenience, lo: 3_00, hi: 25_00},
		{desc: "A&W", lo: 7_00, hi: 22_00},
		{desc: "SUBWAY", lo: 8_00, hi: 18_00},
	}
	s.misc = []spend{
		{desc: c.pharmacy, lo: 8_00, hi: 60_00},
		{desc: c.liquor, lo: 15_00, hi: 80_00},
		{desc: "DOLLARAMA", lo: 3_00, hi: 30_00},
		{desc: "CANADIAN TIRE", lo: 15_00, hi: 150_00},
		{desc: "WALMART", lo: 20_00, hi: 140_00},
		{desc: "ATM WITHDRAWAL", lo: 20_00, hi: 200_00, round: 20_00},
	}
	s.sweepDesc = pick([]string{"WEALTHSIMPLE INVEST", "TRANSFER TO TFSA", "QUESTRADE CONTRIB"})

	// Accounts: chequing, then a few of the others.
	kinds := []accountKind{kindSavings, kindCard, kindCreditLine, kindLoan}
	r.Shuffle(len(kinds), func(i, j int) { kinds[i], kinds[j] = kinds[j], kinds[i] })
	has := map[accountKind]bool{kindChequing: true}
	for _, k := range kinds[:1+r.IntN(4)] {
		has[k] = true
	}
	transit := strconv.Itoa(10000 + r.IntN(90000))
	for k := kindChequing; k <= kindLoan; k++ {
		a := &histAccount{
			kind:    k,
			key:     mix64(seed ^ uint64(k+1)*0x9e3779b97f4a7c15),
			number:  strconv.Itoa(1000000 + r.IntN(9000000)),
			transit: transit,
		}
		switch k {
		case kindChequing:
			a.title, a.category, a.typ = "Chequing Account", "Operations", "Chequing"
			a.overdraft = []connector.Cents{250_00, 500_00, 500_00, 1_000_00}[r.IntN(4)]
			a.bal = s.pay * connector.Cents(30+r.IntN(90)) / 100
			s.chq = a
		case kindSavings:
			a.title, a.category, a.typ = "High Interest Savings", "Operations", "Savings"
			a.rate = int64(50 + r.IntN(250))
			a.bal = s.pay * connector.Cents(50+r.IntN(350)) / 100
			if has[k] {
				s.sav = a
			}
		case kindCard:
			a.title, a.category, a.typ = pick([]string{"Visa Infinite", "World Elite Mastercard", "Cash Back Visa"}), "Credits", "CreditCard"
			a.transit = strconv.Itoa(10000 + r.IntN(90000))
			a.limit = []connector.Cents{2_000_00, 5_000_00, 7_500_00, 10_000_00, 15_000_00}[r.IntN(5)]
			a.bal = -between(0, 600_00)
			a.day = 5 + r.IntN(20)
			if has[k] {
				s.card = a
				s.cardPay = strings.ToUpper(a.title) + " PAYMENT"
				s.shops = cardShops(c, r)
				s.subs = []subscription{{"NETFLIX.COM", 1 + r.IntN(28), 16_49}}
				if r.IntN(2) == 0 {
					s.subs = append(s.subs, subscription{"SPOTIFY P" + strconv.Itoa(100000+r.IntN(900000)), 1 + r.IntN(28), 10_99})
				}
			}
		case kindCreditLine:
			a.title, a.category, a.typ = "Personal Line of Credit", "Credits", "LineOfCredit"
			a.limit = []connector.Cents{5_000_00, 10_000_00, 15_000_00, 25_000_00}[r.IntN(4)]
			a.bal = -a.limit * connector.Cents(r.IntN(60)) / 100
			a.rate = int64(645 + r.IntN(450))
			a.day = 1 + r.IntN(28)
			if has[k] {
				s.line = a
			}
		case kindLoan:
			a.category = "Credits"
			a.title, a.typ = "Personal Loan", "LoanPersonal"
			if r.IntN(3) == 0 {
				a.title, a.typ = "Instalment Loan", "Loan"
			}
			principal, months, rate := loanTerms(newDayRand(r.Uint64(), r.Uint64()))
			a.rate, a.payment = rate, instalment(principal, months, rate)
			a.bal = -principal * connector.Cents(10+r.IntN(85)) / 100
			a.day = 1 + r.IntN(28)
			if has[k] {
				s.loan = a
			}
		}
		s.drawn[k] = a
		if has[k] {
			s.accounts = append(s.accounts, a)
		}
	}
	s.smallChance, s.miscChance = 850, 250
	if s.card != nil {
		s.smallChance, s.miscChance = 800, 120
	}
	return s
}

// cardShops are the credit card's merchants for a holder living in c.
func cardShops(c *place, r *rand.Rand) []spend {
	shops := []spend{
		{desc: "TIM HORTONS #" + strconv.Itoa(1000+r.IntN(9000)), lo: 3_00, hi: 18_00},
		{desc: "STARBUCKS", lo: 4_00, hi: 15_00},
		{desc: "UBER EATS", lo: 18_00, hi: 65_00},
		{desc: "SKIPTHEDISHES", lo: 18_00, hi: 60_00},
		{desc: "MCDONALD'S", lo: 6_00, hi: 25_00},
		{desc: c.restaurant, lo: 25_00, hi: 120_00},
		{desc: "AMAZON.CA", lo: 12_00, hi: 140_00},
		{desc: "AMAZON.CA MARKETPLACE", lo: 10_00, hi: 90_00},
		{desc: "APPLE.COM/BILL", lo: 1_39, hi: 14_99},
		{desc: "COSTCO WHOLESALE", lo: 60_00, hi: 260_00},
		{desc: "SHOPPERS DRUG MART", lo: 8_00, hi: 70_00},
		{desc: "UBER CANADA/UBERTRIP", lo: 9_00, hi: 45_00},
	}
	for _, g := range c.gas {
		shops = append(shops, spend{desc: g, lo: 30_00, hi: 90_00})
	}
	return shops
}

// asciiLower is s in lower-case ASCII letters, for an email address.
func asciiLower(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch r {
		case 'à', 'â', 'ä':
			r = 'a'
		case 'é', 'è', 'ê', 'ë':
			r = 'e'
		case 'î', 'ï':
			r = 'i'
		case 'ô', 'ö':
			r = 'o'
		case 'ù', 'û', 'ü':
			r = 'u'
		case 'ç':
			r = 'c'
		}
		if r >= 'a' && r <= 'z' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func twoDigits(n int) string {
	return string([]byte{byte('0' + n/10), byte('0' + n%10)})
}

// postalLDU draws the second half of a postal code: digit, letter, digit,
// with the letters Canada Post uses.
func postalLDU(r *rand.Rand) string {
	const letters = "ABCEGHJKLMNPRSTVWXYZ"
	return string([]byte{byte('0' + r.IntN(10)), letters[r.IntN(len(letters))], byte('0' + r.IntN(10))})
}

// pickCity draws the holder's city, weighted by population; the Québec
// banks' customers mostly live in Québec.
func pickCity(r *rand.Rand, institution string) *place {
	quebec := false
	switch strings.ToLower(institution) {
	case "national", "laurentienne", "desjardins":
		quebec = r.IntN(100) < 75
	}
	total := 0
	for i := range places {
		if !quebec || places[i].prov == "QC" {
			total += places[i].weight
		}
	}
	n := r.IntN(total)
	for i := range places {
		if quebec && places[i].prov != "QC" {
			continue
		}
		if n -= places[i].weight; n < 0 {
			return &places[i]
		}
	}
	return &places[0]
}

// place is a city and what its residents pay and where they shop.
type place struct {
	name, prov, upper string
	weight            int
	fsas, areas       []string
	streets           []string
	isp               string // a local email domain, or ""
	utility           string
	phoneCos          []string
	grocers           []string
	pharmacy, liquor  string
	restaurant        string
	transit           string
	convenience       string
	gas               []string
}

var places = []place{
	{
		name: "Montréal", prov: "QC", upper: "MONTREAL", weight: 18,
		fsas: []string{"H2X", "H2J", "H2T", "H3B", "H1V", "H4A", "H2L"}, areas: []string{"514", "438"},
		streets:  []string{"rue Saint-Denis", "boulevard Saint-Laurent", "avenue du Mont-Royal Est", "rue Sherbrooke Ouest", "rue Ontario Est", "avenue des Canadiens-de-Montréal"},
		isp:      "videotron.ca",
		utility:  "HYDRO-QUEBEC",
		phoneCos: []string{"BELL MOBILITE", "VIDEOTRON", "FIZZ"},
		grocers:  []string{"IGA", "METRO", "MAXI", "SUPER C"},
		pharmacy: "PHARMAPRIX", liquor: "SAQ", restaurant: "RESTAURANT L'EXPRESS",
		transit: "STM", convenience: "COUCHE-TARD",
		gas: []string{"PETRO-CANADA", "ULTRAMAR", "COUCHE-TARD"},
	},
	{
		name: "Québec", prov: "QC", upper: "QUEBEC", weight: 6,
		fsas: []string{"G1R", "G1K", "G1S", "G1L"}, areas: []string{"418", "581"},
		streets:  []string{"rue Saint-Jean", "Grande Allée Est", "chemin Sainte-Foy", "boulevard Charest Est"},
		isp:      "videotron.ca",
		utility:  "HYDRO-QUEBEC",
		phoneCos: []string{"BELL MOBILITE", "VIDEOTRON"},
		grocers:  []string{"IGA", "METRO", "MAXI", "SUPER C"},
		pharmacy: "JEAN COUTU", liquor: "SAQ", restaurant: "CHEZ ASHTON",
		transit: "RTC", convenience: "COUCHE-TARD",
		gas: []string{"ULTRAMAR", "PETRO-CANADA", "SHELL"},
	},
	{
		name: "Sherbrooke", prov: "QC", upper: "SHERBROOKE", weight: 2,
		fsas: []string{"J1H", "J1E", "J1J"}, areas: []string{"819", "873"},
		streets:  []string{"rue King Ouest", "rue Wellington Nord", "boulevard de Portland"},
		utility:  "HYDRO-QUEBEC",
		phoneCos: []string{"BELL MOBILITE", "VIDEOTRON"},
		grocers:  []string{"IGA", "METRO", "MAXI"},
		pharmacy: "JEAN COUTU", liquor: "SAQ", restaurant: "RESTAURANT LE BOUCHON",
		transit: "STS", convenience: "COUCHE-TARD",
		gas: []string{"ULTRAMAR", "ESSO"},
	},
	{
		name: "Toronto", prov: "ON", upper: "TORONTO", weight: 25,
		fsas: []string{"M5V", "M4Y", "M6G", "M4E", "M5T", "M6J"}, areas: []string{"416", "647", "437"},
		streets:  []string{"Queen St W", "Dundas St W", "Bloor St W", "King St E", "Danforth Ave"},
		isp:      "rogers.com",
		utility:  "TORONTO HYDRO",
		phoneCos: []string{"ROGERS", "BELL CANADA", "FIDO"},
		grocers:  []string{"LOBLAWS", "METRO", "NO FRILLS", "SOBEYS", "FOOD BASICS"},
		pharmacy: "SHOPPERS DRUG MART", liquor: "LCBO", restaurant: "PAI NORTHERN THAI",
		transit: "PRESTO FARE/TTC", convenience: "CIRCLE K",
		gas: []string{"PETRO-CANADA", "ESSO", "SHELL"},
	},
	{
		name: "Ottawa", prov: "ON", upper: "OTTAWA", weight: 7,
		fsas: []string{"K1P", "K1N", "K2P", "K1S", "K1R"}, areas: []string{"613", "343"},
		streets:  []string{"Bank St", "Elgin St", "Somerset St W", "Wellington St W"},
		isp:      "sympatico.ca",
		utility:  "HYDRO OTTAWA",
		phoneCos: []string{"ROGERS", "BELL CANADA"},
		grocers:  []string{"LOBLAWS", "METRO", "FARM BOY", "FRESHCO"},
		pharmacy: "SHOPPERS DRUG MART", liquor: "LCBO", restaurant: "THE KEG OTTAWA",
		transit: "OC TRANSPO", convenience: "CIRCLE K",
		gas: []string{"PETRO-CANADA", "ESSO", "SHELL"},
	},
	{
		name: "Hamilton", prov: "ON", upper: "HAMILTON", weight: 4,
		fsas: []string{"L8P", "L8R", "L9A"}, areas: []string{"905", "289"},
		streets:  []string{"King St W", "James St N", "Locke St S"},
		utility:  "ALECTRA UTILITIES",
		phoneCos: []string{"ROGERS", "BELL CANADA"},
		grocers:  []string{"FORTINOS", "FOOD BASICS", "NO FRILLS"},
		pharmacy: "SHOPPERS DRUG MART", liquor: "LCBO", restaurant: "MULBERRY STREET",
		transit: "PRESTO FARE/HSR", convenience: "CIRCLE K",
		gas: []string{"PETRO-CANADA", "ESSO"},
	},
	{
		name: "London", prov: "ON", upper: "LONDON", weight: 3,
		fsas: []string{"N6A", "N6B", "N5Y"}, areas: []string{"519", "226"},
		streets:  []string{"Richmond St", "Dundas St", "Wellington Rd"},
		utility:  "LONDON HYDRO",
		phoneCos: []string{"ROGERS", "BELL CANADA"},
		grocers:  []string{"LOBLAWS", "FOOD BASICS", "SOBEYS"},
		pharmacy: "SHOPPERS DRUG MART", liquor: "LCBO", restaurant: "ABRUZZI RISTORANTE",
		transit: "LONDON TRANSIT", convenience: "CIRCLE K",
		gas: []string{"PETRO-CANADA", "SHELL"},
	},
	{
		name: "Sudbury", prov: "ON", upper: "SUDBURY", weight: 1,
		fsas: []string{"P3A", "P3E"}, areas: []string{"705", "249"},
		streets:  []string{"Elm St", "Regent St", "Notre Dame Ave"},
		utility:  "GREATER SUDBURY HYDRO",
		phoneCos: []string{"BELL CANADA", "ROGERS"},
		grocers:  []string{"METRO", "FOOD BASICS", "NO FRILLS"},
		pharmacy: "SHOPPERS DRUG MART", liquor: "LCBO", restaurant: "THE DOWNTOWN GRILL",
		transit: "GOVA TRANSIT", convenience: "CIRCLE K",
		gas: []string{"PETRO-CANADA", "ESSO"},
	},
	{
		name: "Vancouver", prov: "BC", upper: "VANCOUVER", weight: 12,
		fsas: []string{"V6B", "V5K", "V6K", "V5T", "V6J"}, areas: []string{"604", "778", "236"},
		streets:  []string{"W Broadway", "Commercial Dr", "Main St", "Davie St", "W 4th Ave"},
		isp:      "shaw.ca",
		utility:  "BC HYDRO",
		phoneCos: []string{"TELUS MOBILITY", "ROGERS", "FREEDOM MOBILE"},
		grocers:  []string{"SAFEWAY", "SAVE-ON-FOODS", "T&T SUPERMARKET", "NO FRILLS"},
		pharmacy: "LONDON DRUGS", liquor: "BC LIQUOR STORES", restaurant: "MIKU VANCOUVER",
		transit: "COMPASS VENDING", convenience: "7-ELEVEN",
		gas: []string{"CHEVRON", "PETRO-CANADA", "ESSO", "SHELL"},
	},
	{
		name: "Calgary", prov: "AB", upper: "CALGARY", weight: 8,
		fsas: []string{"T2P", "T2S", "T3A", "T2E"}, areas: []string{"403", "587", "825"},
		streets:  []string{"17 Ave SW", "Macleod Trail SE", "Kensington Rd NW", "Centre St N"},
		isp:      "shaw.ca",
		utility:  "ENMAX",
		phoneCos: []string{"TELUS MOBILITY", "ROGERS"},
		grocers:  []string{"SAFEWAY", "CALGARY CO-OP", "SUPERSTORE", "SOBEYS"},
		pharmacy: "SHOPPERS DRUG MART", liquor: "CO-OP WINE SPIRITS", restaurant: "CHARCUT ROAST HOUSE",
		transit: "CALGARY TRANSIT", convenience: "7-ELEVEN",
		gas: []string{"PETRO-CANADA", "SHELL", "HUSKY"},
	},
	{
		name: "Edmonton", prov: "AB", upper: "EDMONTON", weight: 7,
		fsas: []string{"T5J", "T5K", "T6E"}, areas: []string{"780", "587", "825"},
		streets:  []string{"Jasper Ave NW", "Whyte Ave NW", "124 St NW"},
		isp:      "telus.net",
		utility:  "EPCOR",
		phoneCos: []string{"TELUS MOBILITY", "ROGERS"},
		grocers:  []string{"SAFEWAY", "SOBEYS", "SUPERSTORE", "SAVE-ON-FOODS"},
		pharmacy: "SHOPPERS DRUG MART", liquor: "LIQUOR DEPOT", restaurant: "THE CANTEEN",
		transit: "EDMONTON TRANSIT", convenience: "7-ELEVEN",
		gas: []string{"PETRO-CANADA", "ESSO", "HUSKY"},
	},
	{
		name: "Halifax", prov: "NS", upper: "HALIFAX", weight: 3,
		fsas: []string{"B3H", "B3K", "B3L", "B3J"}, areas: []string{"902", "782"},
		streets:  []string{"Spring Garden Rd", "Barrington St", "Quinpool Rd", "Robie St"},
		isp:      "eastlink.ca",
		utility:  "NS POWER",
		phoneCos: []string{"EASTLINK", "BELL ALIANT"},
		grocers:  []string{"SOBEYS", "ATLANTIC SUPERSTORE", "FOODLAND"},
		pharmacy: "LAWTONS DRUGS", liquor: "NSLC", restaurant: "THE BICYCLE THIEF",
		transit: "HALIFAX TRANSIT", convenience: "NEEDS CONVENIENCE",
		gas: []string{"IRVING", "ESSO", "ULTRAMAR"},
	},
	{
		name: "Winnipeg", prov: "MB", upper: "WINNIPEG", weight: 5,
		fsas: []string{"R3C", "R3M", "R2W", "R3L"}, areas: []string{"204", "431"},
		streets:  []string{"Portage Ave", "Corydon Ave", "Osborne St", "Main St"},
		utility:  "MANITOBA HYDRO",
		phoneCos: []string{"BELL MTS", "ROGERS"},
		grocers:  []string{"SAFEWAY", "SOBEYS", "REAL CDN SUPERSTORE", "FOOD FARE"},
		pharmacy: "SHOPPERS DRUG MART", liquor: "LIQUOR MART", restaurant: "DEER + ALMOND",
		transit: "WINNIPEG TRANSIT", convenience: "7-ELEVEN",
		gas: []string{"PETRO-CANADA", "SHELL", "CO-OP GAS BAR"},
	},
	{
		name: "Saskatoon", prov: "SK", upper: "SASKATOON", weight: 2,
		fsas: []string{"S7K", "S7N", "S7H"}, areas: []string{"306", "639"},
		streets:  []string{"Broadway Ave", "2nd Ave N", "8th St E"},
		utility:  "SASKPOWER",
		phoneCos: []string{"SASKTEL"},
		grocers:  []string{"SAFEWAY", "SOBEYS", "SASKATOON CO-OP"},
		pharmacy: "SHOPPERS DRUG MART", liquor: "SLGA", restaurant: "ODD COUPLE",
		transit: "SASKATOON TRANSIT", convenience: "7-ELEVEN",
		gas: []string{"CO-OP GAS BAR", "HUSKY", "ESSO"},
	},
	{
		name: "St. John's", prov: "NL", upper: "ST JOHNS", weight: 1,
		fsas: []string{"A1C", "A1B", "A1E"}, areas: []string{"709"},
		streets:  []string{"Water St", "Duckworth St", "Elizabeth Ave"},
		utility:  "NEWFOUNDLAND POWER",
		phoneCos: []string{"BELL ALIANT", "ROGERS"},
		grocers:  []string{"SOBEYS", "DOMINION", "COLEMANS"},
		pharmacy: "LAWTONS DRUGS", liquor: "NLC", restaurant: "MALLARD COTTAGE",
		transit: "METROBUS TRANSIT", convenience: "NEEDS CONVENIENCE",
		gas: []string{"IRVING", "ULTRAMAR", "ESSO"},
	},
	{
		name: "Moncton", prov: "NB", upper: "MONCTON", weight: 1,
		fsas: []string{"E1C", "E1A", "E1E"}, areas: []string{"506"},
		streets:  []string{"Main St", "Mountain Rd", "St George St"},
		utility:  "NB POWER",
		phoneCos: []string{"BELL ALIANT", "ROGERS"},
		grocers:  []string{"SOBEYS", "ATLANTIC SUPERSTORE", "CO-OP"},
		pharmacy: "JEAN COUTU", liquor: "ANBL", restaurant: "CAVERN BAR",
		transit: "CODIAC TRANSPO", convenience: "NEEDS CONVENIENCE",
		gas: []string{"IRVING", "ULTRAMAR"},
	},
	{
		name: "Charlottetown", prov: "PE", upper: "CHARLOTTETOWN", weight: 1,
		fsas: []string{"C1A", "C1E"}, areas: []string{"902", "782"},
		streets:  []string{"Queen St", "Grafton St", "University Ave"},
		utility:  "MARITIME ELECTRIC",
		phoneCos: []string{"EASTLINK", "BELL ALIANT"},
		grocers:  []string{"SOBEYS", "ATLANTIC SUPERSTORE"},
		pharmacy: "SHOPPERS DRUG MART", liquor: "PEI LIQUOR", restaurant: "THE GAHAN HOUSE",
		transit: "T3 TRANSIT", convenience: "NEEDS CONVENIENCE",
		gas: []string{"IRVING", "ESSO"},
	},
}

var (
	englishFirst = []string{"Emma", "Liam", "Olivia", "Noah", "Sarah", "James", "Emily", "Michael", "Jessica", "David", "Priya", "Raj", "Wei", "Mei", "Daniel", "Hannah", "Ethan", "Aisha", "Mohammed", "Fatima", "Lucas", "Ava", "Ryan", "Megan"}
	englishLast  = []string{"Smith", "Brown", "Martin", "Wilson", "MacDonald", "Taylor", "Campbell", "Anderson", "Lee", "Singh", "Nguyen", "Patel", "Wong", "Thompson", "Johnson", "Williams", "Clarke", "Murphy", "Kelly", "Chen", "Fraser", "Stewart"}
	frenchFirst  = []string{"Marie", "Jean", "Sophie", "Mathieu", "Catherine", "François", "Isabelle", "Louis", "Geneviève", "Étienne", "Julie", "Philippe", "Chloé", "Gabriel", "Émilie", "Olivier", "Nathalie", "Alexandre", "Léa", "Félix"}
	frenchLast   = []string{"Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie", "Fortin", "Gagné", "Ouellet", "Pelletier", "Bélanger", "Lévesque", "Bergeron", "Leblanc", "Paquette", "Girard", "Simard", "Boucher"}
	initials     = []string{"A", "B", "C", "D", "E", "F", "G", "J", "K", "L", "M", "N", "P", "R", "S", "T", "V"}
	employers    = []string{"ACME CORP", "NORTHWIND LTD", "CGI INC", "GOVT CANADA", "MAPLE LEAF FOODS", "SHOPIFY INC", "CANADIAN TIRE CORP", "BOMBARDIER INC", "LOBLAW COS", "BELL CANADA", "CN RAIL", "SUN LIFE", "UNIVERSITY HEALTH", "CITY OF OTTAWA"}
	landlords    = []string{"CAPREIT", "MINTO PROPERTIES", "GESTION ROYALE INC", "BOARDWALK RENTAL", "GOLDEN PROPERTIES", "SKYLINE LIVING", "HOMESTEAD LAND"}
)

// clockPoll is how often a wait looks at the server's clock.
const clockPoll = 20 * time.Millisecond

// wait returns once d has passed, or once the server's clock (WithClock)
// reads until or later, or when ctx ends.
func (c *Connector) wait(ctx context.Context, until time.Time, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	var tick <-chan time.Time
	if c.now != nil {
		tk := time.NewTicker(clockPoll)
		defer tk.Stop()
		tick = tk.C
	}
	for {
		if c.now != nil && !c.now().Before(until) {
			return nil
		}
		select {
		case <-t.C:
			return nil
		case <-tick:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
