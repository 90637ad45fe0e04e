package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/bankfeed/bankfeed/internal/app"
)

// TestVersion checks `bankfeed version`, with and without --json, against
// the build information of the running binary, and that the start-up log
// line carries the version.
func TestVersion(t *testing.T) {
	t.Parallel()
	run := func(args ...string) string {
		t.Helper()
		var stdout bytes.Buffer
		if err := app.Main(context.Background(), args, func(string) string { return "" }, &stdout, testLogWriter{t}); err != nil {
			t.Fatalf("bankfeed %s: %v", strings.Join(args, " "), err)
		}
		return stdout.String()
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		t.Fatal("the test binary has no build information")
	}
	var revision string
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" {
			revision = s.Value
		}
	}

	out := run("version")
	if want := "bankfeed " + app.Version() + " " + runtime.Version() + "\n"; out != want {
		t.Errorf("bankfeed version = %q, want %q", out, want)
	}
	var got struct {
		Version, Revision string
		GoVersion         string `json:"go_version"`
	}
	if err := json.Unmarshal([]byte(run("version", "--json")), &got); err != nil {
		t.Fatal(err)
	}
	wantVersion := info.Main.Version
	if wantVersion == "" {
		wantVersion = "(devel)"
	}
	if got.Version != wantVersion || got.Revision != revision || got.GoVersion != runtime.Version() {
		t.Errorf("bankfeed version --json = %+v, want version %q, revision %q, go_version %q", got, wantVersion, revision,
			runtime.Version())
	}
	if err := app.Main(context.Background(), []string{"version", "extra"}, func(string) string { return "" }, &bytes.Buffer{},
		testLogWriter{t}); err == nil {
		t.Error("bankfeed version extra: no error")
	}

	var logs syncBuffer
	s := startServerLogged(t, "", nil, &logs, nil)
	s.stop()
	for _, line := range strings.Split(string(logs.Bytes()), "\n") {
		if strings.Contains(line, `msg="bankfeed listening"`) {
			if want := `version="` + app.Version() + `"`; !strings.Contains(line, want) && !strings.Contains(line, "version="+app.Version()+" ") {
				t.Errorf("start-up line %q lacks %s", line, want)
			}
			return
		}
	}
	t.Errorf("no start-up line in the log:\n%s", logs.Bytes())
}
