package journal

import (
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
