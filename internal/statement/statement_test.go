package statement_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/internal/statement"
)

// ---------------------------------------------------------------------------
// Fixtures

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func cents(v connector.Cents) *connector.Cents { return &v }

// entry is a transaction before its running balance is known.
type entry struct {
	date   time.Time
	desc   string
	debit  connector.Cents
	credit connector.Cents
}

// account builds a chequing account from entries given oldest first,
// starting from opening: the transactions come out newest first with
// consistent running balances, as connector.Account has them.
func account(opening connector.Cents, entries []entry) connector.Account {
	bal := opening
	txns := make([]connector.Transaction, 0, len(entries))
	for i, e := range entries {
		bal += e.credit - e.debit
		txns = append(txns, connector.Transaction{
			ID:          fmt.Sprintf("txn-%04d", i),
			Date:        e.date,
			Description: e.desc,
			Debit:       e.debit,
			Credit:      e.credit,
			Balance:     bal,
		})
	}
	slices.Reverse(txns)
	return connector.Account{
		ID:                "5f0f6b1c-3c59-4f0e-9d7a-2c6a3b1e9d01",
		Title:             "Compte chèques Élite",
		Category:          "Operations",
		Type:              "Chequing",
		Currency:          "CAD",
		AccountType:       "Personal",
		AccountNumber:     "0012-345-6789",
		TransitNumber:     "12345",
		InstitutionNumber: "777",
		Current:           cents(bal),
		Available:         cents(bal),
		Transactions:      txns,
	}
}

var holder = connector.Holder{
	Name:        "Zoé Lefèvre-Côté",
	Email:       "zoe@example.ca",
	PhoneNumber: "(514) 333-7777",
	Address: connector.Address{
		CivicAddress: "1234, rue Sainte-Catherine Ouest, app. 56",
		City:         "Montréal",
		Province:     "QC",
		PostalCode:   "H3B 5E8",
		Country:      "CA",
	},
}

// threeMonths returns entries over July, August and October 2026, with no
// transaction in September: 51 transactions, accented descriptions, one
// long enough to wrap, and an overdraft (negative balance) in July.
func threeMonths() []entry {
	type tpl struct {
		day    int
		desc   string
		debit  bool
		amount connector.Cents
	}
	base := []tpl{
		{1, "Loyer — Gestion Immobilière Québec", true, 135000},
		{2, "Paie — Société de transport de Montréal", false, 241263},
		{3, "Épicerie Métro Côte-des-Neiges", true, 8734},
		{4, "Hydro-Québec facture", true, 6412},
		{6, "Virement Interac reçu de Amélie Bérubé", false, 4500},
		{8, "Café Olimpico Montréal", true, 575},
		{9, "Pharmacie Jean Coutu Trois-Rivières", true, 2318},
		{11, "Retrait GAB Place Ville-Marie", true, 10000},
		{13, "Paiement préautorisé — Assurance habitation Desjardins Groupe d'assurances générales, police n° 4471-0098-12", true, 9877},
		{15, "Vidéotron Ltée", true, 11499},
		{16, "Paie — Société de transport de Montréal", false, 241263},
		{18, "Restaurant L'Express Montréal", true, 6890},
		{20, "SAQ Sélection Laurier", true, 4225},
		{22, "Remboursement impôt — Revenu Québec", false, 31250},
		{24, "Station-service Ultramar Lévis", true, 7102},
		{27, "Frais mensuels du forfait", true, 1695},
		{28, "Intérêts créditeurs", false, 12},
	}
	var out []entry
	for mi, m := range []time.Month{time.July, time.August, time.October} {
		for i, t := range base {
			if mi == 1 && i == 5 { // August has one transaction fewer
				continue
			}
			amount := t.amount + connector.Cents(mi*37*(i%5))
			e := entry{date: day(2026, m, t.day), desc: t.desc}
			if t.debit {
				e.debit = amount
			} else {
				e.credit = amount
			}
			out = append(out, e)
		}
		// A cheque whose number is unique to the month.
		out = append(out, entry{date: day(2026, m, 28), desc: fmt.Sprintf("Chèque n° %d", 1001+mi), debit: connector.Cents(2500 + mi*100)})
	}
	return out
}

// fixture is the three-month account's statement for month.
func fixture(month time.Time) statement.Statement {
	return statement.Statement{
		Institution: "Flinks Capital",
		Holder:      holder,
		Account:     account(25000, threeMonths()),
		Month:       month,
	}
}

// busy returns a statement for March 2026 with n transactions in the month
// (and some before and after it), each with a unique description.
func busy(n int) statement.Statement {
	var es []entry
	es = append(es, entry{date: day(2026, 2, 27), desc: "Dépôt février", credit: 500000})
	for i := 0; i < n; i++ {
		e := entry{date: day(2026, 3, 1+i*31/n), desc: fmt.Sprintf("Achat n° %03d Dépanneur Chez Réjean", i+1)}
		if i%4 == 0 {
			e.desc = fmt.Sprintf("Dépôt mobile n° %03d", i+1)
			e.credit = connector.Cents(10000 + i*17)
		} else {
			e.debit = connector.Cents(1000 + i*13)
		}
		es = append(es, e)
	}
	es = append(es, entry{date: day(2026, 4, 1), desc: "Dépôt avril", credit: 100})
	return statement.Statement{
		Institution: "Flinks Capital",
		Holder:      holder,
		Account:     account(100000, es),
		Month:       day(2026, 3, 15),
	}
}

// monthTxns returns the account's transactions of month, oldest first.
func monthTxns(a connector.Account, month time.Time) []connector.Transaction {
	var out []connector.Transaction
	for _, t := range a.Transactions {
		if t.Date.Year() == month.Year() && t.Date.Month() == month.Month() {
			out = append(out, t)
		}
	}
	slices.Reverse(out)
	return out
}

// money formats an amount the way a statement should, independently of the
// package: "$1,234.56", "-$12.00".
func money(c connector.Cents) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	whole := strconv.FormatInt(int64(c/100), 10)
	for i := len(whole) - 3; i > 0; i -= 3 {
		whole = whole[:i] + "," + whole[i:]
	}
	return fmt.Sprintf("%s$%s.%02d", sign, whole, int64(c%100))
}

// parseMoney reads an amount formatted as by money.
func parseMoney(t *testing.T, s string) connector.Cents {
	t.Helper()
	neg := strings.HasPrefix(s, "-")
	v := strings.NewReplacer("-", "", "$", "", ",", "", ".", "").Replace(s)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		t.Fatalf("bad amount %q: %v", s, err)
	}
	if neg {
		n = -n
	}
	return connector.Cents(n)
}

// ---------------------------------------------------------------------------
// PDF tools

// tool returns the path of a poppler-utils command, failing in CI and
// skipping elsewhere when it is not installed.
func tool(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not found: CI must install poppler-utils (apt-get install poppler-utils)", name)
		}
		t.Skipf("%s not found; apt-get install poppler-utils", name)
	}
	return path
}

func writePDF(t *testing.T, pdf []byte) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "statement.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

// pdftotext extracts the text of pdf with its layout.
func pdftotext(t *testing.T, pdf []byte) string {
	t.Helper()
	bin := tool(t, "pdftotext")
	out, err := exec.Command(bin, "-layout", "-enc", "UTF-8", writePDF(t, pdf), "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// pdfPages returns the page count pdfinfo reports.
func pdfPages(t *testing.T, pdf []byte) int {
	t.Helper()
	bin := tool(t, "pdfinfo")
	out, err := exec.Command(bin, writePDF(t, pdf)).Output()
	if err != nil {
		t.Fatalf("pdfinfo: %v", err)
	}
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)$`).FindStringSubmatch(string(out))
	if m == nil {
		t.Fatalf("pdfinfo gave no page count:\n%s", out)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// ---------------------------------------------------------------------------
// Parsing the extracted text

// row is one line of the transaction table as extracted.
type row struct {
	date, desc      string
	debit, credit   string // "" when the column is empty
	balance         string
	line, continued int // line number; number of continuation lines
}

var (
	amountRE = regexp.MustCompile(`-?\$[0-9,]+\.[0-9]{2}`)
	rowRE    = regexp.MustCompile(`^\s*(\d{4}-\d{2}-\d{2})?\s+(\S.*?)((?:\s{2,}-?\$[0-9,]+\.[0-9]{2})+)\s*$`)
	dateRE   = regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}\b`)
)

// columns holds the right edges (in runes) of the Debit, Credit and
// Balance headings, and the left edge of Description, on one page.
type columns struct{ desc, debit, credit, balance int }

// findColumns finds the table heading among lines; ok is false when the
// page has none.
func findColumns(lines []string) (c columns, ok bool) {
	for _, l := range lines {
		if strings.Contains(l, "Description") && strings.Contains(l, "Debit") && strings.Contains(l, "Credit") && strings.Contains(l, "Balance") {
			end := func(word string) int {
				return utf8.RuneCountInString(l[:strings.Index(l, word)+len(word)])
			}
			return columns{
				desc:    utf8.RuneCountInString(l[:strings.Index(l, "Description")]),
				debit:   end("Debit"),
				credit:  end("Credit"),
				balance: end("Balance"),
			}, true
		}
	}
	return columns{}, false
}

// parseRows reads the table rows of the extracted text: every line with
// amounts, placed in columns by where the amounts end, and the wrapped
// continuation lines of their descriptions. pdftotext lays out each page
// on its own character grid, so the columns are found page by page.
func parseRows(t *testing.T, text string) []row {
	t.Helper()
	var rows []row
	lineNo := 0
	tables := 0
	for _, page := range strings.Split(text, "\f") {
		lines := strings.Split(page, "\n")
		first := lineNo
		lineNo += len(lines) - 1
		cols, ok := findColumns(lines)
		if !ok {
			continue
		}
		tables++
		for i := 0; i < len(lines); i++ {
			l := lines[i]
			m := rowRE.FindStringSubmatchIndex(l)
			if m == nil {
				continue
			}
			desc := l[m[4]:m[5]]
			if strings.Contains(desc, "balance on") || strings.HasPrefix(strings.TrimSpace(desc), "Total ") {
				continue // the account summary, not the table
			}
			r := row{desc: desc, line: first + i + 1}
			if m[2] >= 0 {
				r.date = l[m[2]:m[3]]
			}
			for _, am := range amountRE.FindAllStringIndex(l[m[6]:m[7]], -1) {
				amount := l[m[6]+am[0] : m[6]+am[1]]
				end := utf8.RuneCountInString(l[:m[6]+am[1]])
				dist := func(col int) int { return max(end-col, col-end) }
				switch d := []int{dist(cols.debit), dist(cols.credit), dist(cols.balance)}; {
				case d[0] < d[1] && d[0] < d[2]:
					r.debit = amount
				case d[1] < d[2]:
					r.credit = amount
				default:
					r.balance = amount
				}
			}
			// Continuation lines: text only, starting in the description column.
			for i+1 < len(lines) {
				next := lines[i+1]
				trimmed := strings.TrimLeft(next, " ")
				indent := utf8.RuneCountInString(next) - utf8.RuneCountInString(trimmed)
				if trimmed == "" || amountRE.MatchString(next) || dateRE.MatchString(next) || indent < cols.desc-3 || indent > cols.desc+3 {
					break
				}
				r.desc += " " + strings.TrimSpace(trimmed)
				r.continued++
				i++
			}
			rows = append(rows, r)
		}
	}
	if tables == 0 {
		t.Fatalf("no table heading (Date Description Debit Credit Balance) in the text:\n%s", text)
	}
	return rows
}

// table splits the parsed rows into the opening balance row, the
// transactions, the totals row and the closing balance row.
func table(t *testing.T, rows []row) (opening row, txns []row, totals row, closing row) {
	t.Helper()
	var seenOpen, seenTotals, seenClose bool
	for _, r := range rows {
		switch strings.TrimSpace(r.desc) {
		case "Opening balance":
			opening, seenOpen = r, true
		case "Closing balance":
			closing, seenClose = r, true
		case "Totals":
			totals, seenTotals = r, true
		default:
			txns = append(txns, r)
		}
	}
	if !seenOpen || !seenTotals || !seenClose {
		t.Fatalf("table lacks opening (%v), totals (%v) or closing (%v) rows; rows:\n%+v", seenOpen, seenTotals, seenClose, rows)
	}
	return opening, txns, totals, closing
}

// summaryAmount finds the amount on the summary line starting with label.
func summaryAmount(t *testing.T, text, label string) string {
	t.Helper()
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), label) {
			if a := amountRE.FindAllString(l, -1); len(a) > 0 {
				return a[len(a)-1]
			}
		}
	}
	t.Fatalf("no summary line %q with an amount in:\n%s", label, text)
	return ""
}

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// ---------------------------------------------------------------------------
// Tests

func TestRenderIsAPDF(t *testing.T) {
	t.Parallel()
	pdf, err := statement.Render(fixture(day(2026, 8, 15)))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Errorf("PDF starts with %q, want %%PDF-", pdf[:min(len(pdf), 8)])
	}
	if trimmed := bytes.TrimRight(pdf, "\r\n"); !bytes.HasSuffix(trimmed, []byte("%%EOF")) {
		t.Errorf("PDF ends with %q, want %%%%EOF", pdf[max(0, len(pdf)-10):])
	}
}

func TestRenderIsDeterministic(t *testing.T) {
	t.Parallel()
	s := fixture(day(2026, 10, 1))
	a, err := statement.Render(s)
	if err != nil {
		t.Fatal(err)
	}
	// Another instant of the same month renders the same statement.
	s.Month = time.Date(2026, 10, 31, 23, 59, 59, 0, time.UTC)
	b, err := statement.Render(s)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatalf("two renders of the same statement differ (%d and %d bytes)", len(a), len(b))
	}
	if !bytes.Contains(a, []byte("D:20261101000000")) {
		t.Errorf("PDF creation date is not the statement date 2026-11-01")
	}
}

// expected is what the statement of month must show, worked out from the
// entries independently of the package.
func expected(opening connector.Cents, es []entry, month time.Time) (open, closing, debits, credits connector.Cents) {
	open = opening
	for _, e := range es {
		if e.date.Before(month) {
			open += e.credit - e.debit
		}
	}
	closing = open
	for _, e := range es {
		if e.date.Year() == month.Year() && e.date.Month() == month.Month() {
			closing += e.credit - e.debit
			debits += e.debit
			credits += e.credit
		}
	}
	return open, closing, debits, credits
}

func TestRenderContent(t *testing.T) {
	t.Parallel()
	es := threeMonths()
	if len(es) < 45 || len(es) > 60 {
		t.Fatalf("fixture has %d transactions, want about 50", len(es))
	}
	for _, tc := range []struct {
		name  string
		month time.Time
		empty bool
	}{
		{"June, before the data", day(2026, 6, 1), true},
		{"July, first month with an overdraft", day(2026, 7, 31), false},
		{"August", day(2026, 8, 12), false},
		{"September, no transactions", day(2026, 9, 30), true},
		{"October", day(2026, 10, 1), false},
		{"November, after the data", day(2026, 11, 5), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := fixture(tc.month)
			pdf, err := statement.Render(s)
			if err != nil {
				t.Fatal(err)
			}
			text := pdftotext(t, pdf)
			flat := collapse(text)
			start := time.Date(tc.month.Year(), tc.month.Month(), 1, 0, 0, 0, 0, time.UTC)
			end := start.AddDate(0, 1, -1)
			open, closing, debits, credits := expected(25000, es, start)
			want := monthTxns(s.Account, start)
			if tc.empty != (len(want) == 0) {
				t.Fatalf("fixture: month has %d transactions, empty = %v", len(want), tc.empty)
			}

			for _, sub := range []string{
				holder.Name,
				"1234, rue Sainte-Catherine Ouest, app. 56",
				"Montréal QC H3B 5E8",
				"Flinks Capital",
				s.Account.Title,
				"****6789",
				"12345",
				"777",
				fmt.Sprintf("Statement period: %s to %s", start.Format("2006-01-02"), end.Format("2006-01-02")),
			} {
				if !strings.Contains(flat, sub) {
					t.Errorf("text lacks %q", sub)
				}
			}
			for _, leak := range []string{"0012-345-6789", "00123456789", "3456789"} {
				if strings.Contains(text, leak) {
					t.Errorf("text shows the unmasked account number (%q)", leak)
				}
			}

			// Account summary.
			if got := summaryAmount(t, text, "Opening balance on "+start.Format("2006-01-02")); got != money(open) {
				t.Errorf("summary opening balance = %s, want %s", got, money(open))
			}
			if got := summaryAmount(t, text, "Closing balance on "+end.Format("2006-01-02")); got != money(closing) {
				t.Errorf("summary closing balance = %s, want %s", got, money(closing))
			}
			if got := summaryAmount(t, text, "Total debits"); got != money(debits) {
				t.Errorf("summary total debits = %s, want %s", got, money(debits))
			}
			if got := summaryAmount(t, text, "Total credits"); got != money(credits) {
				t.Errorf("summary total credits = %s, want %s", got, money(credits))
			}

			// Transaction table.
			opening, rows, totals, closingRow := table(t, parseRows(t, text))
			if opening.date != start.Format("2006-01-02") || opening.balance != money(open) || opening.debit != "" || opening.credit != "" {
				t.Errorf("opening row = %+v, want date %s balance %s", opening, start.Format("2006-01-02"), money(open))
			}
			if closingRow.date != end.Format("2006-01-02") || closingRow.balance != money(closing) {
				t.Errorf("closing row = %+v, want date %s balance %s", closingRow, end.Format("2006-01-02"), money(closing))
			}
			if tc.empty {
				if !strings.Contains(flat, "No transactions this period") {
					t.Errorf("empty month does not say so")
				}
				if open != closing {
					t.Fatalf("fixture: empty month moves the balance")
				}
			}
			// "No transactions this period" has no amount, so it is not a row.
			if len(rows) != len(want) {
				t.Fatalf("table lists %d transactions, want %d:\n%s", len(rows), len(want), text)
			}
			var sumDebits, sumCredits connector.Cents
			balance := open
			for i, r := range rows {
				w := want[i]
				wd, wc := "", ""
				if w.Debit != 0 {
					wd = money(w.Debit)
				}
				if w.Credit != 0 {
					wc = money(w.Credit)
				}
				if r.date != w.Date.Format("2006-01-02") || collapse(r.desc) != collapse(w.Description) ||
					r.debit != wd || r.credit != wc || r.balance != money(w.Balance) {
					t.Errorf("row %d (line %d) = %q %q debit %q credit %q balance %q\nwant %q %q debit %q credit %q balance %q",
						i, r.line, r.date, r.desc, r.debit, r.credit, r.balance,
						w.Date.Format("2006-01-02"), w.Description, wd, wc, money(w.Balance))
				}
				if r.debit != "" {
					sumDebits += parseMoney(t, r.debit)
				}
				if r.credit != "" {
					sumCredits += parseMoney(t, r.credit)
				}
				// The running balance chains from the opening balance.
				balance += w.Credit - w.Debit
				if got := parseMoney(t, r.balance); got != balance {
					t.Errorf("row %d: balance %s does not follow from the previous one (%s)", i, r.balance, money(balance))
				}
			}
			if totals.debit != money(sumDebits) || totals.credit != money(sumCredits) || totals.date != "" {
				t.Errorf("totals row = debit %q credit %q, want the sums of the rows %s and %s", totals.debit, totals.credit, money(sumDebits), money(sumCredits))
			}
			if sumDebits != debits || sumCredits != credits {
				t.Errorf("rows sum to debits %s credits %s, want %s and %s", money(sumDebits), money(sumCredits), money(debits), money(credits))
			}

			// Nothing of other months: every date shown is in the month, and
			// the other months' cheques are absent.
			for _, d := range dateRE.FindAllString(text, -1) {
				if !strings.HasPrefix(d, start.Format("2006-01-")) {
					t.Errorf("text shows a date of another month: %s", d)
				}
			}
			for mi, m := range []time.Month{time.July, time.August, time.October} {
				cheque := fmt.Sprintf("Chèque n° %d", 1001+mi)
				if got, wantIn := strings.Contains(text, cheque), m == start.Month(); got != wantIn {
					t.Errorf("text contains %q: %v, want %v", cheque, got, wantIn)
				}
			}
			if start.Month() == time.July && !strings.Contains(text, "-$1,100.00") {
				t.Errorf("July's overdraft balance -$1,100.00 is not shown")
			}
			if pdfPages(t, pdf) != 1 && len(want) < 25 {
				t.Errorf("a month of %d transactions should fit on one page", len(want))
			}
		})
	}
}

func TestRenderWrapsLongDescriptions(t *testing.T) {
	t.Parallel()
	text := pdftotext(t, mustRender(t, fixture(day(2026, 10, 1))))
	_, rows, _, _ := table(t, parseRows(t, text))
	for _, r := range rows {
		if strings.HasPrefix(r.desc, "Paiement préautorisé") {
			if r.continued == 0 {
				t.Errorf("long description was not wrapped: %q", r.desc)
			}
			return
		}
	}
	t.Errorf("long description not found")
}

func mustRender(t testing.TB, s statement.Statement) []byte {
	t.Helper()
	pdf, err := statement.Render(s)
	if err != nil {
		t.Fatal(err)
	}
	return pdf
}

func TestRenderPaginates(t *testing.T) {
	t.Parallel()
	s := busy(120)
	pdf := mustRender(t, s)
	pages := pdfPages(t, pdf)
	if pages < 2 {
		t.Fatalf("120 transactions render on %d page, want more than one", pages)
	}
	text := pdftotext(t, pdf)

	// Page numbers: "Page 1 of N" ... "Page N of N", in order.
	nums := regexp.MustCompile(`Page (\d+) of (\d+)`).FindAllStringSubmatch(text, -1)
	if len(nums) != pages {
		t.Fatalf("found %d page numbers, want %d", len(nums), pages)
	}
	for i, m := range nums {
		if m[1] != strconv.Itoa(i+1) || m[2] != strconv.Itoa(pages) {
			t.Errorf("page %d is numbered %q", i+1, m[0])
		}
	}
	// The header and the table's column headings repeat on every page.
	if n := strings.Count(text, "Statement period: 2026-03-01 to 2026-03-31"); n != pages {
		t.Errorf("period shown %d times, want once per page (%d)", n, pages)
	}
	headings := 0
	for _, l := range strings.Split(text, "\n") {
		if f := strings.Fields(l); slices.Equal(f, []string{"Date", "Description", "Debit", "Credit", "Balance"}) {
			headings++
		}
	}
	if headings != pages {
		t.Errorf("column headings shown %d times, want once per page (%d)", headings, pages)
	}

	// Every transaction exactly once, in order.
	want := monthTxns(s.Account, day(2026, 3, 1))
	if len(want) != 120 {
		t.Fatalf("fixture: %d transactions in March", len(want))
	}
	_, rows, totals, closing := table(t, parseRows(t, text))
	if len(rows) != len(want) {
		t.Fatalf("table lists %d transactions, want %d", len(rows), len(want))
	}
	seen := map[string]int{}
	var debits, credits connector.Cents
	for i, r := range rows {
		seen[r.desc]++
		if r.desc != want[i].Description || r.balance != money(want[i].Balance) {
			t.Errorf("row %d = %q %s, want %q %s", i, r.desc, r.balance, want[i].Description, money(want[i].Balance))
		}
		debits += want[i].Debit
		credits += want[i].Credit
	}
	for d, n := range seen {
		if n != 1 {
			t.Errorf("%q listed %d times", d, n)
		}
	}
	if totals.debit != money(debits) || totals.credit != money(credits) {
		t.Errorf("totals = %s / %s, want %s / %s", totals.debit, totals.credit, money(debits), money(credits))
	}
	if closing.balance != money(want[len(want)-1].Balance) {
		t.Errorf("closing balance = %s, want %s", closing.balance, money(want[len(want)-1].Balance))
	}
	if strings.Contains(text, "Dépôt février") || strings.Contains(text, "Dépôt avril") {
		t.Errorf("text lists transactions of other months")
	}
}

// edgeCase is a statement with awkward data: very long names and
// descriptions, characters outside cp1252, no address, an overdrawn
// balance and no Current.
func edgeCase() statement.Statement {
	long := strings.Repeat("Très long libellé de transaction ", 20)
	word := strings.Repeat("ABCDEFGHIJ", 12)
	a := account(-120000, []entry{
		{date: day(2026, 5, 2), desc: long, debit: 1200},
		{date: day(2026, 5, 3), desc: word, credit: 99999999},
		{date: day(2026, 5, 4), desc: "Emoji 😀 and 漢字 outside cp1252", debit: 1},
		{date: day(2026, 5, 5), desc: "", debit: 5},
	})
	a.Title = strings.Repeat("Compte d'épargne à intérêt élevé ", 6)
	a.AccountNumber = ""
	a.TransitNumber = ""
	a.InstitutionNumber = ""
	a.Current = nil
	return statement.Statement{
		Institution: strings.Repeat("Caisse Desjardins de Montréal ", 5),
		Holder:      connector.Holder{Name: strings.Repeat("Jean-François Bélanger-Légaré ", 5)},
		Account:     a,
		Month:       day(2026, 5, 20),
	}
}

func TestRenderEdgeCases(t *testing.T) {
	t.Parallel()
	s := edgeCase()
	pdf := mustRender(t, s)
	if again := mustRender(t, s); !bytes.Equal(pdf, again) {
		t.Fatal("two renders differ")
	}
	text := pdftotext(t, pdf)
	_, rows, totals, closing := table(t, parseRows(t, text))
	if len(rows) != 4 {
		t.Fatalf("table lists %d transactions, want 4:\n%s", len(rows), text)
	}
	if !strings.HasSuffix(rows[0].desc, "...") || rows[0].continued != 3 {
		t.Errorf("a very long description should be cut to 4 lines ending in ...; got %d lines: %q", rows[0].continued+1, rows[0].desc)
	}
	if strings.ReplaceAll(rows[1].desc, " ", "") != strings.Repeat("ABCDEFGHIJ", 12) {
		t.Errorf("a very long word should be broken over lines; got %q", rows[1].desc)
	}
	if totals.debit != "$12.06" || totals.credit != "$999,999.99" {
		t.Errorf("totals = %s / %s", totals.debit, totals.credit)
	}
	if closing.balance != money(-120000-1200+99999999-1-5) {
		t.Errorf("closing = %s", closing.balance)
	}
	if !strings.Contains(text, "-$1,200.00") || !strings.Contains(text, "-$1,212.00") {
		t.Errorf("negative balances are not shown as -$1,200.00 and -$1,212.00")
	}
	if !strings.Contains(text, "n/a") {
		t.Errorf("missing account numbers are not shown as n/a")
	}
}

func TestFormatAmount(t *testing.T) {
	t.Parallel()
	for c, want := range map[connector.Cents]string{
		0:           "$0.00",
		5:           "$0.05",
		-1200:       "-$12.00",
		123456:      "$1,234.56",
		100000:      "$1,000.00",
		99999:       "$999.99",
		-123456789:  "-$1,234,567.89",
		12345678900: "$123,456,789.00",
	} {
		if got := statement.FormatAmount(c); got != want {
			t.Errorf("FormatAmount(%d) = %q, want %q", c, got, want)
		}
		if got := money(c); got != want {
			t.Errorf("test helper money(%d) = %q, want %q", c, got, want)
		}
	}
}

func TestMaskAccountNumber(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"0012-345-6789":       "****6789",
		"1111000":             "****1000",
		"4510 **** **** 1234": "****1234",
		"12":                  "****12",
		"":                    "",
	} {
		if got := statement.MaskAccountNumber(in); got != want {
			t.Errorf("MaskAccountNumber(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMonths(t *testing.T) {
	t.Parallel()
	m := func(y int, mo time.Month) time.Time { return day(y, mo, 1) }
	est := time.FixedZone("EST", -5*3600)
	for _, tc := range []struct {
		name string
		now  time.Time
		n    int
		want []time.Time
	}{
		{"MostRecent mid-month", time.Date(2026, 10, 17, 14, 3, 0, 0, time.UTC), 1, []time.Time{m(2026, 9)}},
		{"MostRecent in January", time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC), 1, []time.Time{m(2025, 12)}},
		{"MostRecent first instant of the month", day(2026, 3, 1), 1, []time.Time{m(2026, 2)}},
		{"MostRecent last instant of the month", time.Date(2026, 3, 31, 23, 59, 59, 999999999, time.UTC), 1, []time.Time{m(2026, 2)}},
		{"MostRecent read in UTC", time.Date(2025, 12, 31, 22, 0, 0, 0, est), 1, []time.Time{m(2025, 12)}},
		{"Months3 in February", time.Date(2026, 2, 10, 0, 0, 0, 0, time.UTC), 3, []time.Time{m(2026, 1), m(2025, 12), m(2025, 11)}},
		{"Months3 in March", time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC), 3, []time.Time{m(2026, 2), m(2026, 1), m(2025, 12)}},
		{"Months3 in April", time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), 3, []time.Time{m(2026, 3), m(2026, 2), m(2026, 1)}},
		{"Months12 in January", day(2026, 1, 1), 12, []time.Time{
			m(2025, 12), m(2025, 11), m(2025, 10), m(2025, 9), m(2025, 8), m(2025, 7),
			m(2025, 6), m(2025, 5), m(2025, 4), m(2025, 3), m(2025, 2), m(2025, 1)}},
		{"Months12 in June", time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC), 12, []time.Time{
			m(2026, 5), m(2026, 4), m(2026, 3), m(2026, 2), m(2026, 1), m(2025, 12),
			m(2025, 11), m(2025, 10), m(2025, 9), m(2025, 8), m(2025, 7), m(2025, 6)}},
		{"Months12 in December", time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC), 12, []time.Time{
			m(2026, 11), m(2026, 10), m(2026, 9), m(2026, 8), m(2026, 7), m(2026, 6),
			m(2026, 5), m(2026, 4), m(2026, 3), m(2026, 2), m(2026, 1), m(2025, 12)}},
		{"none", day(2026, 1, 1), 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := statement.Months(tc.now, tc.n)
			if len(got) != len(tc.want) {
				t.Fatalf("Months(%s, %d) = %v, want %v", tc.now, tc.n, got, tc.want)
			}
			for i := range got {
				if !got[i].Equal(tc.want[i]) || got[i].Location() != time.UTC {
					t.Errorf("Months(%s, %d)[%d] = %s, want %s", tc.now, tc.n, i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestUniqueID(t *testing.T) {
	t.Parallel()
	hex32 := regexp.MustCompile(`^[0-9A-F]{32}$`)
	const acct = "5f0f6b1c-3c59-4f0e-9d7a-2c6a3b1e9d01"
	id := statement.UniqueID(acct, day(2026, 10, 1))
	if !hex32.MatchString(id) {
		t.Fatalf("UniqueID = %q, want 32 upper-case hex characters", id)
	}
	sum := sha256.Sum256([]byte(acct + "/2026-10"))
	if want := strings.ToUpper(hex.EncodeToString(sum[:16])); id != want {
		t.Errorf("UniqueID = %s, want %s (first 16 bytes of SHA-256 of %q)", id, want, acct+"/2026-10")
	}
	if again := statement.UniqueID(acct, time.Date(2026, 10, 31, 23, 59, 59, 0, time.UTC)); again != id {
		t.Errorf("UniqueID differs within the month: %s and %s", id, again)
	}
	if statement.UniqueID(acct, day(2026, 10, 1)) != id {
		t.Errorf("UniqueID is not stable")
	}
	seen := map[string]string{id: "2026-10 " + acct}
	for _, c := range []struct {
		acct  string
		month time.Time
	}{
		{acct, day(2026, 9, 1)},
		{acct, day(2025, 10, 1)},
		{acct, day(2026, 11, 1)},
		{"another-account", day(2026, 10, 1)},
		{acct + "x", day(2026, 10, 1)},
	} {
		got := statement.UniqueID(c.acct, c.month)
		if !hex32.MatchString(got) {
			t.Errorf("UniqueID(%q, %s) = %q, not 32 upper-case hex", c.acct, c.month, got)
		}
		key := c.month.Format("2006-01") + " " + c.acct
		if prev, dup := seen[got]; dup {
			t.Errorf("UniqueID of %s equals that of %s", key, prev)
		}
		seen[got] = key
	}
}

// TestWriteSamples writes sample statements to the directory named by
// STATEMENT_SAMPLES, to look at: go test -run TestWriteSamples with
// STATEMENT_SAMPLES=/tmp.
func TestWriteSamples(t *testing.T) {
	dir := os.Getenv("STATEMENT_SAMPLES")
	if dir == "" {
		t.Skip("set STATEMENT_SAMPLES to a directory to write sample statements")
	}
	for name, s := range map[string]statement.Statement{
		"sample.pdf":       fixture(day(2026, 10, 1)),
		"sample-empty.pdf": fixture(day(2026, 9, 1)),
		"sample-busy.pdf":  busy(120),
		"sample-edge.pdf":  edgeCase(),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), mustRender(t, s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func BenchmarkRender(b *testing.B) {
	s := busy(60)
	b.ReportAllocs()
	var size int
	for b.Loop() {
		pdf, err := statement.Render(s)
		if err != nil {
			b.Fatal(err)
		}
		size = len(pdf)
	}
	b.ReportMetric(float64(size), "bytes/pdf")
}
