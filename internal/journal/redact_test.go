package journal

import (
	"strings"
	"testing"
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
