package accounts

import (
	"container/list"
	"sync"
	"sync/atomic"

	"github.com/bankfeed/bankfeed/flinks"
)

// Cache keeps the accounts of recent GetAccountsDetail answers, already read
// from the store and shaped for their options, with their JSON, so that the
// next call with the same options over the same snapshot skips reading,
// decoding, shaping and encoding a year of transactions. A copy is keyed by
// its snapshot's version, which the call reads with its session and login
// in one statement (store.SessionView): a refresh, another process's write
// or a deletion is seen at once, never a stale copy. It is bounded in
// bytes (an estimate of the copies' size) and drops the least recently
// used first. It is safe for concurrent use; the copies it hands out are
// shared and must not be changed.
type Cache struct {
	max int64

	mu      sync.Mutex
	size    int64
	order   *list.List // of *cacheEntry, most recently used first
	entries map[cacheKey]*list.Element
	// byLogin indexes the entries of each login, to drop them all when
	// the login goes or its snapshot changes.
	byLogin map[loginKey]map[*list.Element]struct{}

	hits, misses atomic.Int64
}

type loginKey struct{ customer, login string }

// cacheKey is what a shaped copy depends on: the snapshot, and the options
// that shape it. Calls with an AccountsFilter or a RefreshDelta are not
// cached.
type cacheKey struct {
	loginKey
	version                              int64
	identity, kyc, transactions, balance bool
	from, to                             int64 // the window, in Unix days
}

// cacheEntry is a copy: the shaped accounts and their JSON, shared by every
// call the copy answers and never changed.
type cacheEntry struct {
	key   cacheKey
	accts []flinks.AccountDetail
	json  []byte
	size  int64
}

// NewCache returns a cache of at most maxBytes (estimated); nil when
// maxBytes is 0 or less, which Config takes as no cache.
func NewCache(maxBytes int64) *Cache {
	if maxBytes <= 0 {
		return nil
	}
	return &Cache{max: maxBytes, order: list.New(), entries: map[cacheKey]*list.Element{},
		byLogin: map[loginKey]map[*list.Element]struct{}{}}
}

// keyOf returns the key of a call's options, or false when they are not
// cached.
func keyOf(customerID, loginID string, o Options) (cacheKey, bool) {
	if len(o.Query.Accounts) > 0 || len(o.Query.After) > 0 {
		return cacheKey{}, false
	}
	day := func(t int64) int64 { return t / 86400 }
	k := cacheKey{loginKey: loginKey{customerID, loginID}, identity: o.Identity, kyc: o.KYC,
		transactions: o.Transactions, balance: o.Balance}
	if !o.Query.From.IsZero() {
		k.from = day(o.Query.From.Unix())
	}
	if !o.Query.To.IsZero() {
		k.to = day(o.Query.To.Unix())
	}
	return k, true
}

// get returns the copy kept under k, or nil.
func (c *Cache) get(k cacheKey) *cacheEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[k]
	if !ok {
		c.misses.Add(1)
		return nil
	}
	c.hits.Add(1)
	c.order.MoveToFront(el)
	return el.Value.(*cacheEntry)
}

// put keeps accts, and their JSON, under k.
func (c *Cache) put(k cacheKey, accts []flinks.AccountDetail, json []byte) {
	size := sizeOf(accts) + int64(len(json))
	if size > c.max/4 {
		return // one login must not empty the cache
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[k]; ok {
		return
	}
	// Copies of the login's older snapshots will never be asked for again.
	for el := range c.byLogin[k.loginKey] {
		if el.Value.(*cacheEntry).key.version != k.version {
			c.remove(el)
		}
	}
	el := c.order.PushFront(&cacheEntry{key: k, accts: accts, json: json, size: size})
	c.entries[k] = el
	if c.byLogin[k.loginKey] == nil {
		c.byLogin[k.loginKey] = map[*list.Element]struct{}{}
	}
	c.byLogin[k.loginKey][el] = struct{}{}
	c.size += size
	for c.size > c.max {
		c.remove(c.order.Back())
	}
}

func (c *Cache) remove(el *list.Element) {
	e := el.Value.(*cacheEntry)
	c.order.Remove(el)
	delete(c.entries, e.key)
	if m := c.byLogin[e.key.loginKey]; m != nil {
		delete(m, el)
		if len(m) == 0 {
			delete(c.byLogin, e.key.loginKey)
		}
	}
	c.size -= e.size
}

// Forget drops every copy of a login's data, for DeleteCard: nothing of a
// deleted login stays in this process's memory. (Another process's copies
// are never served, its read of the login failing, and age out.)
func (c *Cache) Forget(customerID, loginID string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for el := range c.byLogin[loginKey{customerID, loginID}] {
		c.remove(el)
	}
}

// CacheStats is what the cache holds and how often it served.
type CacheStats struct {
	Hits, Misses int64
	Bytes        int64
	Entries      int
}

// Stats reports the cache's counters; the zero value for no cache.
func (c *Cache) Stats() CacheStats {
	if c == nil {
		return CacheStats{}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return CacheStats{Hits: c.hits.Load(), Misses: c.misses.Load(), Bytes: c.size, Entries: len(c.entries)}
}

// sizeOf estimates the memory of shaped accounts: the structs, their
// pointers and strings.
func sizeOf(accts []flinks.AccountDetail) int64 {
	const account, transaction = 600, 160
	n := int64(len(accts)) * account
	for i := range accts {
		n += int64(len(accts[i].Transactions)) * transaction
		for j := range accts[i].Transactions {
			n += int64(len(accts[i].Transactions[j].Description))
		}
	}
	return n
}
