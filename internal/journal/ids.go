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
	logins   map[string]time.Time // customer/login: when seen
	sessions map[string]seen      // customer/request
}

type seen struct {
	loginID string
	at      time.Time
}

func newIDs(st store.Queries) *ids {
	return &ids{store: st, logins: map[string]time.Time{}, sessions: map[string]seen{}}
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
	s, ok := x.session(e.CustomerID+"/"+e.RequestID, now)
	if ok && !(s.loginID == "" && e.LoginID == "") {
		return false
	}
	sh, _ := shownBy(e)
	return !(sh && e.LoginID != "")
}

// prefetched is the sessions a batch's entries name, read at once by prefetch:
// each key (customer/request) read maps to its login, "" for none; absent
// keys were read and are not sessions.
type prefetched map[string]*string

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
			got[customer+"/"+id] = login
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
		key := e.CustomerID + "/" + e.RequestID
		s, ok := x.session(key, now)
		if ok && s.loginID == "" && e.LoginID == "" {
			// Seen while its conversation had made no login yet: it may
			// have one now.
			ok = false
		}
		if !ok {
			if login, fetched := pre[key]; fetched && !(shown && e.LoginID != "") {
				if login != nil {
					s, ok = seen{loginID: *login, at: now}, true
				}
			} else if shown && e.LoginID != "" {
				s, ok = seen{loginID: e.LoginID, at: now}, true
			} else {
				sess, err := x.store.Session(ctx, e.CustomerID, e.RequestID)
				switch {
				case err == nil:
					s, ok = seen{loginID: sess.LoginID, at: now}, true
				case !errors.Is(err, store.ErrNotFound):
					return err
				}
			}
			if ok {
				x.note(key, s)
			}
		}
		switch {
		case !ok:
			unknown = append(unknown, e.RequestID)
		case e.LoginID == "":
			e.LoginID = s.loginID
		}
	}
	if e.LoginID != "" {
		key := e.CustomerID + "/" + e.LoginID
		x.mu.Lock()
		at, ok := x.logins[key]
		x.mu.Unlock()
		ok = ok && now.Sub(at) < seenFor && !deleting
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
			if len(x.logins) >= 10000 {
				clear(x.logins)
			}
			x.logins[key] = now
			x.mu.Unlock()
		} else {
			unknown = append(unknown, e.LoginID)
		}
	}
	scrub(e, unknown...)
	return nil
}

func (x *ids) session(key string, now time.Time) (seen, bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	s, ok := x.sessions[key]
	return s, ok && now.Sub(s.at) < seenFor
}

func (x *ids) note(key string, s seen) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if len(x.sessions) >= 10000 {
		clear(x.sessions)
	}
	x.sessions[key] = s
}

// forget drops what was seen of a login and its sessions: it was deleted.
func (x *ids) forget(customerID, loginID string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	delete(x.logins, customerID+"/"+loginID)
	for k, s := range x.sessions {
		if s.loginID == loginID && strings.HasPrefix(k, customerID+"/") {
			delete(x.sessions, k)
		}
	}
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
