// Package fieldmatch scores the identity fields a KYC flow sends (name,
// address, postal code, email, phone) against the holders of a login's
// accounts. It is pure: every rule of normalisation is here and tested, so
// that a score can be explained from its inputs.
package fieldmatch

import (
	"sort"
	"strings"
	"unicode"

	"github.com/bankfeed/bankfeed/flinks"
)

// Fields are what a caller asks to match; an empty field is not scored.
type Fields struct {
	Name, Address, PostalCode, Email, Phone string
}

// Score is one field's result: Value from 0 to 1, or NoData when no
// account holder has that field.
type Score struct {
	Value  float64
	NoData bool
}

// Result is the score of every field asked, the mean of the scored ones
// (Rate) and whether each scored field reached the threshold (Match).
type Result struct {
	Fields map[string]Score
	Rate   float64
	Match  bool
}

// DefaultThreshold is used when the caller sends none.
const DefaultThreshold = 0.8

// Match scores f against the holders; the best holder wins each field, as
// a joint account may hold the applicant under any of its holders.
func Match(f Fields, holders []flinks.Holder, threshold float64) Result {
	if threshold <= 0 || threshold > 1 {
		threshold = DefaultThreshold
	}
	res := Result{Fields: map[string]Score{}, Match: true}
	type field struct {
		name  string
		asked string
		have  func(flinks.Holder) string
		score func(a, b string) float64
	}
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	addr := func(h flinks.Holder) *flinks.Address {
		if h.Address == nil {
			return &flinks.Address{}
		}
		return h.Address
	}
	fields := []field{
		{"Name", f.Name, func(h flinks.Holder) string { return str(h.Name) }, Tokens},
		{"Address", f.Address, func(h flinks.Holder) string { return str(addr(h).CivicAddress) }, Tokens},
		{"PostalCode", f.PostalCode, func(h flinks.Holder) string { return str(addr(h).PostalCode) }, Postal},
		{"Email", f.Email, func(h flinks.Holder) string { return str(h.Email) }, Email},
		{"Phone", f.Phone, func(h flinks.Holder) string { return str(h.PhoneNumber) }, Phone},
	}
	var sum float64
	var n int
	for _, fl := range fields {
		if strings.TrimSpace(fl.asked) == "" {
			continue
		}
		s := Score{NoData: true}
		for _, h := range holders {
			if v := fl.have(h); strings.TrimSpace(v) != "" {
				if sc := fl.score(fl.asked, v); s.NoData || sc > s.Value {
					s = Score{Value: sc}
				}
			}
		}
		res.Fields[fl.name] = s
		if s.NoData {
			continue
		}
		sum += s.Value
		n++
		if s.Value < threshold {
			res.Match = false
		}
	}
	if n == 0 {
		res.Match = false
		return res
	}
	res.Rate = sum / float64(n)
	return res
}

// fold maps the accented Latin letters of French and Spanish names to
// their base letter; the standard library has no Unicode decomposition.
var fold = strings.NewReplacer(
	"à", "a", "â", "a", "ä", "a", "á", "a", "ã", "a", "ç", "c", "é", "e", "è", "e", "ê", "e", "ë", "e",
	"î", "i", "ï", "i", "í", "i", "ì", "i", "ô", "o", "ö", "o", "ó", "o", "ò", "o", "õ", "o",
	"û", "u", "ù", "u", "ü", "u", "ú", "u", "ÿ", "y", "ñ", "n", "œ", "oe", "æ", "ae",
)

// Normalize lowercases, folds accents and turns punctuation into spaces.
func Normalize(s string) string {
	s = fold.Replace(strings.ToLower(s))
	s = strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return ' '
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// Tokens scores two names or addresses by the share of words they have in
// common (Jaccard), so that word order ("Doe, John" and "John Doe") does
// not count.
func Tokens(a, b string) float64 {
	ta, tb := set(Normalize(a)), set(Normalize(b))
	if len(ta) == 0 || len(tb) == 0 {
		return 0
	}
	inter := 0
	for w := range ta {
		if tb[w] {
			inter++
		}
	}
	return float64(inter) / float64(len(ta)+len(tb)-inter)
}

func set(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// Postal scores Canadian postal codes without spaces or case: 1 when
// equal, 0.5 when only the forward sortation area (first three) is.
func Postal(a, b string) float64 {
	a, b = strings.ReplaceAll(Normalize(a), " ", ""), strings.ReplaceAll(Normalize(b), " ", "")
	switch {
	case a == b && a != "":
		return 1
	case len(a) >= 3 && len(b) >= 3 && a[:3] == b[:3]:
		return 0.5
	}
	return 0
}

// Email scores addresses equal without case or surrounding space.
func Email(a, b string) float64 {
	if strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b)) {
		return 1
	}
	return 0
}

// Phone scores North American numbers by their digits, without the
// country code 1: "+1 (514) 555-0100" and "514.555.0100" are one number.
func Phone(a, b string) float64 {
	da, db := digits(a), digits(b)
	if da != "" && da == db {
		return 1
	}
	return 0
}

func digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	if len(d) == 11 && d[0] == '1' {
		d = d[1:]
	}
	return d
}

// Names lists the fields of a Result in a stable order, for rendering.
func (r Result) Names() []string {
	var v []string
	for k := range r.Fields {
		v = append(v, k)
	}
	sort.Strings(v)
	return v
}
