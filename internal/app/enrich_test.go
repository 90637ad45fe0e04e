package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/client"
	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/enrich"
)

// TestEnrichEndToEnd walks the lender's path: a live Authorize, the
// accounts, then every attribute package and the categorization with the
// same RequestId, and every refusal.
func TestEnrichEndToEnd(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := startServer(t, "", clk)
	ctx := context.Background()
	auth := liveLogin(t, s, "Greatday")
	d := detail(t, s, flinks.DataRequest{RequestId: auth.RequestId})
	login := auth.Login.Id

	// The card is as of the live login that fetched the data.
	asOf, err := time.Parse(flinks.TimeLayout, *auth.Login.LastRefresh)
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range enrich.Packages {
		got, err := s.client.Attributes(ctx, string(pkg), login, auth.RequestId)
		if err != nil {
			t.Fatalf("%s: %v", pkg, err)
		}
		// The endpoint computes from the same snapshot GetAccountsDetail
		// read, so the card is the one computed here from that answer, as
		// it reads once through JSON.
		want := decodedCard(t, enrich.Card(pkg, login, d.Accounts, asOf))
		if !reflect.DeepEqual(got.Card, want) || got.RequestId != auth.RequestId || got.Login == nil || got.Login.Id != login {
			t.Errorf("%s = %+v, want card %+v", pkg, got, want)
		}
		if len(got.Card) != len(enrich.Names(pkg))+1 {
			t.Errorf("%s: %d entries, want the Id and %d attributes", pkg, len(got.Card), len(enrich.Names(pkg)))
		}
	}
	cat, err := s.client.Categorization(ctx, login, auth.RequestId)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, a := range d.Accounts {
		n += len(a.Transactions)
	}
	if len(cat.Transactions) != n {
		t.Errorf("categorization has %d transactions, the accounts %d", len(cat.Transactions), n)
	}
	for _, tx := range cat.Transactions {
		if tx.Category != enrich.Categorize(tx.Transaction) {
			t.Errorf("transaction %s category %q, want %q", tx.Id, tx.Category, enrich.Categorize(tx.Transaction))
		}
	}

	const nobody = "0e0e0e0e-0000-4000-8000-000000000000"
	other := s.clientWith(s.addCustomer())
	pending, err := s.client.Authorize(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "test_pending", Password: "Everyday", Save: true})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name           string
		c              *client.Client
		login, request string
		status         int
		code           flinks.Code
	}{
		{"unknown RequestId", s.client, login, nobody, http.StatusBadRequest, flinks.CodeSessionNonexistent},
		{"another customer's RequestId", other, login, auth.RequestId, http.StatusBadRequest, flinks.CodeSessionNonexistent},
		{"another login's LoginId", s.client, nobody, auth.RequestId, http.StatusUnauthorized, flinks.CodeInvalidLogin},
		{"data being fetched", s.client, pending.Login.Id, pending.RequestId, http.StatusAccepted, flinks.CodeOperationPending},
	}
	for _, c := range cases {
		_, err := c.c.Attributes(ctx, client.AllAttributes, c.login, c.request)
		e := apiErr(t, err)
		if e.Body.FlinksCode != c.code || e.StatusCode != c.status {
			t.Errorf("attributes, %s: %d %s, want %d %s", c.name, e.StatusCode, e.Body.FlinksCode, c.status, c.code)
		}
		_, err = c.c.Categorization(ctx, c.login, c.request)
		e = apiErr(t, err)
		if e.Body.FlinksCode != c.code || e.StatusCode != c.status {
			t.Errorf("categorization, %s: %d %s, want %d %s", c.name, e.StatusCode, e.Body.FlinksCode, c.status, c.code)
		}
	}

	// A cached reopen, hours later, reads the same snapshot: the same card.
	clk.Advance(5 * time.Hour)
	cached, err := s.client.Authorize(ctx, flinks.AuthorizeRequest{LoginId: login, MostRecentCached: true})
	if err != nil {
		t.Fatal(err)
	}
	detail(t, s, flinks.DataRequest{RequestId: cached.RequestId})
	later, err := s.client.Attributes(ctx, client.AllAttributes, login, cached.RequestId)
	if err != nil {
		t.Fatal(err)
	}
	if want := decodedCard(t, enrich.Card(enrich.All, login, d.Accounts, asOf)); !reflect.DeepEqual(later.Card, want) {
		t.Errorf("a cached reopen changed the card:\n%v\nwant\n%v", later.Card, want)
	}
	// The first session expired meanwhile, for attributes as for data.
	_, err = s.client.Attributes(ctx, client.AllAttributes, login, auth.RequestId)
	if e := apiErr(t, err); e.StatusCode != http.StatusBadRequest || e.Body.FlinksCode != flinks.CodeSessionNonexistent {
		t.Errorf("attributes of an expired RequestId: %d %s, want 400 SESSION_NONEXISTENT", e.StatusCode, e.Body.FlinksCode)
	}
	_, err = s.client.Categorization(ctx, login, auth.RequestId)
	if e := apiErr(t, err); e.StatusCode != http.StatusBadRequest || e.Body.FlinksCode != flinks.CodeSessionNonexistent {
		t.Errorf("categorization of an expired RequestId: %d %s, want 400 SESSION_NONEXISTENT", e.StatusCode, e.Body.FlinksCode)
	}

}

// decodedCard is a card as a client decodes it: numbers as float64.
func decodedCard(t *testing.T, c flinks.AttributeCard) flinks.AttributeCard {
	t.Helper()
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var out flinks.AttributeCard
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
