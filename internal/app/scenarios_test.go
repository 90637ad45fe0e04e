package app_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/app"
)

// mapleCredit is a user's own institution, with a question whose wrong
// answer leads to a second round, and a two-step code.
const mapleCredit = `{
  "Institution": "MapleCredit",
  "InstitutionId": 900,
  "DisplayName": "Maple Credit Union",
  "Steps": {
    "tree": {
      "Challenges": [{"Type": "QuestionAndAnswer", "Prompt": {"en": "Favourite tree?", "fr": "Arbre préféré?"}, "Answers": ["Maple"]}],
      "OnWrong": "colour",
      "Next": "code"
    },
    "colour": {
      "Challenges": [{"Type": "MultipleChoice", "Prompt": "Favourite colour?", "Iterables": ["Red", "Green"], "Answers": ["Red"]}],
      "Next": "code"
    },
    "code": {
      "Challenges": [{"Type": "QuestionAndAnswer", "Prompt": "Enter the code we texted you", "Pattern": "[0-9]{4}"}],
      "TwoStep": true
    }
  },
  "Users": [
    {"Username": "alice", "Password": "secret", "Flow": "tree"},
    {"Username": "locked", "Password": "secret", "Error": "DISABLED_LOGIN"}
  ]
}`

func TestScenarioDirectory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "maple.json"), []byte(mapleCredit), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startServerArgs(t, "", nil, "--scenarios", dir)
	ctx := context.Background()

	resp, err := s.client.Authorize(ctx, flinks.AuthorizeRequest{Institution: "maplecredit", Username: "Alice", Password: "SECRET", Save: true})
	if err != nil || !resp.Challenged() || resp.SecurityChallenges[0].Prompt != "Favourite tree?" || resp.Institution != "MapleCredit" {
		t.Fatalf("first round: %+v, %v", resp, err)
	}
	// A wrong answer leads to the colour round, then the code.
	resp, err = s.client.Answer(ctx, resp.RequestId, flinks.SecurityResponses{"Favourite tree?": {"Oak"}})
	if err != nil || resp.SecurityChallenges[0].Type != flinks.MultipleChoice {
		t.Fatalf("after a wrong answer: %+v, %v", resp, err)
	}
	resp, err = s.client.Answer(ctx, resp.RequestId, flinks.SecurityResponses{"Favourite colour?": {"red"}})
	if err != nil || resp.SecurityChallenges[0].Prompt != "Enter the code we texted you" {
		t.Fatalf("after the colour: %+v, %v", resp, err)
	}
	if _, err := s.client.Answer(ctx, resp.RequestId, flinks.SecurityResponses{"Enter the code we texted you": {"12"}}); err == nil {
		t.Fatal("a two-digit code passed a four-digit pattern")
	}
	done, err := s.client.Answer(ctx, resp.RequestId, flinks.SecurityResponses{"Enter the code we texted you": {"4821"}})
	if err != nil || done.InstitutionId != 900 || done.Login == nil {
		t.Fatalf("code: %+v, %v", done, err)
	}
	// The embedded institutions are still served.
	if _, err := s.client.Authorize(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "greatday_nomfa", Password: "Everyday"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.client.Authorize(ctx, flinks.AuthorizeRequest{Institution: "MapleCredit", Username: "locked", Password: "secret"}); apiErr(t, err).Body.FlinksCode != flinks.CodeDisabledLogin {
		t.Fatalf("locked: %v", err)
	}
}

// TestInvalidScenarioStopsStart checks that a broken scenario file stops
// the server before it listens, with the file, the field and the problem.
func TestInvalidScenarioStopsStart(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, file, content, want string
	}{
		{"missing step", "maple.json", strings.Replace(mapleCredit, `"Next": "code"
    },
    "colour"`, `"Next": "codes"
    },
    "colour"`, 1), `maple.json: Steps.tree.Next: no step is named "codes"`},
		{"syntax", "broken.json", `{"Institution": "X",`, "broken.json: line 1, column 21: invalid JSON"},
		{"clash with an embedded institution", "rbc.json", strings.Replace(strings.Replace(mapleCredit, `"MapleCredit"`, `"RBC"`, 1), "900", "901", 1), `institution "RBC" is declared twice`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, tt.file), []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			var stderr bytes.Buffer
			err := app.Main(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--scenarios", dir},
				func(string) string { return "" }, io.Discard, &stderr,
				app.WithReady(func(string) { t.Error("the server started") }))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}
