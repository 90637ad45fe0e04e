package archtest

import (
	"slices"
	"strings"
)

// graph is the import graph of a build: each package's direct imports, and
// which packages are of the standard library.
type graph struct {
	imports map[string][]string
	std     map[string]bool
}

// violation is a package that depends on what a rule forbids it.
type violation struct {
	pkg, dep string
	chain    []string // pkg, ..., dep: one shortest path of imports
	why      string
}

func (v violation) String() string {
	return strings.Join(v.chain, " -> ") + ": " + v.why
}

// match reports whether pkg is named by pattern: an exact path, or a path
// ending in "/..." for it and everything below it.
func match(pattern, pkg string) bool {
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return pkg == base || strings.HasPrefix(pkg, base+"/")
	}
	return pkg == pattern
}

func matchAny(patterns []string, pkg string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool { return match(p, pkg) })
}

// check returns the violations of rules by the packages pkgs in g.
func check(g graph, pkgs []string, rules []rule) []violation {
	var out []violation
	for _, pkg := range pkgs {
		var applying []rule
		for _, r := range rules {
			if match(r.From, pkg) && !matchAny(r.Except, pkg) {
				applying = append(applying, r)
			}
		}
		if len(applying) == 0 {
			continue
		}
		paths := shortestPaths(g, pkg)
		deps := make([]string, 0, len(paths))
		for dep := range paths {
			deps = append(deps, dep)
		}
		// Nearest first, so that each rule reports its shortest chains.
		slices.SortFunc(deps, func(a, b string) int {
			if d := len(paths[a]) - len(paths[b]); d != 0 {
				return d
			}
			return strings.Compare(a, b)
		})
		for _, r := range applying {
			reported := map[string]bool{} // the Never patterns reported
			forbidden := func(dep string) bool {
				if matchAny(r.Never, dep) {
					return true
				}
				return r.Only != nil && !g.std[dep] && !matchAny(r.Only, dep) && !match(r.From, dep)
			}
			for _, dep := range deps {
				if dep == pkg || !forbidden(dep) {
					continue
				}
				// Reported once, where the chain first crosses the rule:
				// not again for each package behind that one.
				chain := paths[dep]
				if slices.ContainsFunc(chain[1:len(chain)-1], forbidden) {
					continue
				}
				// And once per forbidden subtree, at its nearest package.
				if i := slices.IndexFunc(r.Never, func(p string) bool { return match(p, dep) }); i >= 0 {
					if reported[r.Never[i]] {
						continue
					}
					reported[r.Never[i]] = true
				}
				out = append(out, violation{pkg: pkg, dep: dep, chain: chain, why: r.Why})
			}
		}
	}
	return out
}

// shortestPaths returns, for every package from depends on, one shortest
// chain of imports from it (breadth first, imports in sorted order, so the
// chain reported is the same every run).
func shortestPaths(g graph, from string) map[string][]string {
	paths := map[string][]string{from: {from}}
	queue := []string{from}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		imps := slices.Clone(g.imports[p])
		slices.Sort(imps)
		for _, imp := range imps {
			if _, seen := paths[imp]; seen {
				continue
			}
			paths[imp] = append(slices.Clone(paths[p]), imp)
			queue = append(queue, imp)
		}
	}
	return paths
}
