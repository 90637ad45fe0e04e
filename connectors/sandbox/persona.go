package sandbox

import (
	"math/rand/v2"
	"time"

	"github.com/bankfeed/bankfeed/connector"
)

// A persona is a history profile a scenario user selects with "Persona": a
// kind of customer whose data exercise the attributes a lender reads
// (docs/sandbox.md lists the built-in ones and the values to expect). It
// starts from the login's default draws and changes its accounts and
// flows; whatever it draws comes from generators of its own, so the
// default history of a user without a persona is untouched, and a
// persona's history is as deterministic and as stable across refreshes as
// any.
type persona struct {
	// business marks a business's accounts (AccountType Business); the
	// user must then be of Type Business.
	business bool
	// kinds are the login's accounts, chequing first.
	kinds []accountKind
	// noPayroll replaces the biweekly pay by the persona's own income.
	noPayroll bool
	// setup changes the drawn habits; r is the persona's generator.
	setup func(s *history, r *rand.Rand, linked time.Time)
	// day plays the persona's flows on chequing, after the pay.
	day func(s *history, r dayRand)
	// opening plays the day the accounts are opened (history.open).
	opening func(s *history)
}

// personaOrder lists the personas as the documentation does.
var personaOrder = []string{"salaried", "gig", "borrower", "business", "newcomer"}

func personaNames() []string { return append([]string(nil), personaOrder...) }

var personas = map[string]*persona{
	// A salaried employee: one employer paying every two weeks, and
	// savings that cover the dips.
	"salaried": {
		kinds: []accountKind{kindChequing, kindSavings},
		setup: func(s *history, r *rand.Rand, _ time.Time) {
			s.pay = 2_600_00 + connector.Cents(r.IntN(400_00))
			s.keep = s.pay / 2
			s.chq.bal = s.pay
			s.sav.bal = 4 * s.pay
		},
	},
	// A gig worker: no employer, payouts from three delivery and ride
	// platforms on days no calendar predicts.
	"gig": {
		kinds:     []accountKind{kindChequing},
		noPayroll: true,
		day: func(s *history, r dayRand) {
			// Each platform pays its share of about a biweekly pay's worth
			// every fourteen days, on days of its own chance.
			for _, g := range gigPlatforms {
				if r.chance(g.chance) {
					mean := int64(s.scaled(s.pay)) * g.share / 100 * 1000 / 14 / int64(g.chance)
					s.post(s.chq, g.desc, connector.Cents(mean*int64(50+r.intn(101))/100))
				}
			}
		},
	},
	// A borrower: rent that takes most of the pay, what is left sent to
	// family before each payday, a small overdraft and nothing to fall back
	// on, so bills bounce (NSF fees), and a payday loan taken four days
	// before every other payday and repaid on it.
	"borrower": {
		kinds: []accountKind{kindChequing},
		setup: func(s *history, r *rand.Rand, _ time.Time) {
			s.pay = 1_500_00 + connector.Cents(r.IntN(200_00))
			s.housing = s.pay * 125 / 100 / 5_00 * 5_00
			s.housingDesc = "RENT PAD " + landlords[r.IntN(len(landlords))]
			s.chq.overdraft = 100_00
			s.chq.bal = s.pay / 4
			// What is left before payday goes to family abroad.
			s.keep = s.pay / 10
			s.sweepDesc = "WESTERN UNION TRANSFER"
		},
		day: func(s *history, _ dayRand) {
			// Paydays fall on 0 and 14 of the 28-day cycle: the advance
			// on day 10, repaid on the payday four days later.
			switch (s.d - s.firstPay) % 28 {
			case 10:
				if s.d > s.firstPay {
					s.post(s.chq, "CASH MONEY PAYDAY ADVANCE", paydayAdvance)
				}
			case 14:
				if s.d > s.firstPay {
					s.debit("CASH MONEY PAYDAY LOAN PAYMENT", paydayAdvance+paydayCost)
				}
			}
		},
	},
	// A small business: no pay, card and e-commerce deposits on weekdays,
	// its staff's payroll every two weeks and its supplier, a business
	// card and a line of credit.
	"business": {
		business:  true,
		kinds:     []accountKind{kindChequing, kindCard, kindCreditLine},
		noPayroll: true,
		setup: func(s *history, r *rand.Rand, _ time.Time) {
			s.pay = 3_000_00 + connector.Cents(r.IntN(1_000_00))
			s.housing = s.pay / 5_00 * 5_00
			s.housingDesc = "RENT PAD " + landlords[r.IntN(len(landlords))]
			s.keep = 3 * s.pay
			s.chq.bal = 3 * s.pay
			s.chq.title = "Business Chequing"
			s.card.title = "Business Visa"
			s.cardPay = "BUSINESS VISA PAYMENT"
			s.line.title = "Business Line of Credit"
			s.sweepDesc = "TRANSFER TO BUSINESS SAVINGS"
		},
		day: func(s *history, r dayRand) {
			weekday := (s.d + 2) % 7 // 0 is Monday; the anchor is a Wednesday
			if weekday < 5 {
				s.post(s.chq, "SQUARE DEPOSIT", s.scaled(s.pay)*connector.Cents(20+r.intn(21))/100)
				if weekday == 1 || weekday == 4 {
					s.post(s.chq, "STRIPE PAYOUT", s.scaled(s.pay)*connector.Cents(15+r.intn(26))/100)
				}
			}
			if s.isPayday(s.d) {
				s.debit("ADP PAYROLL SERVICES", s.scaled(s.pay)*12/10)
			}
			if s.dom == 15 {
				s.debit("GRAND & TOY SUPPLIES", s.scaled(s.pay)*connector.Cents(30+r.intn(31))/100)
			}
		},
	},
	// A newcomer to Canada: accounts opened 24 days before the login is
	// linked with money wired from abroad, a first employer whose pay
	// starts ten days later, and a secured credit card: 25 days of history
	// when the login is linked.
	"newcomer": {
		kinds: []accountKind{kindChequing, kindCard},
		setup: func(s *history, r *rand.Rand, linked time.Time) {
			s.open = int(epochDay(linked)-anchorEpochDay) - newcomerDays + 1
			s.firstPay = s.open + 10
			s.pay = 1_800_00 + connector.Cents(r.IntN(600_00))
			for _, a := range s.accounts {
				a.bal = 0
			}
			s.card.title = "Secured Visa"
			s.cardPay = "SECURED VISA PAYMENT"
			s.card.limit = 1_000_00
		},
		opening: func(s *history) {
			s.post(s.chq, "INTL WIRE TRANSFER IN", s.scaled(s.pay)*3)
		},
	},
}

const (
	// paydayAdvance and paydayCost are the borrower's payday loan and what
	// it costs ($15 per $100, the Ontario maximum).
	paydayAdvance connector.Cents = 500_00
	paydayCost    connector.Cents = 75_00
	// newcomerDays is the newcomer's history when the login is linked.
	newcomerDays = 25
	// personaKey seeds a persona's generators apart from the defaults'.
	personaKey = 0x7065_7273_6f6e_6100
)

// gigPlatforms pay the gig worker: a share of the income, and the chance
// per mille of a payout on a given day.
var gigPlatforms = []struct {
	desc   string
	share  int64
	chance int
}{
	{"UBER DRIVER PAYOUT", 50, 300},
	{"DOORDASH DASHER PAYOUT", 35, 180},
	{"SKIPTHEDISHES COURIER PAYOUT", 15, 80},
}

// apply turns a drawn history into the persona's.
func (p *persona) apply(s *history, seed uint64, linked time.Time) {
	r := rand.New(rand.NewPCG(seed^personaKey, mix64(seed^personaKey)))
	s.persona = p
	if p.business {
		s.accountType = "Business"
	}
	s.accounts = s.accounts[:0]
	s.sav, s.card, s.line, s.loan = nil, nil, nil, nil
	for _, k := range p.kinds {
		a := s.drawn[k]
		s.accounts = append(s.accounts, a)
		switch k {
		case kindSavings:
			s.sav = a
		case kindCard:
			s.card = a
			if s.shops == nil { // the default draws had no card
				s.cardPay = "VISA PAYMENT"
				s.shops = cardShops(s.city, r)
				s.subs = []subscription{{"NETFLIX.COM", 1 + r.IntN(28), 16_49}}
			}
		case kindCreditLine:
			s.line = a
		case kindLoan:
			s.loan = a
		}
	}
	s.smallChance, s.miscChance = 850, 250
	if s.card != nil {
		s.smallChance, s.miscChance = 800, 120
	}
	if p.setup != nil {
		p.setup(s, r, linked)
	}
	s.lifestyle = min(1400, max(700, int64(s.pay)*1000/2_300_00))
}

// personaDay plays the persona's flows of the current day on chequing.
func (s *history) personaDay() {
	if s.persona == nil || s.persona.day == nil {
		return
	}
	k := s.chq.key ^ personaKey
	s.persona.day(s, newDayRand(k, mix64(k^uint64(anchorEpochDay+s.d))))
}
