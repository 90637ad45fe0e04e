package webhooks

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestWebhookDocSnippets runs the signature checks docs/webhooks.md shows,
// in Go, Python and Node, on a body signed by Sign: each must say valid,
// and invalid for a tampered body or a wrong secret.
func TestWebhookDocSnippets(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "webhooks.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := map[string]string{}
	for _, m := range regexp.MustCompile("(?s)```(go|python|js)\n(.*?)```").FindAllStringSubmatch(string(doc), -1) {
		if _, seen := blocks[m[1]]; !seen {
			blocks[m[1]] = m[2]
		}
	}
	dir := t.TempDir()
	runs := map[string][]string{}
	for lang, file := range map[string]string{"go": "main.go", "python": "verify.py", "js": "verify.js"} {
		code, ok := blocks[lang]
		if !ok {
			t.Fatalf("docs/webhooks.md has no %s block", lang)
		}
		path := filepath.Join(dir, lang, file)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(code), 0o644); err != nil {
			t.Fatal(err)
		}
		runs[lang] = map[string][]string{"go": {"go", "run", path}, "python": {"python3", path}, "js": {"node", path}}[lang]
	}
	// A Go program of its own: built once, run for each case.
	goBin := filepath.Join(dir, "verify-go")
	build := exec.Command("go", "build", "-o", goBin, runs["go"][2])
	build.Dir = filepath.Join(dir, "go")
	build.Env = append(os.Environ(), "GO111MODULE=off")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("the Go snippet does not build: %v\n%s", err, out)
	}
	runs["go"] = []string{goBin}

	const secret = "s3cr3t-é-ünïcode"
	body := `{"ResponseType":"KYC","HttpStatusCode":200,"Holders":[{"Name":"Émile Nelligan"}]}`
	sig := Sign(secret, []byte(body))
	for lang, argv := range runs {
		if _, err := exec.LookPath(argv[0]); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is needed to run the %s snippet, and CI must run it", argv[0], lang)
			}
			t.Logf("skipping the %s snippet: %s is not installed", lang, argv[0])
			continue
		}
		for _, c := range []struct {
			name, secret, body, want string
		}{
			{"signed", secret, body, "valid"},
			{"tampered body", secret, body + " ", "invalid"},
			{"wrong secret", "s3cr3t-e-unicode", body, "invalid"},
		} {
			cmd := exec.Command(argv[0], append(argv[1:], sig)...)
			cmd.Stdin = strings.NewReader(c.body)
			cmd.Env = append(os.Environ(), "WEBHOOK_SECRET="+c.secret)
			out, err := cmd.CombinedOutput()
			if got := strings.TrimSpace(string(out)); err != nil || got != c.want {
				t.Errorf("%s snippet, %s: %q, %v; want %s", lang, c.name, got, err, c.want)
			}
		}
	}
}
