// Package institutions finds the connector that serves an institution: the
// one registry of the institutions a bankfeed server serves, built from the
// list of connectors the composition root chose.
package institutions

import (
	"fmt"
	"sort"
	"strings"

	"github.com/bankfeed/bankfeed/connector"
)

// Registry finds the connector serving an institution. It is read-only once
// built, and so safe for concurrent use.
type Registry struct {
	byName map[string]Entry // by case-folded institution name
	list   []connector.Institution
}

// Entry is an institution and the connector that serves it.
type Entry struct {
	Conn connector.Connector
	Inst connector.Institution
}

// New returns the registry of the institutions conns serve. Two connectors
// may not serve one institution name.
func New(conns []connector.Connector) (*Registry, error) {
	r := &Registry{byName: make(map[string]Entry)}
	for _, c := range conns {
		for _, inst := range c.Institutions() {
			key := strings.ToLower(inst.Name)
			if _, dup := r.byName[key]; dup {
				return nil, fmt.Errorf("institutions: institution %q is served by two connectors", inst.Name)
			}
			r.byName[key] = Entry{Conn: c, Inst: inst}
			r.list = append(r.list, inst)
		}
	}
	sort.Slice(r.list, func(i, j int) bool { return r.list[i].ID < r.list[j].ID })
	return r, nil
}

// Lookup finds an institution by name, case-insensitively.
func (r *Registry) Lookup(name string) (Entry, bool) {
	e, ok := r.byName[strings.ToLower(strings.TrimSpace(name))]
	return e, ok
}

// List lists the institutions served, by InstitutionId.
func (r *Registry) List() []connector.Institution {
	return append([]connector.Institution(nil), r.list...)
}

// Names lists the names of the institutions served, for an error message;
// a long list is cut.
func (r *Registry) Names() string {
	const most = 20
	names := make([]string, 0, most)
	for i, inst := range r.list {
		if i == most {
			names = append(names, fmt.Sprintf("and %d more", len(r.list)-most))
			break
		}
		names = append(names, inst.Name)
	}
	return strings.Join(names, ", ")
}

// Fetcher returns the connector's Fetcher, if it fetches data.
func (e Entry) Fetcher() (connector.Fetcher, bool) {
	f, ok := e.Conn.(connector.Fetcher)
	return f, ok
}
