package flinks

import (
	"bytes"
	"strconv"
	"strings"
)

// Money is an amount in cents. On the wire it is a JSON number with up to
// two decimals ("1234.56"), as Flinks sends money; in Go it is an integer, so
// sums are exact.
type Money int64

// MarshalJSON writes the amount as a decimal JSON number.
func (m Money) MarshalJSON() ([]byte, error) {
	return []byte(m.String()), nil
}

// String formats the amount with two decimals, e.g. "-12.05".
func (m Money) String() string {
	v := int64(m)
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	frac := strconv.FormatInt(v%100, 10)
	if len(frac) == 1 {
		frac = "0" + frac
	}
	return sign + strconv.FormatInt(v/100, 10) + "." + frac
}

// UnmarshalJSON reads a JSON number (or a string holding one) exactly, to the
// cent; digits past the second decimal are rounded half away from zero.
func (m *Money) UnmarshalJSON(data []byte) error {
	s := string(bytes.TrimSpace(data))
	if s == "null" {
		return nil
	}
	s = strings.Trim(s, `"`)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || strings.ContainsAny(s, "eE+") || strings.Trim(whole, "0123456789") != "" || strings.Trim(frac, "0123456789") != "" {
		return &ValueError{Want: "an amount such as 1234.56", Got: abbreviate(data)}
	}
	frac += "000"
	cents, err := strconv.ParseInt(whole+frac[:2], 10, 64)
	if err != nil {
		return &ValueError{Want: "an amount such as 1234.56", Got: abbreviate(data)}
	}
	if frac[2] >= '5' {
		cents++
	}
	if neg {
		cents = -cents
	}
	*m = Money(cents)
	return nil
}
