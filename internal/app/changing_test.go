package app_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/app"
	"github.com/bankfeed/bankfeed/internal/enrich"
	"github.com/bankfeed/bankfeed/internal/store/pgstore/pgtest"
)

// changingScenario is a bank whose user declares transactions that move
// across refreshes: a restaurant bill pending two days before the link,
// posting two days after it with the tip; a payday advance pending the
// day before the link, which the bank removes four days after it; and a
// refund that shows up three days after the link.
const changingScenario = `{
  "Institution": "ChangingBank",
  "InstitutionId": 901,
  "Users": [{
    "Username": "alice",
    "Password": "Everyday",
    "Transactions": [
      {"Description": "RESTAURANT CHEZ LEON", "Amount": "-42.10", "Day": -2, "PendingUntil": "48h",
       "PostedAmount": "-50.52", "PostedDescription": "RESTAURANT CHEZ LEON TIP", "Category": "Shopping"},
      {"Description": "CASH MONEY ADVANCE", "Amount": "400.00", "Day": -1, "PendingUntil": "120h", "RemovedAfter": "96h"},
      {"Description": "REFUND AMAZON.CA", "Amount": "19.99", "Day": 3}
    ]
  }]
}`

// TestChangingTransactions links a login whose scenario declares
// transactions, reads it, lets the clock run and refreshes it the way a
// nightly pass does (bankfeed refresh --now), twice: the restaurant bill
// is pending, then posted with the same Id and its new amount and
// description, the payday advance is shown then gone, every running
// balance after them moves by what changed and none before, and the
// attributes and the categorization (with the scenario's category
// overriding the rules) follow each refresh.
func TestChangingTransactions(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			var database []string
			if kind == "postgres" {
				database = []string{"--database", pgtest.NewDatabase(t)}
			}
			testChangingTransactions(t, database)
		})
	}
}

// testChangingTransactions is TestChangingTransactions on the database
// that the flags name (SQLite when none).
func testChangingTransactions(t *testing.T, database []string) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "changing.json"), []byte(changingScenario), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServerArgs(t, "", nil, append([]string{"--scenarios", dir, "--refresh-at", "off"}, database...)...)
	ctx := context.Background()

	auth, err := s.client.Authorize(ctx, flinks.AuthorizeRequest{Institution: "ChangingBank", Username: "alice",
		Password: "Everyday", Save: true, ScheduleRefresh: flinks.Bool(true)})
	if err != nil || auth.Login == nil {
		t.Fatalf("Authorize: %+v, %v", auth, err)
	}
	login := auth.Login.Id

	// read returns the chequing account's transactions by description,
	// after checking the balances and the attributes of the read.
	type read struct {
		byDesc map[string]flinks.Transaction
		byID   map[string]flinks.Transaction
		order  map[string]int // position, newest first
		cat    map[string]string
		card   flinks.AttributeCard
	}
	take := func(requestID string, lastRefresh *string) read {
		t.Helper()
		d := detail(t, s, flinks.DataRequest{RequestId: requestID})
		checkBalances(t, d.Accounts)
		r := read{byDesc: map[string]flinks.Transaction{}, byID: map[string]flinks.Transaction{}, order: map[string]int{}, cat: map[string]string{}}
		for i, tx := range d.Accounts[0].Transactions {
			r.byDesc[tx.Description] = tx
			r.byID[tx.Id] = tx
			r.order[tx.Id] = i
		}
		cats, err := s.client.Categorization(ctx, login, requestID)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cats.Transactions {
			r.cat[c.Description] = c.Category
		}
		got, err := s.client.Attributes(ctx, string(enrich.All), login, requestID)
		if err != nil {
			t.Fatal(err)
		}
		r.card = got.Card
		// The card is the one computed from this read, the scenario's
		// category (which the wire does not carry) put back.
		asOf, err := time.Parse(flinks.TimeLayout, *lastRefresh)
		if err != nil {
			t.Fatal(err)
		}
		for i := range d.Accounts[0].Transactions {
			if tx := &d.Accounts[0].Transactions[i]; tx.Description == "RESTAURANT CHEZ LEON" || tx.Description == "RESTAURANT CHEZ LEON TIP" {
				tx.BankCategory = enrich.CatShopping
			}
		}
		if want := decodedCard(t, enrich.Card(enrich.All, login, d.Accounts, asOf)); !reflect.DeepEqual(got.Card, want) {
			t.Errorf("the attributes are not those of the data read:\n got %v\nwant %v", got.Card, want)
		}
		return r
	}
	refresh := func(after time.Duration) read {
		t.Helper()
		s.clock.Advance(after)
		var out bytes.Buffer
		args := append([]string{"refresh", "--now", "--data", s.dataDir, "--scenarios", dir}, database...)
		if err := app.Main(ctx, args, func(string) string { return "" },
			&out, testLogWriter{t}, app.WithClock(s.clock.Now)); err != nil {
			t.Fatalf("bankfeed refresh --now: %v", err)
		}
		cached, err := s.client.AuthorizeCached(ctx, login)
		if err != nil {
			t.Fatalf("cached Authorize after the refresh (%s): %v", out.String(), err)
		}
		return take(cached.RequestId, cached.Login.LastRefresh)
	}
	amount := func(tx flinks.Transaction) flinks.Money { return value(tx.Credit) - value(tx.Debit) }
	microLoans := func(r read) float64 {
		n, ok := r.card.Number("count_micro_loan_deposits_90_days")
		if !ok {
			t.Fatalf("no count_micro_loan_deposits_90_days in %v", r.card)
		}
		return n
	}

	// At the link: both pending, the refund not there yet.
	linked := take(auth.RequestId, auth.Login.LastRefresh)
	bill, ok := linked.byDesc["RESTAURANT CHEZ LEON"]
	if !ok || amount(bill) != -42_10 || bill.Date != s.clock.Now().AddDate(0, 0, -2).Format("2006-01-02") {
		t.Fatalf("at the link, the pending bill is %+v, want -42.10 two days before", bill)
	}
	advance, ok := linked.byDesc["CASH MONEY ADVANCE"]
	if !ok || amount(advance) != 400_00 {
		t.Fatalf("at the link, the payday advance is %+v, want 400.00", advance)
	}
	if _, ok := linked.byDesc["REFUND AMAZON.CA"]; ok {
		t.Error("the refund of three days after the link is shown at the link")
	}
	if linked.cat["RESTAURANT CHEZ LEON"] != enrich.CatShopping {
		t.Errorf("the bill is categorized %q, want the scenario's %q over the rules' %q",
			linked.cat["RESTAURANT CHEZ LEON"], enrich.CatShopping, enrich.CatRestaurants)
	}
	if n := microLoans(linked); n != 1 {
		t.Errorf("count_micro_loan_deposits_90_days = %v at the link, want 1 (the pending advance)", n)
	}

	// 50 hours later: the bill posted, the same transaction.
	posted := refresh(50 * time.Hour)
	if _, ok := posted.byDesc["RESTAURANT CHEZ LEON"]; ok {
		t.Error("the bill is still shown pending after it posted")
	}
	if tx, ok := posted.byID[bill.Id]; !ok || tx.Description != "RESTAURANT CHEZ LEON TIP" || amount(tx) != -50_52 || tx.Date != bill.Date {
		t.Errorf("after posting, transaction %s is %+v, want the tip at -50.52 on %s", bill.Id, tx, bill.Date)
	}
	if posted.cat["RESTAURANT CHEZ LEON TIP"] != enrich.CatShopping {
		t.Errorf("the posted bill is categorized %q, want %q", posted.cat["RESTAURANT CHEZ LEON TIP"], enrich.CatShopping)
	}
	if tx, ok := posted.byID[advance.Id]; !ok || amount(tx) != 400_00 {
		t.Errorf("the advance before its removal: %+v", tx)
	}
	// balancesMoved checks that, between two reads, the running balance of
	// every generated transaction both show moved by delta when it is newer
	// than the changed one, and not at all when older.
	balancesMoved := func(a, b read, changed string, delta flinks.Money) {
		t.Helper()
		newer, older := 0, 0
		for id, tx := range a.byID {
			other, ok := b.byID[id]
			if !ok || id == bill.Id || id == advance.Id || other.Description != tx.Description {
				continue
			}
			want := *tx.Balance
			if a.order[id] < a.order[changed] {
				want += delta
				newer++
			} else {
				older++
			}
			if *other.Balance != want {
				t.Errorf("%s of %s: Balance %v, then %v; want %v", tx.Description, tx.Date, *tx.Balance, *other.Balance, want)
			}
		}
		if newer == 0 || older == 0 {
			t.Errorf("%d newer and %d older transactions compared: the test shows nothing", newer, older)
		}
	}
	balancesMoved(linked, posted, bill.Id, -8_42)
	if _, ok := posted.byDesc["REFUND AMAZON.CA"]; ok {
		t.Error("the refund of three days after the link is shown on the second day")
	}
	if n := microLoans(posted); n != 1 {
		t.Errorf("count_micro_loan_deposits_90_days = %v before the removal, want 1", n)
	}

	// 50 hours more, four days after the link: the advance is gone.
	removed := refresh(50 * time.Hour)
	if tx, ok := removed.byID[advance.Id]; ok {
		t.Errorf("the removed advance is still shown: %+v", tx)
	}
	if _, ok := removed.byDesc["CASH MONEY ADVANCE"]; ok {
		t.Error("the removed advance is still shown")
	}
	if tx, ok := removed.byID[bill.Id]; !ok || amount(tx) != -50_52 {
		t.Errorf("the posted bill after the removal: %+v", tx)
	}
	balancesMoved(posted, removed, advance.Id, -400_00)
	if tx, ok := removed.byDesc["REFUND AMAZON.CA"]; !ok || amount(tx) != 19_99 || tx.Date != s.clock.Now().AddDate(0, 0, -1).Format("2006-01-02") {
		t.Errorf("four days after the link, the refund is %+v, want 19.99 on the third day", tx)
	}
	if n := microLoans(removed); n != 0 {
		t.Errorf("count_micro_loan_deposits_90_days = %v after the removal, want 0", n)
	}
}
