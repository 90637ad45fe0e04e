package accounts

import (
	"encoding/base64"
	"fmt"
	"time"

	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/statement"
)

// Statements renders, for each account of snap in order, its monthly PDF
// statements (newest month first) for the o.Statements most recent complete
// months as of now (statement.Months), with statement.Render. institution
// is the bank's display name printed on the statement. snap must hold the
// accounts' full transactions (not windowed), enough to cover the months
// asked for: a month's opening balance comes from the transaction before
// it. A month without transactions still gets its statement, as a bank
// issues one.
func Statements(snap *connector.Snapshot, institution string, o Options, now time.Time) ([]flinks.AccountStatements, error) {
	months := statement.Months(now, o.Statements)
	out := make([]flinks.AccountStatements, 0, len(snap.Accounts))
	for _, a := range snap.Accounts {
		as := flinks.AccountStatements{AccountNumber: a.AccountNumber, Statements: make([]flinks.Statement, 0, len(months))}
		for _, m := range months {
			pdf, err := statement.Render(statement.Statement{Institution: institution, Holder: snap.Holder, Account: a, Month: m})
			if err != nil {
				return nil, fmt.Errorf("accounts: statement of account %s for %s: %w", a.ID, m.Format("2006-01"), err)
			}
			as.Statements = append(as.Statements, flinks.Statement{
				UniqueId:    statement.UniqueID(a.ID, m),
				FileType:    "PDF",
				Base64Bytes: base64.StdEncoding.EncodeToString(pdf),
			})
		}
		out = append(out, as)
	}
	return out, nil
}

// HistoryDays is how many calendar days of history a fetch must collect so
// that every option works: Days365 and Months12 statements (12 complete
// months before now's month, plus the day before the first of them so that
// the opening balance is known). It depends on now (months differ in
// length).
func HistoryDays(now time.Time) int {
	months := statement.Months(now, 12)
	eve := months[len(months)-1].AddDate(0, 0, -1)
	days := int(day(now).Sub(eve)/(24*time.Hour)) + 1
	// Twelve months and a day always exceed a year, so Days365 is covered
	// too; max keeps that true should statements ever ask for less.
	return max(days, 365)
}
