// Package statement renders monthly account statements as PDF files.
//
// The PDFs are what GetStatements returns base64-encoded: one per account
// and calendar month, laid out like a bank's own statement (holder and
// account block, account summary, and the month's transactions with their
// running balance, paginated with a repeated header). Rendering is
// deterministic: the same Statement always renders to the same bytes.
package statement

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/bankfeed/bankfeed/connector"
)

// Statement is one account's statement for one calendar month.
type Statement struct {
	Institution string // display name of the bank, e.g. "Flinks Capital"
	Holder      connector.Holder
	// Account is the account the statement is for. Its Transactions
	// (newest first, as in connector.Account) may span more than the
	// month; only the month's are listed.
	Account connector.Account
	// Month is any instant in the month (it is read in UTC); the statement
	// covers the whole calendar month.
	Month time.Time
}

// Months returns the months of the n most recent complete statements as of
// now, newest first, each as midnight UTC on its first day: for n=1
// ("MostRecent") the last complete month before now's month, for n=3 and
// n=12 the n months before now's month. It returns nil when n < 1.
func Months(now time.Time, n int) []time.Time {
	if n < 1 {
		return nil
	}
	cur := monthStart(now)
	months := make([]time.Time, n)
	for i := range months {
		months[i] = cur.AddDate(0, -(i + 1), 0)
	}
	return months
}

// UniqueID returns the statement's UniqueId: 32 upper-case hex characters,
// the first 16 bytes of SHA-256 of the account ID, "/" and the month as
// "2006-01". It is stable for the same account and month.
func UniqueID(accountID string, month time.Time) string {
	sum := sha256.Sum256([]byte(accountID + "/" + month.UTC().Format("2006-01")))
	return strings.ToUpper(hex.EncodeToString(sum[:16]))
}

// monthStart returns midnight UTC on the first day of t's month in UTC.
func monthStart(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// period is what a statement shows of its month, computed from the
// account's transactions.
type period struct {
	start, end time.Time // first and last day of the month
	txns       []connector.Transaction
	opening    connector.Cents
	closing    connector.Cents
	debits     connector.Cents
	credits    connector.Cents
	nDebits    int
	nCredits   int
}

// compute selects the month's transactions, oldest first, and works out
// the opening and closing balances and the totals.
func compute(s Statement) period {
	start := monthStart(s.Month)
	next := start.AddDate(0, 1, 0)
	p := period{start: start, end: next.AddDate(0, 0, -1)}

	// Transactions are newest first. Walking the slice backwards gives
	// oldest first while keeping the data's order within a day, which is
	// the order the running balances chain in.
	all := s.Account.Transactions
	var (
		before *connector.Transaction // newest before the month
		after  *connector.Transaction // oldest after the month
	)
	for i := len(all) - 1; i >= 0; i-- {
		t := &all[i]
		d := t.Date.UTC()
		switch {
		case d.Before(start):
			if before == nil || !d.Before(before.Date.UTC()) {
				before = t
			}
		case !d.Before(next):
			if after == nil || d.Before(after.Date.UTC()) {
				after = t
			}
		default:
			p.txns = append(p.txns, *t)
		}
	}
	// Be robust to data that is not strictly newest first: order by date,
	// keeping the data's order within a day.
	slices.SortStableFunc(p.txns, func(a, b connector.Transaction) int {
		return a.Date.Compare(b.Date)
	})

	switch {
	case before != nil:
		p.opening = before.Balance
	case len(p.txns) > 0:
		first := p.txns[0]
		p.opening = first.Balance - first.Credit + first.Debit
	case after != nil:
		p.opening = after.Balance - after.Credit + after.Debit
	case s.Account.Current != nil:
		p.opening = *s.Account.Current
	}
	p.closing = p.opening
	if len(p.txns) > 0 {
		p.closing = p.txns[len(p.txns)-1].Balance
	}
	for _, t := range p.txns {
		if t.Debit != 0 {
			p.debits += t.Debit
			p.nDebits++
		}
		if t.Credit != 0 {
			p.credits += t.Credit
			p.nCredits++
		}
	}
	return p
}

// FormatAmount formats c with a dollar sign, thousands separators and two
// decimals: "$1,234.56", or "-$12.00" when negative.
func FormatAmount(c connector.Cents) string {
	v := int64(c)
	neg := v < 0
	var u uint64
	if neg {
		u = uint64(-(v + 1)) + 1 // also right for math.MinInt64
	} else {
		u = uint64(v)
	}
	whole := strconv.FormatUint(u/100, 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	b.WriteByte('$')
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	b.WriteByte('.')
	frac := u % 100
	b.WriteByte(byte('0' + frac/10))
	b.WriteByte(byte('0' + frac%10))
	return b.String()
}

// MaskAccountNumber shows only the last four digits of an account number:
// "****1234". It returns "" for an empty number.
func MaskAccountNumber(number string) string {
	var digits []byte
	for i := 0; i < len(number); i++ {
		if c := number[i]; c >= '0' && c <= '9' {
			digits = append(digits, c)
		}
	}
	if len(digits) == 0 {
		if number == "" {
			return ""
		}
		return "****"
	}
	if len(digits) > 4 {
		digits = digits[len(digits)-4:]
	}
	return "****" + string(digits)
}

const dateLayout = "2006-01-02"

// Page geometry, in millimetres, on a US Letter page (the Canadian
// standard).
const (
	pageW     = 215.9
	pageH     = 279.4
	marginL   = 15.0
	marginR   = 15.0
	marginTop = 12.0
	marginBot = 20.0 // leaves room for the footer
	contentW  = pageW - marginL - marginR

	rowH = 5.0 // one text line of a table row

	maxDescLines = 4 // a longer description is cut short with "..."

	colDate    = 23.0
	colDebit   = 27.0
	colCredit  = 27.0
	colBalance = 30.0
	colDesc    = contentW - colDate - colDebit - colCredit - colBalance
)

// Colours.
var (
	navy      = [3]int{0, 45, 98}
	grey      = [3]int{90, 90, 90}
	ruleGrey  = [3]int{180, 186, 194}
	stripe    = [3]int{241, 244, 248}
	panelFill = [3]int{246, 248, 251}
)

// renderer holds the document being drawn.
type renderer struct {
	pdf     *fpdf.Fpdf
	tr      func(string) string
	s       Statement
	p       period
	masked  string
	inTable bool // the header of a new page repeats the table's headings
}

// Render returns the PDF bytes of s: a statement of the month's
// transactions, oldest first, with the opening and closing balances, the
// totals of debits and credits, the holder's name and address and the
// account's title, masked number, transit and institution numbers. It
// paginates, repeating the header on every page.
func Render(s Statement) ([]byte, error) {
	pdf := fpdf.NewCustom(&fpdf.InitType{
		OrientationStr: "P",
		UnitStr:        "mm",
		Size:           fpdf.SizeType{Wd: pageW, Ht: pageH},
	})
	r := &renderer{
		pdf:    pdf,
		tr:     pdf.UnicodeTranslatorFromDescriptor(""),
		s:      s,
		p:      compute(s),
		masked: MaskAccountNumber(s.Account.AccountNumber),
	}
	if r.masked == "" {
		r.masked = "n/a"
	}

	// Deterministic output: fixed dates (the statement is issued on the
	// first day of the next month), sorted catalogs, nothing random.
	issued := r.p.end.AddDate(0, 0, 1)
	pdf.SetCreationDate(issued)
	pdf.SetModificationDate(issued)
	pdf.SetCatalogSort(true)
	pdf.SetCompression(true)
	pdf.SetCreator("bankfeed", true)
	pdf.SetProducer("bankfeed", true)
	if s.Institution != "" {
		pdf.SetAuthor(s.Institution, true)
	}
	pdf.SetTitle(fmt.Sprintf("Statement %s %s %s", s.Account.Title, r.masked, r.p.start.Format("2006-01")), true)

	pdf.SetMargins(marginL, marginTop, marginR)
	pdf.SetAutoPageBreak(true, marginBot)
	pdf.AliasNbPages("{nb}")
	pdf.SetHeaderFunc(r.header)
	pdf.SetFooterFunc(r.footer)

	pdf.AddPage()
	r.addressAndAccount()
	r.summary()
	r.transactions()
	r.notice()

	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("statement: render: %w", err)
	}
	if buf.Len() == 0 {
		return nil, errors.New("statement: render: empty output")
	}
	return buf.Bytes(), nil
}

func (r *renderer) textColor(c [3]int) { r.pdf.SetTextColor(c[0], c[1], c[2]) }
func (r *renderer) fillColor(c [3]int) { r.pdf.SetFillColor(c[0], c[1], c[2]) }
func (r *renderer) drawColor(c [3]int) { r.pdf.SetDrawColor(c[0], c[1], c[2]) }

// fit translates s to the PDF's code page and shortens it with "..." so
// that it fits in w millimetres in the current font.
func (r *renderer) fit(s string, w float64) string { return r.tr(r.fitUTF8(s, w)) }

// fitUTF8 shortens s with "..." so that it fits in w millimetres in the
// current font once translated; it returns UTF-8.
func (r *renderer) fitUTF8(s string, w float64) string {
	w -= 2 * r.pdf.GetCellMargin()
	if r.pdf.GetStringWidth(r.tr(s)) <= w {
		return s
	}
	runes := []rune(s)
	for n := len(runes) - 1; n > 0; n-- {
		c := strings.TrimRight(string(runes[:n]), " ") + "..."
		if r.pdf.GetStringWidth(r.tr(c)) <= w {
			return c
		}
	}
	return "..."
}

// wrap splits s into lines that fit in w millimetres in the current font, breaking between words, and
// within a word only when the word alone is too wide.
func (r *renderer) wrap(s string, w float64) []string {
	w -= 2 * r.pdf.GetCellMargin()
	width := func(s string) float64 { return r.pdf.GetStringWidth(r.tr(s)) }
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		cand := word
		if line != "" {
			cand = line + " " + word
		}
		if width(cand) <= w {
			line = cand
			continue
		}
		if line != "" {
			lines = append(lines, line)
			line = ""
		}
		// The word alone: break it if it is too wide by itself.
		for width(word) > w {
			runes := []rune(word)
			n := len(runes) - 1
			for n > 1 && width(string(runes[:n])) > w {
				n--
			}
			lines = append(lines, string(runes[:n]))
			word = string(runes[n:])
		}
		line = word
	}
	if line != "" || len(lines) == 0 {
		lines = append(lines, line)
	}
	return lines
}

// header is drawn at the top of every page: the bank, the document's
// title and period, the account, and on pages inside the transaction
// table, the table's column headings.
func (r *renderer) header() {
	pdf := r.pdf
	const leftW = 105.0
	rightW := contentW - leftW

	pdf.SetXY(marginL, marginTop)
	pdf.SetFont("Helvetica", "B", 17)
	r.textColor(navy)
	inst := r.s.Institution
	if inst == "" {
		inst = "Bank"
	}
	pdf.CellFormat(leftW, 9, r.fit(inst, leftW), "", 2, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 8.5)
	r.textColor(grey)
	inst2 := "Institution " + orNA(r.s.Account.InstitutionNumber) + "  |  Transit " + orNA(r.s.Account.TransitNumber)
	pdf.CellFormat(leftW, 4.5, r.fit(inst2, leftW), "", 0, "L", false, 0, "")

	pdf.SetXY(marginL+leftW, marginTop)
	pdf.SetFont("Helvetica", "B", 12)
	r.textColor(navy)
	pdf.CellFormat(rightW, 6, r.tr("Account Statement"), "", 2, "R", false, 0, "")
	pdf.SetFont("Helvetica", "", 8.5)
	r.textColor([3]int{0, 0, 0})
	pdf.CellFormat(rightW, 4.5, r.fit(fmt.Sprintf("Statement period: %s to %s",
		r.p.start.Format(dateLayout), r.p.end.Format(dateLayout)), rightW), "", 2, "R", false, 0, "")
	pdf.CellFormat(rightW, 4.5, r.fit(r.s.Account.Title+"  "+r.masked, rightW), "", 2, "R", false, 0, "")

	y := marginTop + 17
	r.drawColor(navy)
	pdf.SetLineWidth(0.6)
	pdf.Line(marginL, y, pageW-marginR, y)
	pdf.SetLineWidth(0.2)
	pdf.SetY(y + 4)

	if r.inTable {
		r.tableHeadings()
	}
}

// footer is drawn at the bottom of every page.
func (r *renderer) footer() {
	pdf := r.pdf
	y := pageH - marginBot + 6
	r.drawColor(ruleGrey)
	pdf.Line(marginL, y, pageW-marginR, y)
	pdf.SetXY(marginL, y+1.5)
	pdf.SetFont("Helvetica", "", 7.5)
	r.textColor(grey)
	left := r.s.Institution
	if left != "" {
		left += "  |  "
	}
	left += "Account " + r.masked
	pdf.CellFormat(contentW/2, 4, r.fit(left, contentW/2), "", 0, "L", false, 0, "")
	pdf.CellFormat(contentW/2, 4, fmt.Sprintf("Page %d of {nb}", pdf.PageNo()), "", 0, "R", false, 0, "")
}

// addressAndAccount draws the holder's name and address on the left and
// the account's details on the right, on the first page.
func (r *renderer) addressAndAccount() {
	pdf := r.pdf
	top := pdf.GetY()
	const leftW = 95.0
	const gap = 8.0
	rightX := marginL + leftW + gap
	rightW := contentW - leftW - gap

	// Holder, as on an envelope window.
	pdf.SetXY(marginL, top)
	pdf.SetFont("Helvetica", "B", 10)
	r.textColor([3]int{0, 0, 0})
	pdf.CellFormat(leftW, 5, r.fit(r.s.Holder.Name, leftW), "", 2, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 9.5)
	for _, l := range addressLines(r.s.Holder.Address) {
		pdf.CellFormat(leftW, 4.6, r.fit(l, leftW), "", 2, "L", false, 0, "")
	}
	leftBottom := pdf.GetY()

	// Account details panel.
	a := r.s.Account
	rows := [][2]string{
		{"Account number", r.masked},
		{"Transit number", orNA(a.TransitNumber)},
		{"Institution number", orNA(a.InstitutionNumber)},
	}
	if a.Type != "" {
		rows = append(rows, [2]string{"Account type", a.Type})
	}
	if a.Currency != "" {
		rows = append(rows, [2]string{"Currency", a.Currency})
	}
	panelH := 7 + float64(len(rows))*4.6 + 2
	r.fillColor(panelFill)
	r.drawColor(ruleGrey)
	pdf.Rect(rightX, top-1, rightW, panelH, "FD")
	pdf.SetXY(rightX+1, top)
	pdf.SetFont("Helvetica", "B", 10)
	r.textColor(navy)
	pdf.CellFormat(rightW-2, 6, r.fit(a.Title, rightW-2), "", 2, "L", false, 0, "")
	r.textColor([3]int{0, 0, 0})
	const labelW = 34.0
	for _, row := range rows {
		pdf.SetX(rightX + 1)
		pdf.SetFont("Helvetica", "", 8.5)
		pdf.CellFormat(labelW, 4.6, r.tr(row[0]), "", 0, "L", false, 0, "")
		pdf.SetFont("Helvetica", "B", 8.5)
		pdf.CellFormat(rightW-2-labelW, 4.6, r.fit(row[1], rightW-2-labelW), "", 1, "R", false, 0, "")
	}
	pdf.SetY(max(leftBottom, top-1+panelH) + 6)
}

// addressLines formats a Canadian civic address: civic address, PO box,
// "City PROV  POSTAL", and the country when it is not Canada.
func addressLines(a connector.Address) []string {
	var lines []string
	if s := strings.TrimSpace(a.CivicAddress); s != "" {
		lines = append(lines, s)
	}
	if s := strings.TrimSpace(a.POBox); s != "" {
		lines = append(lines, "PO Box "+strings.TrimPrefix(strings.TrimPrefix(s, "PO Box "), "P.O. Box "))
	}
	var city []string
	if s := strings.TrimSpace(a.City); s != "" {
		city = append(city, s)
	}
	if s := strings.TrimSpace(a.Province); s != "" {
		city = append(city, s)
	}
	cityLine := strings.Join(city, " ")
	if s := strings.TrimSpace(a.PostalCode); s != "" {
		if cityLine != "" {
			cityLine += "  "
		}
		cityLine += s
	}
	if cityLine != "" {
		lines = append(lines, cityLine)
	}
	if c := strings.TrimSpace(a.Country); c != "" && !strings.EqualFold(c, "CA") && !strings.EqualFold(c, "Canada") {
		lines = append(lines, c)
	}
	return lines
}

func orNA(s string) string {
	if strings.TrimSpace(s) == "" {
		return "n/a"
	}
	return s
}

// summary draws the account summary: opening balance, credits, debits and
// closing balance.
func (r *renderer) summary() {
	pdf := r.pdf
	p := r.p
	pdf.SetFont("Helvetica", "B", 11)
	r.textColor(navy)
	pdf.CellFormat(contentW, 7, r.tr("Account summary"), "", 1, "L", false, 0, "")

	const w = 110.0
	const amountW = 35.0
	plural := func(n int) string {
		if n == 1 {
			return "1 transaction"
		}
		return strconv.Itoa(n) + " transactions"
	}
	rows := []struct {
		label, detail string
		amount        connector.Cents
		bold          bool
	}{
		{"Opening balance on " + p.start.Format(dateLayout), "", p.opening, true},
		{"Total credits", plural(p.nCredits), p.credits, false},
		{"Total debits", plural(p.nDebits), p.debits, false},
		{"Closing balance on " + p.end.Format(dateLayout), "", p.closing, true},
	}
	r.drawColor(ruleGrey)
	for i, row := range rows {
		y := pdf.GetY()
		if i == len(rows)-1 {
			pdf.Line(marginL, y, marginL+w, y)
		}
		style := ""
		if row.bold {
			style = "B"
		}
		pdf.SetFont("Helvetica", style, 9.5)
		r.textColor([3]int{0, 0, 0})
		labelW := w - amountW
		detailW := 0.0
		if row.detail != "" {
			detailW = 30
		}
		pdf.CellFormat(labelW-detailW, 5.5, r.fit(row.label, labelW-detailW), "", 0, "L", false, 0, "")
		if detailW > 0 {
			pdf.SetFont("Helvetica", "", 8)
			r.textColor(grey)
			pdf.CellFormat(detailW, 5.5, r.tr(row.detail), "", 0, "R", false, 0, "")
			pdf.SetFont("Helvetica", style, 9.5)
			r.textColor([3]int{0, 0, 0})
		}
		pdf.CellFormat(amountW, 5.5, r.tr(FormatAmount(row.amount)), "", 1, "R", false, 0, "")
	}
	y := pdf.GetY()
	pdf.Line(marginL, y, marginL+w, y)
	pdf.SetY(y + 7)
}

// tableHeadings draws the transaction table's column headings.
func (r *renderer) tableHeadings() {
	pdf := r.pdf
	pdf.SetFont("Helvetica", "B", 9)
	r.fillColor(navy)
	pdf.SetTextColor(255, 255, 255)
	pdf.SetX(marginL)
	pdf.CellFormat(colDate, 6.5, "Date", "", 0, "L", true, 0, "")
	pdf.CellFormat(colDesc, 6.5, "Description", "", 0, "L", true, 0, "")
	pdf.CellFormat(colDebit, 6.5, "Debit", "", 0, "R", true, 0, "")
	pdf.CellFormat(colCredit, 6.5, "Credit", "", 0, "R", true, 0, "")
	pdf.CellFormat(colBalance, 6.5, "Balance", "", 1, "R", true, 0, "")
	r.textColor([3]int{0, 0, 0})
	pdf.SetFont("Helvetica", "", 9)
}

// ensureRoom starts a new page when h millimetres do not fit on this one.
func (r *renderer) ensureRoom(h float64) {
	if r.pdf.GetY()+h > pageH-marginBot {
		r.pdf.AddPage()
	}
}

// row draws one table row; its description may wrap over several lines.
func (r *renderer) row(date, desc string, debit, credit, balance string, fill, bold bool) {
	pdf := r.pdf
	style := ""
	if bold {
		style = "B"
	}
	pdf.SetFont("Helvetica", style, 9)
	lines := r.wrap(desc, colDesc)
	if len(lines) > maxDescLines {
		lines = append(lines[:maxDescLines-1], r.fitUTF8(strings.Join(lines[maxDescLines-1:], " ")+" ...", colDesc))
	}
	for i, l := range lines {
		lines[i] = r.tr(l)
	}
	h := float64(len(lines))*(rowH-0.8) + 0.8
	r.ensureRoom(h)
	pdf.SetFont("Helvetica", style, 9)
	y := pdf.GetY()
	if fill {
		r.fillColor(stripe)
		pdf.Rect(marginL, y, contentW, h, "F")
	}
	x := marginL
	pdf.SetXY(x, y)
	pdf.CellFormat(colDate, rowH, date, "", 0, "L", false, 0, "")
	x += colDate
	for i, l := range lines {
		pdf.SetXY(x, y+float64(i)*(rowH-0.8))
		pdf.CellFormat(colDesc, rowH, l, "", 0, "L", false, 0, "")
	}
	x += colDesc
	pdf.SetXY(x, y)
	pdf.CellFormat(colDebit, rowH, r.tr(debit), "", 0, "R", false, 0, "")
	pdf.CellFormat(colCredit, rowH, r.tr(credit), "", 0, "R", false, 0, "")
	pdf.CellFormat(colBalance, rowH, r.tr(balance), "", 0, "R", false, 0, "")
	pdf.SetXY(marginL, y+h)
}

// transactions draws the transaction table, paginating as needed.
func (r *renderer) transactions() {
	pdf := r.pdf
	p := r.p
	// The heading, the column headings and the first rows stay together.
	r.ensureRoom(7 + 6.5 + 3*rowH)
	pdf.SetFont("Helvetica", "B", 11)
	r.textColor(navy)
	pdf.CellFormat(contentW, 7, r.tr("Transactions"), "", 1, "L", false, 0, "")
	r.tableHeadings()
	r.inTable = true

	r.row(p.start.Format(dateLayout), "Opening balance", "", "", FormatAmount(p.opening), false, true)
	if len(p.txns) == 0 {
		r.ensureRoom(rowH + 2)
		y := pdf.GetY()
		r.fillColor(stripe)
		pdf.Rect(marginL, y, contentW, rowH+2, "F")
		pdf.SetXY(marginL, y+1)
		pdf.SetFont("Helvetica", "I", 9)
		r.textColor(grey)
		pdf.CellFormat(contentW, rowH, r.tr("No transactions this period"), "", 2, "L", false, 0, "")
		r.textColor([3]int{0, 0, 0})
		pdf.SetXY(marginL, y+rowH+2)
	}
	for i, t := range p.txns {
		debit, credit := "", ""
		if t.Debit != 0 {
			debit = FormatAmount(t.Debit)
		}
		if t.Credit != 0 {
			credit = FormatAmount(t.Credit)
		}
		r.row(t.Date.UTC().Format(dateLayout), t.Description, debit, credit, FormatAmount(t.Balance), i%2 == 0, false)
	}
	// Totals and closing balance.
	r.ensureRoom(2*rowH + 1)
	r.drawColor(navy)
	y := pdf.GetY()
	pdf.Line(marginL, y, pageW-marginR, y)
	r.row("", "Totals", FormatAmount(p.debits), FormatAmount(p.credits), "", false, true)
	r.row(p.end.Format(dateLayout), "Closing balance", "", "", FormatAmount(p.closing), false, true)
	y = pdf.GetY()
	pdf.Line(marginL, y, pageW-marginR, y)
	r.inTable = false
	pdf.SetY(y + 6)
}

// notice closes the statement with the usual request to check it.
func (r *renderer) notice() {
	pdf := r.pdf
	r.ensureRoom(12)
	pdf.SetFont("Helvetica", "", 7.5)
	r.textColor(grey)
	pdf.MultiCell(contentW, 3.6, r.tr("Please examine this statement promptly. Any errors or omissions "+
		"must be reported within 30 days of the statement date; otherwise the statement will be "+
		"considered correct. Amounts are in "+orDefault(r.s.Account.Currency, "CAD")+"."), "", "L", false)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
