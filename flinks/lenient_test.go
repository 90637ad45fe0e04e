package flinks_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/bankfeed/bankfeed/flinks"
)

func TestBoolDecoding(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{
		`true`: true, `false`: false, `null`: false, `"true"`: true, `"True"`: true, `"TRUE"`: true,
		`"false"`: false, `"False"`: false, `""`: false, `" true "`: true, `"1"`: true, `"0"`: false,
	} {
		var b flinks.Bool
		if err := json.Unmarshal([]byte(in), &b); err != nil || bool(b) != want {
			t.Errorf("%s: got %v, %v; want %v", in, b, err, want)
		}
	}
	for _, in := range []string{`"yes"`, `1`, `[]`, `{}`, `"maybe"`} {
		var b flinks.Bool
		var ve *flinks.ValueError
		if err := json.Unmarshal([]byte(in), &b); !errors.As(err, &ve) {
			t.Errorf("%s: err = %v, want a *ValueError", in, err)
		}
	}
	out, _ := json.Marshal(struct{ Save flinks.Bool }{true})
	if string(out) != `{"Save":true}` {
		t.Errorf("encoded as %s, want a JSON boolean", out)
	}
}

func TestSecurityResponsesDecoding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want flinks.SecurityResponses
		err  bool
	}{
		{`{"Q": ["A"]}`, flinks.SecurityResponses{"Q": {"A"}}, false},
		{`{"Q": "A"}`, flinks.SecurityResponses{"Q": {"A"}}, false},
		{`{"Q": ["A", "B"]}`, flinks.SecurityResponses{"Q": {"A", "B"}}, false},
		{`{"Q": [123456]}`, flinks.SecurityResponses{"Q": {"123456"}}, false},
		{`{"Q": 123456}`, flinks.SecurityResponses{"Q": {"123456"}}, false},
		{`{"Q": null}`, flinks.SecurityResponses{"Q": nil}, false},
		{`{"Q": []}`, flinks.SecurityResponses{"Q": {}}, false},
		{`null`, nil, false},
		{`{"Q": {"a": 1}}`, nil, true},
		{`{"Q": [true]}`, nil, true},
		{`{"Q": [["A"]]}`, nil, true},
		{`["Q"]`, nil, true},
	}
	for _, tt := range tests {
		var r flinks.SecurityResponses
		err := json.Unmarshal([]byte(tt.in), &r)
		if tt.err {
			var ve *flinks.ValueError
			if !errors.As(err, &ve) {
				t.Errorf("%s: err = %v, want a *ValueError", tt.in, err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(r, tt.want) {
			t.Errorf("%s: got %#v, %v; want %#v", tt.in, r, err, tt.want)
		}
	}
}

// TestAnswersStayOutOfErrors checks that a malformed answer is not quoted in
// the error: answers are secrets.
func TestAnswersStayOutOfErrors(t *testing.T) {
	t.Parallel()
	var r flinks.SecurityResponses
	err := json.Unmarshal([]byte(`{"Mother?": {"secret-louise": 1}}`), &r)
	if err == nil || strings.Contains(err.Error(), "secret-louise") {
		t.Errorf("err = %v", err)
	}
}

// FuzzAuthorizeRequest decodes arbitrary JSON into the request type: it may
// fail, but only with a decoding error, and never panic.
func FuzzAuthorizeRequest(f *testing.F) {
	f.Add([]byte(`{"Save":"True","SecurityResponses":{"a":"b","c":[1,"d"]}}`))
	f.Add([]byte(`{"MostRecentCached":null,"SecurityResponses":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var req flinks.AuthorizeRequest
		if err := json.Unmarshal(data, &req); err != nil {
			return
		}
		if _, err := json.Marshal(req); err != nil {
			t.Fatalf("a decoded request does not encode: %v", err)
		}
	})
}

func TestMoney(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]flinks.Money{
		`1234.56`: 123456, `0`: 0, `-12.05`: -1205, `7.5`: 750, `"3.10"`: 310, `0.005`: 1, `-0.004`: 0, `100`: 10000,
	} {
		var m flinks.Money
		if err := json.Unmarshal([]byte(in), &m); err != nil || m != want {
			t.Errorf("%s: got %d, %v; want %d", in, m, err, want)
		}
	}
	for _, in := range []string{`1e3`, `"abc"`, `1.2.3`, `true`, `-`} {
		var m flinks.Money
		if err := json.Unmarshal([]byte(in), &m); err == nil {
			t.Errorf("%s: accepted as %d", in, m)
		}
	}
	for m, want := range map[flinks.Money]string{123456: "1234.56", -1205: "-12.05", 5: "0.05", 0: "0.00"} {
		out, _ := json.Marshal(m)
		if string(out) != want {
			t.Errorf("%d encodes as %s, want %s", m, out, want)
		}
	}
}
