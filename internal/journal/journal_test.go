package journal

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/internal/store"
)

// reads is a store that counts what the journal's writer reads, holds the
// sessions and logins named, and keeps what it appends. Any other call
// panics: the writer makes none.
type reads struct {
	store.Queries
	store.Sandbox
	sessions    map[string]string // request id: login id
	logins      map[string]bool
	batchReads  [][]string
	singleReads int
	loginReads  int
	appended    []*store.JournalEntry
}

func (r *reads) SessionLogins(_ context.Context, _ string, ids []string) (map[string]string, error) {
	r.batchReads = append(r.batchReads, slices.Clone(ids))
	out := map[string]string{}
	for _, id := range ids {
		if l, ok := r.sessions[id]; ok {
			out[id] = l
		}
	}
	return out, nil
}

func (r *reads) Session(_ context.Context, customerID, id string) (*store.Session, error) {
	r.singleReads++
	if l, ok := r.sessions[id]; ok {
		return &store.Session{ID: id, CustomerID: customerID, LoginID: l}, nil
	}
	return nil, store.ErrNotFound
}

func (r *reads) Login(_ context.Context, customerID, id string) (*store.Login, error) {
	r.loginReads++
	if r.logins[id] {
		return &store.Login{ID: id, CustomerID: customerID}, nil
	}
	return nil, store.ErrNotFound
}

func (r *reads) AppendJournal(_ context.Context, entries []*store.JournalEntry, _ int) error {
	r.appended = append(r.appended, entries...)
	return nil
}

// TestWriteReadsOnlyWhatEntriesDoNotShow: the writer reads nothing for the
// entries of a cached Authorize and its data call, which show their
// session and login (the data call's login given by the HTTP surface, its
// body being too large to read), and reads the sessions the others name in
// one statement for the batch (sorted).
func TestWriteReadsOnlyWhatEntriesDoNotShow(t *testing.T) {
	t.Parallel()
	const (
		customer = "43387ca6-0391-4c82-857d-70d95f087ecb"
		login    = "5e1b0a57-4fd0-4f7e-9c4e-1d3b8d3c2a11"
		cached   = "0f8a2a43-6b1e-4c55-b0f4-7f5f8b3a9d01"
		mfa      = "9c3d7e1a-2b4f-4e6a-8d5c-3a1b2c4d5e6f"
		gone     = "7b6a5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d"
	)
	st := &reads{sessions: map[string]string{cached: login, mfa: ""}, logins: map[string]bool{login: true}}
	r := New(Config{Store: st, Sessions: st})
	body := func(s string) ([]byte, int) { return []byte(s), len(s) }
	request := func(path string, status int, loginID string, req, resp string) {
		r.Begin()
		q, qn := body(req)
		a, an := body(resp)
		r.Request(store.JournalEntry{CustomerID: customer, LoginID: loginID, Method: "POST", Path: path, Status: status}, q, qn, a, an)
	}
	request("/v3/"+customer+"/BankingServices/Authorize", 200, "",
		`{"LoginId":"`+login+`","MostRecentCached":true}`, `{"HttpStatusCode":200,"RequestId":"`+cached+`","Login":{"Id":"`+login+`"}}`)
	r.Event(customer, login, cached, "session authorized", "cached FlinksCapital")
	// A data call's body is over the journal's limit: noted by size only.
	r.Begin()
	r.Request(store.JournalEntry{CustomerID: customer, LoginID: login, Method: "POST", Path: "/v3/" + customer + "/BankingServices/GetAccountsDetail", Status: 200},
		[]byte(`{"RequestId":"`+cached+`"}`), 49, nil, MaxBody+1)
	request("/v3/"+customer+"/BankingServices/Authorize", 203, "",
		`{"Institution":"FlinksCapital","Username":"u","Password":"p"}`, `{"HttpStatusCode":203,"RequestId":"`+mfa+`"}`)
	request("/v3/"+customer+"/BankingServices/GetAccountsDetail", 400, "",
		`{"RequestId":"`+gone+`"}`, `{"HttpStatusCode":400,"FlinksCode":"INVALID_REQUEST_ID","RequestId":"`+gone+`"}`)
	if err := r.WritePending(context.Background()); err != nil {
		t.Fatal(err)
	}

	if want := [][]string{{gone, mfa}}; !slices.EqualFunc(st.batchReads, want, slices.Equal[[]string]) {
		t.Errorf("sessions read in batches %q, want %q", st.batchReads, want)
	}
	if st.singleReads != 0 || st.loginReads != 0 {
		t.Errorf("%d sessions and %d logins read one at a time, want none", st.singleReads, st.loginReads)
	}
	if len(st.appended) != 5 {
		t.Fatalf("%d entries appended, want 5", len(st.appended))
	}
	for i, want := range []struct{ request, login string }{{cached, login}, {cached, login}, {cached, login}, {mfa, ""}, {"", ""}} {
		if e := st.appended[i]; e.RequestID != want.request || e.LoginID != want.login {
			t.Errorf("entry %d (%s %s) names session %q and login %q, want %q and %q", i, e.Path, e.Event, e.RequestID, e.LoginID, want.request, want.login)
		}
	}
	if last := st.appended[4]; strings.Contains(string(last.RequestBody)+string(last.ResponseBody), gone) {
		t.Errorf("the id of no session stayed in the bodies: %s %s", last.RequestBody, last.ResponseBody)
	}

	// Seen a moment ago, the sessions are not read again.
	request("/v3/"+customer+"/BankingServices/GetAccountsDetailAsync/"+mfa, 202, "", "", `{"HttpStatusCode":202,"RequestId":"`+mfa+`"}`)
	if err := r.WritePending(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(st.batchReads) != 2 || len(st.batchReads[1]) != 1 {
		// mfa was seen without a login: it may have one now, and is read.
		t.Errorf("sessions read in batches %q, want mfa read again", st.batchReads)
	}
}

// TestSessionState: a session's states are remembered by its id, a UUID;
// an id that is not one is never remembered, so none of its writes goes
// unrecorded.
func TestSessionState(t *testing.T) {
	t.Parallel()
	r := New(Config{})
	const id = "0f8a2a43-6b1e-4c55-b0f4-7f5f8b3a9d01"
	if _, _, known := r.sessionState(id, "challenged", ""); known {
		t.Fatal("a new session is known")
	}
	if s, f, known := r.sessionState(id, "authorized", "pending"); !known || s != "challenged" || f != "" {
		t.Errorf("sessionState = %q, %q, %v; want challenged, \"\", true", s, f, known)
	}
	if s, f, known := r.sessionState(id, "authorized", "done"); !known || s != "authorized" || f != "pending" {
		t.Errorf("sessionState = %q, %q, %v; want authorized, pending, true", s, f, known)
	}
	for range 2 {
		if _, _, known := r.sessionState("not-a-uuid", "challenged", ""); known {
			t.Error("a session whose id is not a UUID is remembered")
		}
	}
	if len(r.stateNames) != 5 {
		t.Errorf("state names %q, want each once", r.stateNames)
	}
}

// TestRecent: what was put is found for a span and not after, the maps
// turn over by time and by count, and an idle one holds nothing.
func TestRecent(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	r := newRecent[string, int](time.Second, 3)
	r.put("a", 1, at(0))
	if v, ok := r.get("a", at(999)); !ok || v != 1 {
		t.Errorf("get(a) in its span = %d, %v", v, ok)
	}
	if _, ok := r.get("a", at(1000)); ok {
		t.Error("get(a) found past its span")
	}
	r.put("b", 2, at(900))
	r.put("c", 3, at(1100)) // a new map; a and b in the old one
	if _, ok := r.get("b", at(1200)); !ok {
		t.Error("b, in the map before, lost within its span")
	}
	r.put("d", 4, at(1200))
	r.put("e", 5, at(1300))
	r.put("f", 6, at(1400)) // three in the current map: another turn, b's map dropped
	if _, ok := r.old["b"]; ok {
		t.Error("the map two turns back is kept")
	}
	if v, ok := r.get("c", at(1400)); !ok || v != 3 {
		t.Errorf("get(c) = %d, %v", v, ok)
	}
	r.drop(func(k string, v int) bool { return v%2 == 0 })
	if _, ok := r.get("d", at(1400)); ok {
		t.Error("d found after drop")
	}
	if _, ok := r.get("e", at(1400)); !ok {
		t.Error("e lost to a drop of others")
	}
	r.put("g", 7, at(5000)) // idle past a span: all of it gone
	if len(r.old) != 0 || len(r.cur) != 1 {
		t.Errorf("after an idle span: %d old and %d current, want 0 and 1", len(r.old), len(r.cur))
	}
}
