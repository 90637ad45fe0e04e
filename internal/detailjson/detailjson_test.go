package detailjson

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/bankfeed/bankfeed/flinks"
)

// tricky are strings that exercise every escape of encoding/json.
var tricky = []string{
	"", "Triangle", "PAYROLL DEPOSIT", "<script>alert(1)</script> & co", `quote " back \ slash`,
	"\b\f\n\r\t\x00\x01\x1f\x7f", "Montréal, Québec", "line\u2028para\u2029end", "\xff\xfe invalid \xc3",
	"🎉 emoji", "2025-06-15", "12.30",
}

// fill sets v, of any type the wire types use, to a random value: every
// field of a struct, nil or not for pointers, nil, empty or not for slices.
// A kind it does not know fails the test, so that a new kind of field in
// the wire types is noticed.
func fill(t *testing.T, v reflect.Value, r *rand.Rand) {
	switch v.Kind() {
	case reflect.String:
		if r.IntN(3) == 0 {
			b := make([]byte, r.IntN(12))
			for i := range b {
				b[i] = byte(r.UintN(256))
			}
			v.SetString(string(b))
		} else {
			v.SetString(tricky[r.IntN(len(tricky))])
		}
	case reflect.Int, reflect.Int64:
		edges := []int64{0, 1, -1, 5, -5, 99, 100, -100, -101, 123456, -987654321, math.MaxInt64, math.MinInt64 + 1}
		if r.IntN(2) == 0 {
			v.SetInt(edges[r.IntN(len(edges))])
		} else {
			v.SetInt(r.Int64N(2_000_000) - 1_000_000)
		}
	case reflect.Bool:
		v.SetBool(r.IntN(2) == 0)
	case reflect.Pointer:
		if r.IntN(4) > 0 {
			p := reflect.New(v.Type().Elem())
			fill(t, p.Elem(), r)
			v.Set(p)
		}
	case reflect.Slice:
		switch n := r.IntN(5); n {
		case 0: // nil
		default:
			s := reflect.MakeSlice(v.Type(), n-1, n-1)
			for i := range n - 1 {
				fill(t, s.Index(i), r)
			}
			v.Set(s)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			fill(t, v.Field(i), r)
		}
	default:
		t.Fatalf("fill: no random value for a %s (%s)", v.Kind(), v.Type())
	}
}

// TestAppend holds the hand-written encoder of GetAccountsDetail's body to
// json.Marshal's bytes, whole and with its accounts encoded apart.
func TestAppend(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 3000 {
		var d flinks.AccountsDetailResponse
		fill(t, reflect.ValueOf(&d).Elem(), r)
		checkAppend(t, &d, i)
	}
	// The body as the server builds it, with the values it never leaves
	// out.
	check := func(d *flinks.AccountsDetailResponse) { t.Helper(); checkAppend(t, d, -1) }
	check(&flinks.AccountsDetailResponse{})
	check(&flinks.AccountsDetailResponse{Accounts: []flinks.AccountDetail{}})
	check(&flinks.AccountsDetailResponse{Accounts: []flinks.AccountDetail{{Transactions: []flinks.Transaction{}}}})

	// The one amount Money cannot write: json.Marshal fails, and so must
	// the encoder.
	minimum := flinks.Money(math.MinInt64)
	d := &flinks.AccountsDetailResponse{Accounts: []flinks.AccountDetail{{Transactions: []flinks.Transaction{{Debit: &minimum}}}}}
	if _, err := json.Marshal(d); err == nil {
		t.Fatal("json.Marshal wrote an amount of math.MinInt64 cents")
	}
	if got, err := Append(nil, d, nil); err == nil {
		t.Errorf("Append wrote an amount of math.MinInt64 cents: %s", got)
	}
	if got, err := AppendAccounts(nil, d.Accounts); err == nil {
		t.Errorf("AppendAccounts wrote an amount of math.MinInt64 cents: %s", got)
	}
}

// checkAppend checks both ways of writing d against json.Marshal, and that
// Append appends.
func checkAppend(t *testing.T, d *flinks.AccountsDetailResponse, i int) {
	t.Helper()
	want, wantErr := json.Marshal(d)
	if wantErr != nil {
		t.Fatalf("value %d: json.Marshal error %v", i, wantErr)
	}
	got, err := Append([]byte("prefix"), d, nil)
	if err != nil {
		t.Fatalf("value %d: Append error %v", i, err)
	}
	if !bytes.Equal(got, append([]byte("prefix"), want...)) {
		t.Fatalf("value %d: Append differs from json.Marshal:\n got %s\nwant %s", i, got, want)
	}
	accounts, err := AppendAccounts(nil, d.Accounts)
	if err != nil {
		t.Fatalf("value %d: AppendAccounts error %v", i, err)
	}
	if got, err = Append(nil, d, accounts); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("value %d: Append with the accounts encoded apart differs from json.Marshal (%v):\n got %s\nwant %s", i, err, got, want)
	}
}

// FuzzAppend puts arbitrary text and amounts in a body of GetAccountsDetail
// and holds the encoder to json.Marshal's bytes.
func FuzzAppend(f *testing.F) {
	for _, s := range tricky {
		f.Add(s, int64(-1234))
	}
	f.Fuzz(func(t *testing.T, s string, cents int64) {
		if cents == math.MinInt64 {
			t.Skip("the amount Money cannot write, checked by TestAppend")
		}
		m := flinks.Money(cents)
		d := &flinks.AccountsDetailResponse{HttpStatusCode: 200, InstitutionName: s, Tag: s, Accounts: []flinks.AccountDetail{{
			Title: s, AccountNumber: &s, Balance: flinks.Balance{Current: &m},
			Transactions: []flinks.Transaction{{Date: s, Description: s, Debit: &m, Balance: &m, Id: s}},
		}}}
		checkAppend(t, d, 0)
	})
}
