package archtest

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/bankfeed/bankfeed"

// goList runs go list with a template over the given patterns.
func goList(t *testing.T, args ...string) []string {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is not on PATH")
	}
	out, err := exec.Command("go", append([]string{"list"}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("go list %v: %v\n%s", args, err, out)
	}
	return strings.Fields(string(out))
}

// TestPublicPackagesDependencies checks that the public packages import only
// the standard library and the public packages they are allowed.
func TestPublicPackagesDependencies(t *testing.T) {
	t.Parallel()
	allowed := map[string][]string{
		module + "/flinks":             {},
		module + "/connector":          {module + "/flinks"},
		module + "/client":             {module + "/flinks"},
		module + "/connectors/sandbox": {module + "/connector", module + "/flinks"},
	}
	for pkg, ok := range allowed {
		deps := goList(t, "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", pkg)
		for _, dep := range deps {
			if dep == pkg || slices.Contains(ok, dep) {
				continue
			}
			t.Errorf("%s depends on %s; it may import only the standard library and %v", pkg, dep, ok)
		}
	}
}

// TestOnlyAppChoosesImplementations checks that no package but the
// composition root imports a store implementation, a database driver or
// the composition root itself.
func TestOnlyAppChoosesImplementations(t *testing.T) {
	t.Parallel()
	restricted := []string{
		module + "/internal/store/sqlitestore",
		"modernc.org/sqlite",
		"github.com/jackc/pgx/v5",
		module + "/internal/app",
	}
	lines := goList(t, "-f", "{{.ImportPath}}:{{join .Imports \",\"}}", module+"/...")
	for _, line := range lines {
		pkg, imports, _ := strings.Cut(line, ":")
		if pkg == module+"/internal/app" || pkg == module+"/cmd/bankfeed" || strings.HasPrefix(pkg, module+"/internal/store/") {
			continue
		}
		for _, imp := range strings.Split(imports, ",") {
			for _, r := range restricted {
				if imp == r || strings.HasPrefix(imp, r+"/") {
					t.Errorf("%s imports %s; only internal/app may", pkg, imp)
				}
			}
		}
	}
}
