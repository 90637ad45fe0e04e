package accounts_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/accounts"
	"github.com/bankfeed/bankfeed/internal/store"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// parseNow is mid-afternoon on 2024-03-15, a leap year.
var parseNow = time.Date(2024, time.March, 15, 14, 30, 0, 0, time.UTC)

// defaults are the options of an empty request at parseNow.
func defaults() accounts.Options {
	return accounts.Options{
		Identity: true, KYC: true, Transactions: true, Balance: true,
		Days: 90, Statements: 1,
		Query: store.SnapshotQuery{From: day(2023, time.December, 17), To: day(2024, time.March, 15)},
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	year := func(o *accounts.Options) { o.Days = 365; o.Query.From = day(2023, time.March, 17) }
	tests := []struct {
		name string
		body string
		now  time.Time // parseNow when zero
		edit func(o *accounts.Options)
	}{
		{"defaults", `{}`, time.Time{}, nil},
		{"nulls are omissions", `{"WithKYC":null,"DaysOfTransactions":null,"NumberOfStatements":null}`, time.Time{}, nil},

		{"WithAccountIdentity true", `{"WithAccountIdentity":true}`, time.Time{}, nil},
		{"WithAccountIdentity false", `{"WithAccountIdentity":false}`, time.Time{}, func(o *accounts.Options) { o.Identity = false }},
		{"WithAccountIdentity as a string", `{"WithAccountIdentity":"False"}`, time.Time{}, func(o *accounts.Options) { o.Identity = false }},
		{"WithKYC true", `{"WithKYC":true}`, time.Time{}, nil},
		{"WithKYC false", `{"WithKYC":false}`, time.Time{}, func(o *accounts.Options) { o.KYC = false }},
		{"WithKyc spelling of the C# SDK", `{"WithKyc":false}`, time.Time{}, func(o *accounts.Options) { o.KYC = false }},
		{"WithTransactions true", `{"WithTransactions":true}`, time.Time{}, nil},
		{"WithTransactions false", `{"WithTransactions":false}`, time.Time{}, func(o *accounts.Options) {
			o.Transactions = false
			o.Query.NoTransactions = true
		}},
		{"WithBalance true", `{"WithBalance":true}`, time.Time{}, nil},
		{"WithBalance false", `{"WithBalance":false}`, time.Time{}, func(o *accounts.Options) { o.Balance = false }},
		{"all flags false", `{"WithAccountIdentity":false,"WithKYC":false,"WithTransactions":false,"WithBalance":false}`, time.Time{}, func(o *accounts.Options) {
			o.Identity, o.KYC, o.Transactions, o.Balance = false, false, false, false
			o.Query.NoTransactions = true
		}},

		{"Days90", `{"DaysOfTransactions":"Days90"}`, time.Time{}, nil},
		{"days90 any case", `{"DaysOfTransactions":"DAYS90"}`, time.Time{}, nil},
		{"Days365", `{"DaysOfTransactions":"Days365"}`, time.Time{}, year},
		{"days365 any case", `{"DaysOfTransactions":"days365"}`, time.Time{}, year},
		{"Days360 reads as Days365", `{"DaysOfTransactions":"Days360"}`, time.Time{}, year},

		{"MostRecent", `{"NumberOfStatements":"MostRecent"}`, time.Time{}, nil},
		{"mostrecent any case", `{"NumberOfStatements":"mostrecent"}`, time.Time{}, nil},
		{"Months3", `{"NumberOfStatements":"Months3"}`, time.Time{}, func(o *accounts.Options) { o.Statements = 3 }},
		{"Months12", `{"NumberOfStatements":"MONTHS12"}`, time.Time{}, func(o *accounts.Options) { o.Statements = 12 }},

		{"AccountsFilter", `{"AccountsFilter":["b","a","unknown"]}`, time.Time{}, func(o *accounts.Options) {
			o.Query.Accounts = []string{"b", "a", "unknown"}
		}},
		{"RefreshDelta", `{"RefreshDelta":[{"AccountId":"a","TransactionId":"t1"},{"AccountId":"b","TransactionId":"t2"}]}`, time.Time{}, func(o *accounts.Options) {
			o.Query.After = map[string]string{"a": "t1", "b": "t2"}
		}},
		{"RefreshDelta repeating an entry", `{"RefreshDelta":[{"AccountId":"a","TransactionId":"t1"},{"AccountId":"a","TransactionId":"t1"}]}`, time.Time{}, func(o *accounts.Options) {
			o.Query.After = map[string]string{"a": "t1"}
		}},
		{"RefreshDelta without transactions", `{"WithTransactions":false,"RefreshDelta":[{"AccountId":"a","TransactionId":"t1"}]}`, time.Time{}, func(o *accounts.Options) {
			o.Transactions = false
			o.Query.NoTransactions = true
			o.Query.After = map[string]string{"a": "t1"}
		}},

		// The window: the last Days days up to and including today.
		{"window ignores the time of day", `{}`, time.Date(2024, time.March, 15, 23, 59, 59, 0, time.UTC), nil},
		{"window is in UTC", `{}`, time.Date(2024, time.March, 14, 21, 0, 0, 0, time.FixedZone("EDT", -4*3600)), nil},
		{"Days90 across February of a leap year", `{}`, time.Date(2024, time.March, 1, 9, 0, 0, 0, time.UTC), func(o *accounts.Options) {
			o.Query.From, o.Query.To = day(2023, time.December, 3), day(2024, time.March, 1)
		}},
		{"Days90 across February of a common year", `{}`, time.Date(2023, time.March, 1, 9, 0, 0, 0, time.UTC), func(o *accounts.Options) {
			o.Query.From, o.Query.To = day(2022, time.December, 2), day(2023, time.March, 1)
		}},
		{"Days90 across a year end", `{}`, time.Date(2025, time.January, 1, 0, 0, 0, 0, time.UTC), func(o *accounts.Options) {
			o.Query.From, o.Query.To = day(2024, time.October, 4), day(2025, time.January, 1)
		}},
		{"Days365 spanning a leap day", `{"DaysOfTransactions":"Days365"}`, time.Date(2024, time.March, 1, 9, 0, 0, 0, time.UTC), func(o *accounts.Options) {
			o.Days = 365
			o.Query.From, o.Query.To = day(2023, time.March, 3), day(2024, time.March, 1)
		}},
		{"Days365 in a common year", `{"DaysOfTransactions":"Days365"}`, time.Date(2023, time.March, 1, 9, 0, 0, 0, time.UTC), func(o *accounts.Options) {
			o.Days = 365
			o.Query.From, o.Query.To = day(2022, time.March, 2), day(2023, time.March, 1)
		}},
		{"Days365 on a leap day", `{"DaysOfTransactions":"Days365"}`, time.Date(2024, time.February, 29, 9, 0, 0, 0, time.UTC), func(o *accounts.Options) {
			o.Days = 365
			o.Query.From, o.Query.To = day(2023, time.March, 2), day(2024, time.February, 29)
		}},

		// DateFrom and DateTo narrow the window and never widen it.
		{"DateFrom narrows", `{"DateFrom":"2024-02-01"}`, time.Time{}, func(o *accounts.Options) { o.Query.From = day(2024, time.February, 1) }},
		{"DateFrom on the window's first day", `{"DateFrom":"2023-12-17"}`, time.Time{}, nil},
		{"DateFrom older than Days90 is bounded", `{"DateFrom":"2023-01-01"}`, time.Time{}, nil},
		{"DateFrom older than Days365 is bounded", `{"DateFrom":"2020-01-01","DaysOfTransactions":"Days365"}`, time.Time{}, year},
		{"DateFrom within Days365", `{"DateFrom":"2023-06-30","DaysOfTransactions":"Days365"}`, time.Time{}, func(o *accounts.Options) {
			year(o)
			o.Query.From = day(2023, time.June, 30)
		}},
		{"DateFrom on a leap day", `{"DateFrom":"2024-02-29"}`, time.Time{}, func(o *accounts.Options) { o.Query.From = day(2024, time.February, 29) }},
		{"DateTo narrows", `{"DateTo":"2024-02-29"}`, time.Time{}, func(o *accounts.Options) { o.Query.To = day(2024, time.February, 29) }},
		{"DateTo today", `{"DateTo":"2024-03-15"}`, time.Time{}, nil},
		{"DateTo in the future is capped", `{"DateTo":"2030-01-01"}`, time.Time{}, nil},
		{"DateFrom and DateTo", `{"DateFrom":"2024-01-31","DateTo":"2024-02-01"}`, time.Time{}, func(o *accounts.Options) {
			o.Query.From, o.Query.To = day(2024, time.January, 31), day(2024, time.February, 1)
		}},
		{"DateFrom equal to DateTo", `{"DateFrom":"2024-03-01","DateTo":"2024-03-01"}`, time.Time{}, func(o *accounts.Options) {
			o.Query.From, o.Query.To = day(2024, time.March, 1), day(2024, time.March, 1)
		}},
		{"DateTo before the window leaves it empty", `{"DateTo":"2023-01-31"}`, time.Time{}, func(o *accounts.Options) {
			o.Query.To = day(2023, time.January, 31)
		}},
		{"DateFrom in the future leaves the window empty", `{"DateFrom":"2024-03-16"}`, time.Time{}, func(o *accounts.Options) {
			o.Query.From = day(2024, time.March, 16)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			now := tt.now
			if now.IsZero() {
				now = parseNow
			}
			want := defaults()
			if tt.edit != nil {
				tt.edit(&want)
			}
			got, err := accounts.Parse(decode(t, tt.body), now)
			if err != nil {
				t.Fatalf("Parse(%s): %v", tt.body, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Parse(%s) =\n%+v\nwant\n%+v", tt.body, got, want)
			}
		})
	}
}

func TestParseInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body, msg string
	}{
		{"Days30", `{"DaysOfTransactions":"Days30"}`, `DaysOfTransactions must be "Days90" or "Days365", not "Days30".`},
		{"days as a number word", `{"DaysOfTransactions":"90"}`, `DaysOfTransactions must be "Days90" or "Days365", not "90".`},
		{"days with spaces", `{"DaysOfTransactions":" Days90"}`, `DaysOfTransactions must be "Days90" or "Days365", not " Days90".`},
		{"long value is shortened", `{"DaysOfTransactions":"` + strings.Repeat("x", 100) + `"}`,
			`DaysOfTransactions must be "Days90" or "Days365", not "` + strings.Repeat("x", 40) + `...".`},
		{"NumberOfStatements Months6", `{"NumberOfStatements":"Months6"}`, `NumberOfStatements must be "MostRecent", "Months3" or "Months12", not "Months6".`},
		{"NumberOfStatements 3", `{"NumberOfStatements":"3"}`, `NumberOfStatements must be "MostRecent", "Months3" or "Months12", not "3".`},
		{"DateFrom in another format", `{"DateFrom":"01/31/2024"}`, `DateFrom must be a date as yyyy-MM-dd, e.g. "2024-01-31", not "01/31/2024".`},
		{"DateFrom with a time", `{"DateFrom":"2024-01-31T00:00:00"}`, `DateFrom must be a date as yyyy-MM-dd, e.g. "2024-01-31", not "2024-01-31T00:00:00".`},
		{"DateFrom not a day", `{"DateFrom":"2023-02-29"}`, `DateFrom must be a date as yyyy-MM-dd, e.g. "2024-01-31", not "2023-02-29".`},
		{"DateTo in another format", `{"DateTo":"2024-1-5"}`, `DateTo must be a date as yyyy-MM-dd, e.g. "2024-01-31", not "2024-1-5".`},
		{"DateFrom after DateTo", `{"DateFrom":"2024-03-01","DateTo":"2024-02-29"}`, `DateFrom (2024-03-01) must not be after DateTo (2024-02-29).`},
		{"RefreshDelta without AccountId", `{"RefreshDelta":[{"AccountId":"a","TransactionId":"t"},{"TransactionId":"t"}]}`,
			`RefreshDelta[1].AccountId is empty: each entry names an account and the newest transaction the client holds of it.`},
		{"RefreshDelta without TransactionId", `{"RefreshDelta":[{"AccountId":"a"}]}`,
			`RefreshDelta[0].TransactionId is empty: each entry names an account and the newest transaction the client holds of it.`},
		{"RefreshDelta contradicting itself", `{"RefreshDelta":[{"AccountId":"a","TransactionId":"t1"},{"AccountId":"a","TransactionId":"t2"}]}`,
			`RefreshDelta[1] names account "a" again with another TransactionId; send one entry per account.`},
		{"the first invalid field is reported", `{"DaysOfTransactions":"Days30","NumberOfStatements":"Months6"}`,
			`DaysOfTransactions must be "Days90" or "Days365", not "Days30".`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o, err := accounts.Parse(decode(t, tt.body), parseNow)
			var fe *flinks.Error
			if !errors.As(err, &fe) {
				t.Fatalf("Parse(%s) = %+v, %v; want a *flinks.Error", tt.body, o, err)
			}
			if fe.FlinksCode != flinks.CodeInvalidRequest || fe.HttpStatusCode != 0 || fe.Message != tt.msg {
				t.Errorf("Parse(%s) error = %s %d %q\nwant INVALID_REQUEST 0 %q", tt.body, fe.FlinksCode, fe.HttpStatusCode, fe.Message, tt.msg)
			}
			if !reflect.DeepEqual(o, accounts.Options{}) {
				t.Errorf("Parse(%s) options = %+v with an error; want the zero value", tt.body, o)
			}
		})
	}
}

// decode reads a request body as the HTTP layer does.
func decode(t *testing.T, body string) *flinks.DataRequest {
	t.Helper()
	var req flinks.DataRequest
	if err := json.Unmarshal([]byte(body), &req); err != nil {
		t.Fatalf("decoding %s: %v", body, err)
	}
	return &req
}
