package enrich

import (
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestEnrichDocs keeps docs/enrich.md's attribute table true: it names every
// attribute, once, with the packages the code puts it in.
func TestEnrichDocs(t *testing.T) {
	doc, err := os.ReadFile("../../docs/enrich.md")
	if err != nil {
		t.Fatal(err)
	}
	letters := map[string]Package{"I": Income, "L": Lending, "C": CreditRisk, "U": UserAnalysis, "B": BusinessAnalysis}
	name := regexp.MustCompile("`([a-z0-9_]+(?:_N)?)`")
	documented := map[string][]Package{}
	inTable := false
	for _, line := range strings.Split(string(doc), "\n") {
		if strings.HasPrefix(line, "| Attribute | Packages |") {
			inTable = true
			continue
		}
		if !inTable || strings.HasPrefix(line, "|---") {
			continue
		}
		if !strings.HasPrefix(line, "|") {
			break
		}
		cells := strings.Split(line, "|")
		var pkgs []Package
		for _, l := range strings.Fields(cells[2]) {
			p, ok := letters[l]
			if !ok {
				t.Fatalf("unknown package letter %q in %q", l, line)
			}
			pkgs = append(pkgs, p)
		}
		for _, m := range name.FindAllStringSubmatch(cells[1], -1) {
			names := []string{m[1]}
			if series, ok := strings.CutSuffix(m[1], "_month_N"); ok {
				names = nil
				for n := 0; n < Months; n++ {
					names = append(names, series+"_month_"+strconv.Itoa(n))
				}
			}
			for _, n := range names {
				if _, dup := documented[n]; dup {
					t.Errorf("%s is documented twice", n)
				}
				documented[n] = pkgs
			}
		}
	}
	for _, n := range Names(All) {
		pkgs, ok := documented[n]
		if !ok {
			t.Errorf("docs/enrich.md does not document %s", n)
			continue
		}
		for _, p := range Packages[1:] {
			if in := slices.Contains(Names(p), n); in != slices.Contains(pkgs, p) {
				t.Errorf("%s: in %s is %v in the code, %v in the docs", n, p, in, !in)
			}
		}
		delete(documented, n)
	}
	for n := range documented {
		t.Errorf("docs/enrich.md documents %s, which the code does not compute", n)
	}
}
