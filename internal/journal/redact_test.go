package journal

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/bankfeed/bankfeed/internal/store"
)

// TestKeep: secrets are redacted wherever they sit, the rest is kept, and
// a body that cannot be parsed, and so redacted, is not kept at all.
func TestKeep(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in       string
		want     []string
		mustMiss []string
	}{
		{`{"Institution":"FlinksCapital","Username":"Greatday","PASSWORD":"s3cret","Save":true}`,
			[]string{`"Username":"Greatday"`, `"PASSWORD":"[redacted]"`, `"Save":true`}, []string{"s3cret"}},
		{`{"RequestId":"r","SecurityResponses":{"What city?":["Montreal"],"Pick":["a","b"]}}`,
			[]string{`"What city?":["[redacted]"]`, `"Pick":["[redacted]","[redacted]"]`}, []string{"Montreal", `"a"`}},
		{`{"SecurityChallenges":[{"Type":"MultipleChoice","Prompt":"Colour?","Iterables":["Mauve","Teal"]}]}`,
			[]string{`"Prompt":"Colour?"`, `"Iterables":["[redacted]","[redacted]"]`}, []string{"Mauve", "Teal"}},
		{`{"HttpStatusCode":200,"Token":"tok-123"}`, []string{`"Token":"[redacted]"`}, []string{"tok-123"}},
		{`{"LoginId":"l","Questions":[{"Question":"Pet?","Answer":"Rex"}]}`, []string{`"Question":"Pet?"`}, []string{"Rex"}},
		{`{"authorizeToken":{"nested":["deep"]},"n":12345678901234567890}`, []string{`"n":12345678901234567890`}, []string{"deep"}},
		{`{"Password":"s3cret"`, []string{"not JSON"}, []string{"s3cret"}},
		{`{"Password":"s3cret"}{"Password":"s3cret"}`, []string{"not JSON"}, []string{"s3cret"}},
		{`"LoginId 1 has now been activated"`, []string{`"LoginId 1 has now been activated"`}, nil},
		// Keys in any case, folded as Unicode folds them; the order and
		// the digits of the body as sent; null stays null.
		{`{ "z" : 1.50, "PaSsWoRd" : "a", "pa\u017f\u017fword":"b","Token":null, "a":[true, false] }`,
			[]string{`{"z":1.50,"PaSsWoRd":"[redacted]","paſſword":"[redacted]","Token":null,"a":[true,false]}`}, []string{`:"a"`, `:"b"`}},
		{`{"answer":{"k":[1,{"x":true}]}}`, []string{`{"answer":{"k":["[redacted]",{"x":"[redacted]"}]}}`}, nil},
		// An escaped id is written plainly, where scrub finds it.
		{`{"LoginId":"\u0035\u0036ed"}`, []string{`{"LoginId":"56ed"}`}, nil},
		{`{"Password":"s3cret"} x`, []string{"not JSON"}, []string{"s3cret"}},
		{"{\"a\":\"\xff\"}", []string{"{\"a\":\"\ufffd\"}"}, nil},
	} {
		got, _ := keep([]byte(tc.in), len(tc.in))
		for _, w := range tc.want {
			if !strings.Contains(string(got), w) {
				t.Errorf("keep(%s) = %s, lacks %s", tc.in, got, w)
			}
		}
		for _, m := range tc.mustMiss {
			if strings.Contains(string(got), m) {
				t.Errorf("keep(%s) = %s, holds %s", tc.in, got, m)
			}
		}
	}
	big := `{"Password":"s3cret","x":"` + strings.Repeat("a", MaxBody) + `"}`
	if got, _ := keep([]byte(big[:MaxBody+1]), len(big)); strings.Contains(string(got), "s3cret") || !strings.Contains(string(got), "over the journal") {
		t.Errorf("a body over the limit: %.100s", got)
	}
	if got, _ := keep(nil, 0); got != nil {
		t.Errorf("no body: %s", got)
	}
}

// TestKeepNames: the ids and code a body names at its top level, looked up
// as Flinks clients write keys: exact, else in any case.
func TestKeepNames(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in                                     string
		requestID, loginID, code, loginOfLogin string
	}{
		{`{"RequestId":" r1 ","LoginId":"l1","FlinksCode":"INVALID_LOGIN"}`, "r1", "l1", "INVALID_LOGIN", ""},
		{`{"requestid":"folded","RequestId":"exact"}`, "exact", "", "", ""},
		{`{"requestid":"first","REQUESTID":"second"}`, "first", "", "", ""},
		{`{"RequestId":"a","RequestId":"b"}`, "b", "", "", ""},
		{`{"RequestId":7,"LoginId":{"Id":"x"}}`, "", "", "", ""},
		{`{"Login":{"Id":"l2","Username":"u"},"x":{"RequestId":"deep"}}`, "", "", "", "l2"},
		{`{"login":{"id":"l3"}}`, "", "", "", "l3"},
		{`{"Login":"l4"}`, "", "", "", ""},
		{`{"Password":{"RequestId":"secret"}}`, "", "", "", ""},
		{`["RequestId","r"]`, "", "", "", ""},
	} {
		_, n := keep([]byte(tc.in), len(tc.in))
		got := [4]string{n.requestID.value(), n.loginID.value(), n.flinksCode.value(), n.loginIDOfLogin.value()}
		if want := [4]string{tc.requestID, tc.loginID, tc.code, tc.loginOfLogin}; got != want {
			t.Errorf("keep(%s) names %q, want %q", tc.in, got, want)
		}
	}
}

// FuzzKeep holds the redactor, which copies a body token by token, to what
// it stands for: the body decoded, every value under a secret key replaced,
// encoded again. A body that is not JSON is never kept.
func FuzzKeep(f *testing.F) {
	for _, s := range []string{`{"Password":"x","a":[1,2.5e3,null,{"Answer":{"q":["a"]}}]}`, `"s"`, `[]`, `{}`, `{"a":"\u00e9\n"}`,
		`{"RequestId":"r","Login":{"Id":"l"}}`, `{"x":1}{`, "{\"\xff\":1}", ` 12 `, `{"TOKEN":true}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > MaxBody {
			return
		}
		got, _ := keep(in, len(in))
		if len(in) == 0 {
			return
		}
		want, ok := redactModel(in)
		if !ok {
			if !bytes.Contains(got, []byte("body not kept: not JSON")) {
				t.Fatalf("keep(%q) = %q: kept a body that is not JSON", in, got)
			}
			return
		}
		dec := json.NewDecoder(bytes.NewReader(got))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil || dec.More() {
			t.Fatalf("keep(%q) = %q: not JSON: %v", in, got, err)
		}
		if !reflect.DeepEqual(v, want) {
			t.Fatalf("keep(%q) = %q, want the value %#v", in, got, want)
		}
	})
}

// redactModel is the redaction keep stands for: decode, replace, and
// report whether in is one JSON value. (A Decoder's More is not that
// test: it reports false before a stray ']'.)
func redactModel(in []byte) (any, bool) {
	if !json.Valid(in) {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(in))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	var walk func(v any, secret bool) any
	walk = func(v any, secret bool) any {
		switch x := v.(type) {
		case map[string]any:
			for k, val := range x {
				x[k] = walk(val, secret || isSecret([]byte(k)))
			}
			return x
		case []any:
			for i, val := range x {
				x[i] = walk(val, secret)
			}
			return x
		case nil:
			return nil
		}
		if secret {
			return Redacted
		}
		return v
	}
	return walk(v, false), true
}

// TestScrub: an id that names nothing is replaced wherever the entry shows
// it; a short one is only unset, so that it cannot mangle the bodies.
func TestScrub(t *testing.T) {
	t.Parallel()
	const id = "565ed4b6-6259-4dfd-ab3a-67eded851441"
	e := store.JournalEntry{LoginID: id, RequestID: "x", Path: "/v3/c/BankingServices/DeleteCard/" + id, Detail: "login " + id,
		RequestBody: []byte(`{"LoginId":"` + id + `","RequestId":"x"}`), ResponseBody: []byte(`{"Message":"LoginId ` + id + ` removed"}`)}
	scrub(&e, id, "x")
	all := e.Path + e.Detail + string(e.RequestBody) + string(e.ResponseBody)
	if e.LoginID != "" || e.RequestID != "" || strings.Contains(all, id) || strings.Count(all, Unknown) != 4 {
		t.Errorf("scrubbed: %+v", e)
	}
	if !strings.Contains(string(e.RequestBody), `"RequestId":"x"`) {
		t.Errorf("a short id was searched for: %s", e.RequestBody)
	}
}

// BenchmarkKeep redacts the bodies of one MFA round of /Authorize, as the
// journal's writer does for every request.
func BenchmarkKeep(b *testing.B) {
	bodies := [][]byte{
		[]byte(`{"Institution":"FlinksCapital","Username":"Greatday","Password":"Everyday","Save":true,"MostRecentCached":false,"Tag":"user-17"}`),
		[]byte(`{"HttpStatusCode":203,"Links":[{"rel":"AuthorizeToken","href":"/AuthorizeToken"}],"RequestId":"8c1f5d2e-5b0e-4f6a-9a3e-3c2b1a0f9e8d",` +
			`"SecurityChallenges":[{"Type":"QuestionAndAnswer","Prompt":"What city were you born in?"}],"Institution":"FlinksCapital","FlinksCode":"SECURITY_CHALLENGE"}`),
		[]byte(`{"RequestId":"8c1f5d2e-5b0e-4f6a-9a3e-3c2b1a0f9e8d","SecurityResponses":{"What city were you born in?":["Montreal"]}}`),
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, body := range bodies {
			keep(body, len(body))
		}
	}
}
