package app_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/bankfeed/bankfeed/flinks"
)

var update = flag.Bool("update", false, "rewrite golden files")

// goldenDir holds the pinned 203 bodies, one file per round.
const goldenDir = "testdata/golden"

// goldenRequestID replaces the RequestId of a pinned body.
const goldenRequestID = "REQUEST-ID"

// goldenFlow is a login played through the embedded sandbox with the right
// answers (solveRound), each 203 it receives compared with a golden file.
type goldenFlow struct {
	name        string // golden files are <name>_<round>.json
	institution string
	username    string
	language    string
	// wrongFirst answers the first round of the first session wrong.
	wrongFirst bool
	// sessions lists, for the credential login and then for each live
	// reopen of the saved login, the names of the 203 rounds it asks.
	sessions [][]string
	// end is the FlinksCode the last session ends with; "" for a 200.
	end flinks.Code
}

var goldenFlows = []goldenFlow{
	// FlinksCapital: the public sandbox's users.
	{name: "flinkscapital_greatday", institution: "FlinksCapital", username: "Greatday", sessions: [][]string{{"shape"}}},
	{name: "flinkscapital_greatday_allquestions", institution: "FlinksCapital", username: "greatday_allquestions",
		sessions: [][]string{{"shape", "city", "country"}}},
	{name: "flinkscapital_greatday_rotating", institution: "FlinksCapital", username: "greatday_rotating",
		sessions: [][]string{{"shape"}, {"reopen1_city"}, {"reopen2_country"}}},
	// FlinksCapital: the trigger users of the special flows.
	{name: "flinkscapital_mfa_triple", institution: "FlinksCapital", username: "mfa_triple", wrongFirst: true,
		sessions: [][]string{{"shape", "triple"}}},
	{name: "flinkscapital_mfa_newquestions", institution: "FlinksCapital", username: "mfa_newquestions",
		sessions: [][]string{{"newquestions"}}},
	{name: "flinkscapital_mfa_image", institution: "FlinksCapital", username: "mfa_image",
		sessions: [][]string{{"city", "image"}}},
	{name: "flinkscapital_mfa_securid", institution: "FlinksCapital", username: "mfa_securid",
		sessions: [][]string{{"securid", "country"}}},
	{name: "flinkscapital_mfa_reset", institution: "FlinksCapital", username: "mfa_reset",
		sessions: [][]string{{"reset", "newquestions"}}},
	{name: "flinkscapital_mfa_textorcall", institution: "FlinksCapital", username: "mfa_textorcall",
		sessions: [][]string{{"phone", "code"}}},
	{name: "flinkscapital_mfa_device", institution: "FlinksCapital", username: "mfa_device",
		sessions: [][]string{{"device"}}},
	{name: "flinkscapital_mfa_device_denied", institution: "FlinksCapital", username: "mfa_device_denied",
		sessions: [][]string{{"device"}}, end: flinks.CodeUnauthorized},
	// The seed's special flows, on their institutions.
	{name: "rbc_greatday", institution: "RBC", username: "Greatday", wrongFirst: true,
		sessions: [][]string{{"question", "triple"}, {"reopen_device"}}},
	{name: "rbc_greatday_newquestions", institution: "RBC", username: "greatday_newquestions",
		sessions: [][]string{{"newquestions"}}},
	{name: "rbc_greatday_device_denied", institution: "RBC", username: "greatday_device_denied", wrongFirst: true,
		sessions: [][]string{{"question", "triple"}, {"reopen_device"}}, end: flinks.CodeUnauthorized},
	{name: "laurentienne_greatday", institution: "Laurentienne", username: "Greatday",
		sessions: [][]string{{"question", "image"}}},
	{name: "national_greatday", institution: "National", username: "Greatday",
		sessions: [][]string{{"securid", "question"}, {"reopen_securid"}}},
	{name: "scotia_greatday", institution: "Scotia", username: "Greatday",
		sessions: [][]string{{"reset", "newquestions"}}},
	{name: "td_greatday", institution: "TD", username: "Greatday",
		sessions: [][]string{{"phone", "code"}, {"reopen_phone", "reopen_code"}}},
	// French.
	{name: "rbc_greatday_fr", institution: "RBC", username: "Greatday", language: "fr", wrongFirst: true,
		sessions: [][]string{{"question", "triple"}, {"reopen_device"}}},
	{name: "scotia_greatday_fr", institution: "Scotia", username: "Greatday", language: "fr",
		sessions: [][]string{{"reset", "newquestions"}}},
	{name: "td_greatday_fr", institution: "TD", username: "Greatday", language: "fr",
		sessions: [][]string{{"phone", "code"}}},
}

// TestGolden pins the exact body of every 203 round of the embedded sandbox
// flows. Run with -update to rewrite the golden files.
func TestGolden(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)

	for _, f := range goldenFlows {
		t.Run(f.name, func(t *testing.T) {
			var loginID string
			for i, rounds := range f.sessions {
				var r rawResponse
				if i == 0 {
					r = postAuthorize(t, s, mustJSON(t, map[string]any{
						"Institution": f.institution, "Username": f.username, "Password": "Everyday",
						"Language": f.language, "Save": true,
					}))
				} else {
					r = postAuthorize(t, s, mustJSON(t, map[string]any{"LoginId": loginID, "MostRecentCached": false, "Save": true}))
				}
				for j, round := range rounds {
					if r.status != 203 {
						t.Fatalf("%s: HTTP %d, want the 203 of %q: %.500s", f.name, r.status, round, r.body)
					}
					compareGolden(t, f.name+"_"+round, r)
					resp := decodeAuthorize(t, r)
					responses := solveRound(t, s, resp.SecurityChallenges)
					if f.wrongFirst && i == 0 && j == 0 {
						for k := range responses {
							responses[k] = []string{"Circle"}
						}
					}
					r = postAuthorize(t, s, mustJSON(t, map[string]any{"RequestId": resp.RequestId, "SecurityResponses": responses}))
				}
				if i == len(f.sessions)-1 && f.end != "" {
					wantRawError(t, r, 401, f.end)
					continue
				}
				if r.status != 200 || str(r.json, "Login", "Id") == "" {
					t.Fatalf("session %d: HTTP %d, want a 200 after %d rounds: %.500s", i+1, r.status, len(rounds), r.body)
				}
				loginID = str(r.json, "Login", "Id")
			}
		})
	}

	// Every golden file belongs to a round above.
	want := map[string]bool{}
	for _, f := range goldenFlows {
		for _, rounds := range f.sessions {
			for _, round := range rounds {
				want[f.name+"_"+round+".json"] = true
			}
		}
	}
	entries, err := os.ReadDir(goldenDir)
	if err != nil {
		t.Fatal(err)
	}
	var stale []string
	for _, e := range entries {
		if !want[e.Name()] {
			stale = append(stale, e.Name())
		}
	}
	sort.Strings(stale)
	for _, name := range stale {
		if *update {
			if err := os.Remove(filepath.Join(goldenDir, name)); err != nil {
				t.Error(err)
			}
			continue
		}
		t.Errorf("%s/%s matches no round of goldenFlows; delete it or run with -update", goldenDir, name)
	}
}

// compareGolden compares a 203 body, its RequestId replaced by
// goldenRequestID and indented, with testdata/golden/<name>.json, or
// rewrites that file with -update.
func compareGolden(t *testing.T, name string, r rawResponse) {
	t.Helper()
	rid := str(r.json, "RequestId")
	if rid == "" {
		t.Fatalf("%s: the 203 has no RequestId: %.500s", name, r.body)
	}
	field := []byte(`"RequestId":"` + rid + `"`)
	if n := bytes.Count(r.body, field); n != 1 {
		t.Fatalf("%s: the body holds %s %d times, want once", name, field, n)
	}
	if bytes.Contains(bytes.Replace(r.body, field, nil, 1), []byte(rid)) {
		t.Fatalf("%s: the RequestId appears outside the RequestId field: %.500s", name, r.body)
	}
	body := bytes.Replace(r.body, field, []byte(`"RequestId":"`+goldenRequestID+`"`), 1)
	var got bytes.Buffer
	if err := json.Indent(&got, bytes.TrimSpace(body), "", "  "); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	got.WriteByte('\n')

	path := filepath.Join(goldenDir, name+".json")
	if *update {
		if err := os.MkdirAll(goldenDir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/app -run Golden -update to create it)", err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("%s differs from %s:\n%s", name, path, firstDifference(string(want), got.String()))
	}
}

// firstDifference shows the first line where got departs from want, with
// long lines (the images) shortened.
func firstDifference(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	short := func(s string) string {
		if len(s) > 160 {
			return s[:160] + "..."
		}
		return s
	}
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\nwant " + short(w) + "\n got " + short(g)
		}
	}
	return "(no line differs)"
}

// mustJSON encodes v as a request body.
func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
