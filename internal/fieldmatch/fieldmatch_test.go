package fieldmatch

import (
	"testing"

	"github.com/bankfeed/bankfeed/flinks"
)

func TestNormalisation(t *testing.T) {
	cases := []struct {
		name string
		f    func(a, b string) float64
		a, b string
		want float64
	}{
		{"case", Tokens, "JOHN DOE", "john doe", 1},
		{"accents", Tokens, "Hélène Côté", "Helene Cote", 1},
		{"punctuation and order", Tokens, "Doe, John", "John Doe", 1},
		{"half the words", Tokens, "John Smith", "John Doe", 1.0 / 3},
		{"nothing in common", Tokens, "Jane Roe", "John Doe", 0},
		{"address punctuation", Tokens, "123, Rue Saint-Denis", "123 rue saint denis", 1},
		{"postal spacing", Postal, "h2x 1y4", "H2X1Y4", 1},
		{"postal area only", Postal, "H2X 1Y4", "H2X 9Z9", 0.5},
		{"postal different", Postal, "M5V 2T6", "H2X 1Y4", 0},
		{"email case", Email, " John@Example.COM", "john@example.com", 1},
		{"email different", Email, "john@example.com", "jon@example.com", 0},
		{"phone formats", Phone, "+1 (514) 555-0100", "514.555.0100", 1},
		{"phone different", Phone, "514-555-0100", "514-555-0101", 0},
	}
	for _, c := range cases {
		if got := c.f(c.a, c.b); got != c.want {
			t.Errorf("%s: %q vs %q = %v, want %v", c.name, c.a, c.b, got, c.want)
		}
	}
}

func p(s string) *string { return &s }

func TestMatch(t *testing.T) {
	holders := []flinks.Holder{{Name: p("John Doe"), Email: p("john@example.com"),
		Address: &flinks.Address{CivicAddress: p("1 Main St"), PostalCode: p("H2X 1Y4")}}}
	r := Match(Fields{Name: "doe john", PostalCode: "h2x1y4", Phone: "514 555 0100"}, holders, 0)
	if r.Fields["Name"] != (Score{Value: 1}) || r.Fields["PostalCode"] != (Score{Value: 1}) || !r.Fields["Phone"].NoData {
		t.Errorf("fields = %+v", r.Fields)
	}
	if !r.Match || r.Rate != 1 {
		t.Errorf("match %v rate %v, want true 1 (noData does not count)", r.Match, r.Rate)
	}
	r = Match(Fields{Name: "John Smith", Email: "john@example.com"}, holders, 0.9)
	if r.Match || r.Rate != (1.0/3+1)/2 {
		t.Errorf("match %v rate %v", r.Match, r.Rate)
	}
	if r := Match(Fields{Phone: "1"}, holders, 0); r.Match || r.Rate != 0 {
		t.Errorf("only noData fields: %+v", r)
	}
}
