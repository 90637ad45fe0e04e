package app_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/bankfeed/bankfeed/client"
	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/enrich"
)

// TestEnrichEndToEnd walks the lender's path: a live Authorize, the
// accounts, then every attribute package and the categorization with the
// same RequestId, and every refusal.
func TestEnrichEndToEnd(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	ctx := context.Background()
	auth := liveLogin(t, s, "Greatday")
	d := detail(t, s, flinks.DataRequest{RequestId: auth.RequestId})
	login := auth.Login.Id

	want := enrich.Compute(d.Accounts)
	for _, pkg := range []string{client.AllAttributes, client.IncomeAttributes, client.LendingAttributes,
		client.CreditRiskAttributes, client.UserAnalysisAttributes, client.BusinessAnalysisAttributes} {
		got, err := s.client.Attributes(ctx, pkg, login, auth.RequestId)
		if err != nil {
			t.Fatalf("%s: %v", pkg, err)
		}
		// The endpoint computes from the same snapshot GetAccountsDetail
		// read, so the card is the one computed here from that answer.
		if got.Card != want || got.RequestId != auth.RequestId || got.Login == nil || got.Login.Id != login {
			t.Errorf("%s = %+v, want card %+v", pkg, got, want)
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
}
