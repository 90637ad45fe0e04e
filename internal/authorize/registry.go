package authorize

import (
	"fmt"
	"sort"
	"strings"

	"github.com/bankfeed/bankfeed/connector"
)

// registry finds the connector serving an institution.
type registry struct {
	byName map[string]entry // by case-folded institution name
	list   []connector.Institution
}

type entry struct {
	conn connector.Connector
	inst connector.Institution
}

func newRegistry(conns []connector.Connector) (*registry, error) {
	r := &registry{byName: make(map[string]entry)}
	for _, c := range conns {
		for _, inst := range c.Institutions() {
			key := strings.ToLower(inst.Name)
			if _, dup := r.byName[key]; dup {
				return nil, fmt.Errorf("authorize: institution %q is served by two connectors", inst.Name)
			}
			r.byName[key] = entry{conn: c, inst: inst}
			r.list = append(r.list, inst)
		}
	}
	sort.Slice(r.list, func(i, j int) bool { return r.list[i].ID < r.list[j].ID })
	return r, nil
}

func (r *registry) lookup(name string) (entry, bool) {
	e, ok := r.byName[strings.ToLower(strings.TrimSpace(name))]
	return e, ok
}
