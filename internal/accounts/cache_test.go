package accounts

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/flinks"
)

func accountsOf(transactions int) []flinks.AccountDetail {
	return []flinks.AccountDetail{{Id: "a", Transactions: make([]flinks.Transaction, transactions)}}
}

// jsonOf is the JSON kept with a copy of accounts.
var jsonOf = []byte(`[{"Id":"a"}]`)

func key(login string, version int64) cacheKey {
	return cacheKey{loginKey: loginKey{"cust", login}, version: version, transactions: true}
}

func TestCacheKeys(t *testing.T) {
	now := time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC)
	o, err := Parse(&flinks.DataRequest{}, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := keyOf("c", "l", o); !ok {
		t.Error("the default options are not cached")
	}
	filtered, _ := Parse(&flinks.DataRequest{AccountsFilter: []string{"a"}}, now)
	delta, _ := Parse(&flinks.DataRequest{RefreshDelta: []flinks.RefreshDelta{{AccountId: "a", TransactionId: "t"}}}, now)
	for name, o := range map[string]Options{"AccountsFilter": filtered, "RefreshDelta": delta} {
		if _, ok := keyOf("c", "l", o); ok {
			t.Errorf("a call with %s is cached", name)
		}
	}
	// The window moves with the day, not the hour.
	later, _ := Parse(&flinks.DataRequest{}, now.Add(time.Hour))
	tomorrow, _ := Parse(&flinks.DataRequest{}, now.Add(24*time.Hour))
	a, _ := keyOf("c", "l", o)
	b, _ := keyOf("c", "l", later)
	c, _ := keyOf("c", "l", tomorrow)
	if a != b || a == c {
		t.Errorf("keys: now %+v, an hour later %+v, tomorrow %+v", a, b, c)
	}
	noKYC, _ := Parse(&flinks.DataRequest{WithKYC: new(flinks.Bool)}, now)
	if d, _ := keyOf("c", "l", noKYC); d == a {
		t.Error("WithKYC false shares the key of the default")
	}
}

func TestCacheBoundsAndForgets(t *testing.T) {
	one := sizeOf(accountsOf(100)) + int64(len(jsonOf))
	c := NewCache(one * 4)
	for i := range 4 {
		c.put(key(fmt.Sprint("l", i), 1), accountsOf(100), jsonOf)
	}
	c.get(key("l0", 1)) // l0 is now the most recently used; l1 the least
	c.put(key("l4", 1), accountsOf(100), jsonOf)
	if c.get(key("l1", 1)) != nil {
		t.Error("the least recently used copy was kept past the bound")
	}
	for _, l := range []string{"l0", "l2", "l3", "l4"} {
		if c.get(key(l, 1)) == nil {
			t.Errorf("%s was dropped", l)
		}
	}
	if st := c.Stats(); st.Bytes > one*4 || st.Entries != 4 {
		t.Errorf("stats %+v, bound %d", st, one*4)
	}

	// A new snapshot's copy replaces the older ones of its login.
	c.put(key("l2", 2), accountsOf(10), jsonOf)
	if c.get(key("l2", 1)) != nil {
		t.Error("the copy of the login's older snapshot was kept")
	}
	// DeleteCard: nothing of the login stays.
	c.Forget("cust", "l2")
	if c.get(key("l2", 2)) != nil {
		t.Error("Forget kept a copy")
	}
	// One login too large for a quarter of the cache is not kept.
	c.put(key("huge", 1), accountsOf(1000), jsonOf)
	if c.get(key("huge", 1)) != nil {
		t.Error("a copy of more than a quarter of the cache was kept")
	}
	if NewCache(0) != nil {
		t.Error("a cache of 0 bytes is not off")
	}
	var off *Cache
	off.Forget("cust", "l0") // no cache: nothing to do, no panic
	if off.Stats() != (CacheStats{}) {
		t.Error("no cache has stats")
	}
}

// TestCacheConcurrent runs gets, puts and forgets of many logins at once,
// for the race detector.
func TestCacheConcurrent(t *testing.T) {
	one := sizeOf(accountsOf(10)) + int64(len(jsonOf))
	c := NewCache(one * 20)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 500 {
				k := key(fmt.Sprint("l", (w*7+i)%40), int64(i%3))
				if e := c.get(k); e != nil && (len(e.accts[0].Transactions) != 10 || string(e.json) != string(jsonOf)) {
					t.Error("a copy changed")
				}
				c.put(k, accountsOf(10), jsonOf)
				if i%50 == 0 {
					c.Forget("cust", k.login)
				}
			}
		})
	}
	wg.Wait()
	if st := c.Stats(); st.Bytes > one*20 || st.Bytes < 0 {
		t.Errorf("stats %+v after the run", st)
	}
}
