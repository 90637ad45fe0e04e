// Package detailjson writes the body of GetAccountsDetail, byte for byte as
// encoding/json writes it.
//
// The body is written by hand: it holds hundreds of transactions, and under
// load (the cached workload of bench/load) its encoding through
// encoding/json was the largest single cost of the server after SQLite, a
// sixth of its CPU: reflection over every field, and a MarshalJSON call for
// every amount, whose output encoding/json then checks and copies again.
// The tests hold the encoder to json.Marshal's bytes over values of every
// shape, so a field added to the wire types without it fails them.
//
// The accounts can be encoded on their own (AppendAccounts), once, and
// copied into every body that carries them (Append): the copies of shaped
// accounts that package accounts keeps are kept with their JSON.
package detailjson

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/bankfeed/bankfeed/flinks"
)

// Append appends the JSON of d to b. accounts, when not nil, is the JSON of
// d.Accounts as AppendAccounts writes it, and is copied in instead of
// encoding d.Accounts again.
func Append(b []byte, d *flinks.AccountsDetailResponse, accounts []byte) ([]byte, error) {
	n := len(accounts)
	if accounts == nil {
		n = Size(d.Accounts)
	}
	var e encoder
	b = e.accountsDetail(slices.Grow(b, n+512), d, accounts)
	return b, e.err
}

// AppendAccounts appends the JSON of accts, the Accounts of a body, to b.
func AppendAccounts(b []byte, accts []flinks.AccountDetail) ([]byte, error) {
	var e encoder
	b = e.accounts(slices.Grow(b, Size(accts)), accts)
	return b, e.err
}

// Size estimates the size of the JSON of accts, so that a buffer is
// allocated once: about 160 bytes a transaction, 800 an account.
func Size(accts []flinks.AccountDetail) int {
	n := 0
	for i := range accts {
		n += 800 + 160*len(accts[i].Transactions)
	}
	return n
}

// encoder appends the parts of a body to a buffer, remembering the first
// error.
type encoder struct {
	err error
}

func (e *encoder) accountsDetail(b []byte, d *flinks.AccountsDetailResponse, accounts []byte) []byte {
	b = append(b, `{"HttpStatusCode":`...)
	b = strconv.AppendInt(b, int64(d.HttpStatusCode), 10)
	b = append(b, `,"Accounts":`...)
	if accounts != nil {
		b = append(b, accounts...)
	} else {
		b = e.accounts(b, d.Accounts)
	}
	b = append(b, `,"InstitutionName":`...)
	b = appendString(b, d.InstitutionName)
	b = append(b, `,"Login":`...)
	b = appendLogin(b, d.Login)
	b = append(b, `,"InstitutionId":`...)
	b = strconv.AppendInt(b, int64(d.InstitutionId), 10)
	b = append(b, `,"Institution":`...)
	b = appendString(b, d.Institution)
	b = append(b, `,"RequestId":`...)
	b = appendString(b, d.RequestId)
	if d.Tag != "" { // omitempty
		b = append(b, `,"Tag":`...)
		b = appendString(b, d.Tag)
	}
	return append(b, '}')
}

func (e *encoder) accounts(b []byte, accts []flinks.AccountDetail) []byte {
	if accts == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i := range accts {
		if i > 0 {
			b = append(b, ',')
		}
		b = e.accountDetail(b, &accts[i])
	}
	return append(b, ']')
}

func (e *encoder) accountDetail(b []byte, a *flinks.AccountDetail) []byte {
	b = append(b, `{"Transactions":`...)
	if a.Transactions == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range a.Transactions {
			if i > 0 {
				b = append(b, ',')
			}
			b = e.transaction(b, &a.Transactions[i])
		}
		b = append(b, ']')
	}
	b = append(b, `,"TransitNumber":`...)
	b = appendStringPtr(b, a.TransitNumber)
	b = append(b, `,"InstitutionNumber":`...)
	b = appendStringPtr(b, a.InstitutionNumber)
	b = append(b, `,"OverdraftLimit":`...)
	b = e.money(b, a.OverdraftLimit)
	b = append(b, `,"Title":`...)
	b = appendString(b, a.Title)
	b = append(b, `,"AccountNumber":`...)
	b = appendStringPtr(b, a.AccountNumber)
	b = append(b, `,"LastFourDigits":`...)
	b = appendStringPtr(b, a.LastFourDigits)
	b = append(b, `,"Balance":{"Available":`...)
	b = e.money(b, a.Balance.Available)
	b = append(b, `,"Current":`...)
	b = e.money(b, a.Balance.Current)
	b = append(b, `,"Limit":`...)
	b = e.money(b, a.Balance.Limit)
	b = append(b, `},"Category":`...)
	b = appendString(b, a.Category)
	b = append(b, `,"Type":`...)
	b = appendString(b, a.Type)
	b = append(b, `,"Currency":`...)
	b = appendString(b, a.Currency)
	b = append(b, `,"Holder":`...)
	b = appendHolder(b, a.Holder)
	b = append(b, `,"AccountType":`...)
	b = appendStringPtr(b, a.AccountType)
	b = append(b, `,"Id":`...)
	b = appendString(b, a.Id)
	return append(b, '}')
}

func (e *encoder) transaction(b []byte, t *flinks.Transaction) []byte {
	b = append(b, `{"Date":`...)
	b = appendString(b, t.Date)
	b = append(b, `,"Code":`...)
	b = appendStringPtr(b, t.Code)
	b = append(b, `,"Description":`...)
	b = appendString(b, t.Description)
	b = append(b, `,"Debit":`...)
	b = e.money(b, t.Debit)
	b = append(b, `,"Credit":`...)
	b = e.money(b, t.Credit)
	b = append(b, `,"Balance":`...)
	b = e.money(b, t.Balance)
	b = append(b, `,"Id":`...)
	b = appendString(b, t.Id)
	return append(b, '}')
}

func appendHolder(b []byte, h *flinks.Holder) []byte {
	if h == nil {
		return append(b, "null"...)
	}
	b = append(b, `{"Name":`...)
	b = appendStringPtr(b, h.Name)
	b = append(b, `,"Address":`...)
	if ad := h.Address; ad == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, `{"CivicAddress":`...)
		b = appendStringPtr(b, ad.CivicAddress)
		b = append(b, `,"City":`...)
		b = appendStringPtr(b, ad.City)
		b = append(b, `,"Province":`...)
		b = appendStringPtr(b, ad.Province)
		b = append(b, `,"PostalCode":`...)
		b = appendStringPtr(b, ad.PostalCode)
		b = append(b, `,"POBox":`...)
		b = appendStringPtr(b, ad.POBox)
		b = append(b, `,"Country":`...)
		b = appendStringPtr(b, ad.Country)
		b = append(b, '}')
	}
	b = append(b, `,"Email":`...)
	b = appendStringPtr(b, h.Email)
	b = append(b, `,"PhoneNumber":`...)
	b = appendStringPtr(b, h.PhoneNumber)
	return append(b, '}')
}

func appendLogin(b []byte, l *flinks.Login) []byte {
	if l == nil {
		return append(b, "null"...)
	}
	b = append(b, `{"Username":`...)
	b = appendString(b, l.Username)
	b = append(b, `,"IsScheduledRefresh":`...)
	b = strconv.AppendBool(b, l.IsScheduledRefresh)
	b = append(b, `,"LastRefresh":`...)
	b = appendStringPtr(b, l.LastRefresh)
	b = append(b, `,"Type":`...)
	b = appendStringPtr(b, l.Type)
	b = append(b, `,"Id":`...)
	b = appendString(b, l.Id)
	return append(b, '}')
}

// money writes an amount as flinks.Money.MarshalJSON does, without its
// allocations.
func (e *encoder) money(b []byte, m *flinks.Money) []byte {
	if m == nil {
		return append(b, "null"...)
	}
	v := int64(*m)
	if v == math.MinInt64 {
		// -v overflows: Money.MarshalJSON writes no number for it, and
		// json.Marshal fails. No amount is that large.
		if e.err == nil {
			_, e.err = json.Marshal(m)
		}
		return b
	}
	if v < 0 {
		b, v = append(b, '-'), -v
	}
	b = strconv.AppendInt(b, v/100, 10)
	return append(b, '.', byte('0'+v%100/10), byte('0'+v%10))
}

func appendStringPtr(b []byte, s *string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return appendString(b, *s)
}

const hex = "0123456789abcdef"

// appendString writes s as a JSON string exactly as encoding/json does with
// its default HTML escaping: <, > and & as \u003c, \u003e and \u0026, U+2028
// and U+2029 escaped, invalid UTF-8 replaced by \ufffd.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
