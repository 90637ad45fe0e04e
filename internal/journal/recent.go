package journal

import "time"

// recent remembers values for a while: what was put in the last span, at
// least, unless more than max were, and nothing older than a span. It keeps two
// maps, the current one and the one before, and drops the older whenever
// the current one is a span old or holds max entries; so its memory
// follows the rate of puts over a span, not the most it ever held (a map
// cleared keeps its buckets), and an idle recorder holds nothing. Not safe
// for concurrent use.
type recent[K comparable, V any] struct {
	span  time.Duration
	max   int
	since time.Time // when cur was started
	last  time.Time // the last put
	cur   map[K]stamped[V]
	old   map[K]stamped[V]
}

type stamped[V any] struct {
	v  V
	at time.Time
}

func newRecent[K comparable, V any](span time.Duration, max int) *recent[K, V] {
	return &recent[K, V]{span: span, max: max}
}

// get returns the value put for k less than a span before now.
func (r *recent[K, V]) get(k K, now time.Time) (V, bool) {
	s, ok := r.cur[k]
	if !ok {
		s, ok = r.old[k]
	}
	if !ok || now.Sub(s.at) >= r.span {
		var zero V
		return zero, false
	}
	return s.v, true
}

func (r *recent[K, V]) put(k K, v V, now time.Time) {
	switch {
	case r.cur == nil || now.Sub(r.last) >= r.span:
		// Everything held is past its span.
		r.old, r.cur, r.since = nil, map[K]stamped[V]{}, now
	case now.Sub(r.since) >= r.span || len(r.cur) >= r.max:
		r.old, r.cur, r.since = r.cur, map[K]stamped[V]{}, now
	}
	r.cur[k] = stamped[V]{v, now}
	r.last = now
}

// drop forgets every entry del reports true for.
func (r *recent[K, V]) drop(del func(K, V) bool) {
	for _, m := range []map[K]stamped[V]{r.cur, r.old} {
		for k, s := range m {
			if del(k, s.v) {
				delete(m, k)
			}
		}
	}
}
