package journal

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bankfeed/bankfeed/internal/store"
)

// Unknown replaces, in a journal entry, the id of a login or session that
// does not exist when the entry is written: a deleted login's (a request
// naming it after DeleteCard, and the DeleteCard itself), or a mistaken
// one. So nothing of a deleted login remains in the journal, as nothing
// remains anywhere else.
const Unknown = "[unknown id]"

// seenFor is how long a login or session seen to exist is trusted to: a
// DeleteCard served by another process is noticed within it.
const seenFor = time.Second

// ids checks the logins and sessions journal entries name, and finds the
// login of an entry that names only its session. What it saw is kept for
// seenFor; a deletion in this process forgets it at once.
type ids struct {
	store    store.Queries
	mu       sync.Mutex
	logins   *recent[customerKey, struct{}]
	sessions *recent[customerKey, string] // the session's login, "" for none yet
}

// customerKey is a login's or a session's id with its customer's.
type customerKey struct{ customer, id string }

// seenMax bounds what ids remembers in a span, past a rate of 10,000
// entries a second.
const seenMax = 10000

func newIDs(st store.Queries) *ids {
	return &ids{store: st, logins: newRecent[customerKey, struct{}](seenFor, seenMax),
		sessions: newRecent[customerKey, string](seenFor, seenMax)}
}

// shownBy reports whether e shows that what it names existed a moment ago: a
// successful answer, or an event written with its rows. A DeleteCard's
// shows the reverse.
func shownBy(e *store.JournalEntry) (shown, deleting bool) {
	deleting = e.Method == http.MethodDelete && strings.Contains(e.Path, "/DeleteCard/")
	return !deleting && (e.Kind == store.JournalEvent || (e.Status >= 200 && e.Status < 300)), deleting
}

// needsSession reports whether check must read the session e names.
func (x *ids) needsSession(e *store.JournalEntry, now time.Time) bool {
	if e.CustomerID == "" || e.RequestID == "" {
		return false
	}
	login, ok := x.session(customerKey{e.CustomerID, e.RequestID}, now)
	if ok && !(login == "" && e.LoginID == "") {
		return false
	}
	sh, _ := shownBy(e)
	return !(sh && e.LoginID != "")
}

// prefetched is the sessions a batch's entries name, read at once by prefetch:
// each key (customer/request) read maps to its login, "" for none; absent
// keys were read and are not sessions.
type prefetched map[customerKey]*string

// prefetch reads, one statement per customer, the sessions that check
// would read one at a time for the entries: the journal's writer then
// waits for one round trip a batch, not one an entry.
func (x *ids) prefetch(ctx context.Context, entries []*store.JournalEntry) (prefetched, error) {
	if x.store == nil {
		return nil, nil
	}
	now := time.Now()
	byCustomer := map[string][]string{}
	for _, e := range entries {
		if x.needsSession(e, now) {
			byCustomer[e.CustomerID] = append(byCustomer[e.CustomerID], e.RequestID)
		}
	}
	got := prefetched{}
	for customer, ids := range byCustomer {
		slices.Sort(ids)
		ids = slices.Compact(ids)
		logins, err := x.store.SessionLogins(ctx, customer, ids)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			var login *string
			if l, ok := logins[id]; ok {
				login = &l
			}
			got[customerKey{customer, id}] = login
		}
	}
	return got, nil
}

// check fills e's login from its session, and replaces the ids of e that
// name nothing. pre is what prefetch read for e's batch, or nil.
func (x *ids) check(ctx context.Context, e *store.JournalEntry, pre prefetched) error {
	if e.CustomerID == "" || x.store == nil {
		return nil
	}
	now := time.Now()
	shown, deleting := shownBy(e)
	var unknown []string
	if e.RequestID != "" {
		key := customerKey{e.CustomerID, e.RequestID}
		login, ok := x.session(key, now)
		if ok && login == "" && e.LoginID == "" {
			// Seen while its conversation had made no login yet: it may
			// have one now.
			ok = false
		}
		if !ok {
			if read, fetched := pre[key]; fetched && !(shown && e.LoginID != "") {
				if read != nil {
					login, ok = *read, true
				}
			} else if shown && e.LoginID != "" {
				login, ok = e.LoginID, true
			} else {
				sess, err := x.store.Session(ctx, e.CustomerID, e.RequestID)
				switch {
				case err == nil:
					login, ok = sess.LoginID, true
				case !errors.Is(err, store.ErrNotFound):
					return err
				}
			}
			if ok {
				x.note(key, login, now)
			}
		}
		switch {
		case !ok:
			unknown = append(unknown, e.RequestID)
		case e.LoginID == "":
			e.LoginID = login
		}
	}
	if e.LoginID != "" {
		key := customerKey{e.CustomerID, e.LoginID}
		x.mu.Lock()
		_, ok := x.logins.get(key, now)
		x.mu.Unlock()
		ok = ok && !deleting
		if !ok && shown {
			ok = true
		} else if !ok {
			_, err := x.store.Login(ctx, e.CustomerID, e.LoginID)
			switch {
			case err == nil:
				ok = true
			case !errors.Is(err, store.ErrNotFound):
				return err
			}
		}
		if ok {
			x.mu.Lock()
			x.logins.put(key, struct{}{}, now)
			x.mu.Unlock()
		} else {
			unknown = append(unknown, e.LoginID)
		}
	}
	scrub(e, unknown...)
	return nil
}

// session returns the login of a session seen less than seenFor ago.
func (x *ids) session(key customerKey, now time.Time) (login string, ok bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.sessions.get(key, now)
}

func (x *ids) note(key customerKey, login string, now time.Time) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.sessions.put(key, login, now)
}

// forget drops what was seen of a login and its sessions: it was deleted.
func (x *ids) forget(customerID, loginID string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.logins.drop(func(k customerKey, _ struct{}) bool { return k == customerKey{customerID, loginID} })
	x.sessions.drop(func(k customerKey, login string) bool { return k.customer == customerID && login == loginID })
}

// scrub replaces the given ids wherever e shows them. An id shorter than
// bankfeed's ids is only unset, not searched for: replacing "x" would
// mangle the bodies, and it names nothing anyway.
func scrub(e *store.JournalEntry, ids ...string) {
	for _, id := range ids {
		if id == "" {
			continue
		}
		if e.LoginID == id {
			e.LoginID = ""
		}
		if e.RequestID == id {
			e.RequestID = ""
		}
		if len(id) < 8 {
			continue
		}
		e.Path = strings.ReplaceAll(e.Path, id, Unknown)
		e.Detail = strings.ReplaceAll(e.Detail, id, Unknown)
		e.RequestBody = bytes.ReplaceAll(e.RequestBody, []byte(id), []byte(Unknown))
		e.ResponseBody = bytes.ReplaceAll(e.ResponseBody, []byte(id), []byte(Unknown))
	}
}
