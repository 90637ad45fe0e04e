package archtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// loadGraph asks go list for the import graph of every package of the
// module and of everything they depend on.
func loadGraph(t *testing.T) (graph, []string) {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("the go command is not on PATH")
		}
		t.Skip("the go command is not on PATH")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}|{{.Standard}}|{{join .Imports \",\"}}", "./...")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("go list -deps: %v\n%s", err, stderr)
	}
	g := graph{imports: map[string][]string{}, std: map[string]bool{}}
	var pkgs []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		parts := strings.SplitN(line, "|", 3)
		if len(parts) != 3 {
			t.Fatalf("go list printed %q", line)
		}
		pkg := parts[0]
		g.std[pkg] = parts[1] == "true"
		if parts[2] != "" {
			g.imports[pkg] = strings.Split(parts[2], ",")
		}
		if match(module+"/...", pkg) {
			pkgs = append(pkgs, pkg)
		}
	}
	// "C" is cgo's pseudo-package, which the standard library's net
	// imports on some platforms; go list does not list it.
	g.std["C"] = true
	return g, pkgs
}

// TestDependencyRules checks every package of the module against the rules
// of rules.go, over its transitive dependencies.
func TestDependencyRules(t *testing.T) {
	t.Parallel()
	g, pkgs := loadGraph(t)
	for _, p := range mustExist {
		if _, ok := g.std[p]; !ok {
			t.Errorf("package %s, which the rules are written for, is not in the module: update rules.go", p)
		}
	}
	for _, v := range check(g, pkgs, rules) {
		t.Errorf("%s", v)
	}
}

// TestCheck is a table test of the rule engine on a made-up graph.
func TestCheck(t *testing.T) {
	t.Parallel()
	g := graph{
		imports: map[string][]string{
			"m/api":     {"m/service", "net/http"},
			"m/service": {"m/store", "m/db"},
			"m/store":   {"fmt"},
			"m/db":      {"x.org/driver"},
			"m/public":  {"fmt", "m/wire"},
			"m/wire":    {"fmt"},
			"m/app":     {"m/api", "m/db"},
		},
		std: map[string]bool{"fmt": true, "net/http": true},
	}
	pkgs := []string{"m/api", "m/service", "m/store", "m/db", "m/public", "m/wire", "m/app"}
	tests := []struct {
		name  string
		rules []rule
		want  []string // chains
	}{
		{"transitive never", []rule{{From: "m/api", Never: []string{"x.org/..."}, Why: "w"}},
			[]string{"m/api -> m/service -> m/db -> x.org/driver"}},
		{"subtree pattern and exception", []rule{{From: "m/...", Never: []string{"m/db"}, Except: []string{"m/app"}, Why: "w"}},
			[]string{"m/api -> m/service -> m/db", "m/service -> m/db"}},
		{"a subtree reported once, nearest first", []rule{{From: "m/api", Never: []string{"m/..."}, Why: "w"}},
			[]string{"m/api -> m/service"}},
		{"only the standard library and listed", []rule{{From: "m/public", Only: []string{"m/wire"}, Why: "w"}}, nil},
		// Reported where the chain first crosses the rule, not again for
		// what lies behind it.
		{"only, broken", []rule{{From: "m/service", Only: []string{"m/store"}, Why: "w"}},
			[]string{"m/service -> m/db"}},
		{"a rule for a package that is not there", []rule{{From: "m/gone", Never: []string{"fmt"}, Why: "w"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, v := range check(g, pkgs, tt.rules) {
				got = append(got, strings.Join(v.chain, " -> "))
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("violations = %q, want %q", got, tt.want)
			}
		})
	}
}
