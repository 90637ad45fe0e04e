package httpapi

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/detailjson"
)

// TestMarshal checks that every body but GetAccountsDetail's goes through
// encoding/json, and that GetAccountsDetail's is json.Marshal's bytes
// whether its accounts come encoded or not.
func TestMarshal(t *testing.T) {
	t.Parallel()
	for _, v := range []any{&flinks.Error{HttpStatusCode: 400, FlinksCode: flinks.CodeInvalidRequest, Message: "<no>"},
		(*flinks.AccountsDetailResponse)(nil), map[string]int{"a": 1}} {
		want, _ := json.Marshal(v)
		got, err := marshal(v)
		if err != nil || string(got) != string(want)+"\n" {
			t.Errorf("marshal(%#v) = %s, %v; want %s", v, got, err, want)
		}
	}
	m := flinks.Money(-1234)
	d := &flinks.AccountsDetailResponse{HttpStatusCode: 200, RequestId: "r", Tag: "<t>", Accounts: []flinks.AccountDetail{{
		Title: "Chèques", Balance: flinks.Balance{Current: &m}, Transactions: []flinks.Transaction{{Date: "2026-12-01", Debit: &m}},
	}}}
	want, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	accounts, err := detailjson.AppendAccounts(nil, d.Accounts)
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]any{"response": d, "detailBody": &detailBody{resp: d, accounts: accounts}} {
		if got, err := marshal(v); err != nil || string(got) != string(want)+"\n" {
			t.Errorf("marshal of a %s = %s, %v; want %s", name, got, err, want)
		}
	}
	minimum := flinks.Money(math.MinInt64)
	d.Accounts[0].Transactions[0].Debit = &minimum
	if got, err := marshal(d); err == nil {
		t.Errorf("marshal wrote an amount of math.MinInt64 cents: %s", got)
	}
}
