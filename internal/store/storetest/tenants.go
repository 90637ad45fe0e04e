package storetest

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/internal/store"
)

func fullCustomer(id string) *store.Customer {
	return &store.Customer{
		ID:             id,
		Name:           "Acme Lending, Inc. — prod",
		SecretHash:     bytes.Repeat([]byte{0, 's'}, 16),
		APIKeyHash:     bytes.Repeat([]byte{'k', 0xff}, 16),
		TokenRequired:  true,
		APIKeyRequired: true,
		RequestRate:    50,
		TokenRate:      120,
		Sandbox:        true,
		CreatedAt:      at(-time.Hour),
		UpdatedAt:      at(0),
	}
}

func checkCustomer(t *testing.T, how string, got, want *store.Customer) {
	t.Helper()
	var d diffs
	d.str("ID", got.ID, want.ID)
	d.str("Name", got.Name, want.Name)
	d.bytes("SecretHash", got.SecretHash, want.SecretHash)
	d.bytes("APIKeyHash", got.APIKeyHash, want.APIKeyHash)
	d.eq("TokenRequired", got.TokenRequired, want.TokenRequired)
	d.eq("APIKeyRequired", got.APIKeyRequired, want.APIKeyRequired)
	d.eq("RequestRate", got.RequestRate, want.RequestRate)
	d.eq("TokenRate", got.TokenRate, want.TokenRate)
	d.eq("Sandbox", got.Sandbox, want.Sandbox)
	d.time("CreatedAt", got.CreatedAt, want.CreatedAt)
	d.time("UpdatedAt", got.UpdatedAt, want.UpdatedAt)
	for _, msg := range d {
		t.Errorf("%s %s: %s", how, want.ID, msg)
	}
}

func testCustomerRoundTrip(t *testing.T, s store.Store) {
	ctx := t.Context()
	if _, err := s.Customer(ctx, "cust-1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Customer of an empty store: %v, want store.ErrNotFound", err)
	}
	if cs, err := s.Customers(ctx); err != nil || len(cs) != 0 {
		t.Fatalf("Customers of an empty store = %v, %v", cs, err)
	}
	full := fullCustomer("cust-2")
	minimal := &store.Customer{ID: "cust-1", SecretHash: []byte{1}, APIKeyHash: []byte{2}, CreatedAt: at(0), UpdatedAt: at(0)}
	for _, c := range []*store.Customer{full, minimal} {
		if err := s.CreateCustomer(ctx, c); err != nil {
			t.Fatalf("CreateCustomer %s: %v", c.ID, err)
		}
	}
	if err := s.CreateCustomer(ctx, fullCustomer("cust-2")); !errors.Is(err, store.ErrConflict) {
		t.Errorf("CreateCustomer of a taken id: %v, want store.ErrConflict", err)
	}
	got, err := s.Customer(ctx, "cust-2")
	if err != nil {
		t.Fatalf("Customer: %v", err)
	}
	checkCustomer(t, "Customer", got, full)
	all, err := s.Customers(ctx)
	if err != nil || len(all) != 2 {
		t.Fatalf("Customers = %d customers, %v; want 2", len(all), err)
	}
	checkCustomer(t, "Customers[0]", all[0], minimal)
	checkCustomer(t, "Customers[1]", all[1], full)

	// Every field but the id and the creation time changes.
	changed := &store.Customer{ID: "cust-2", Name: "renamed", SecretHash: []byte{3}, APIKeyHash: []byte{4},
		RequestRate: 1, TokenRate: 2, CreatedAt: at(time.Hour), UpdatedAt: at(time.Minute)}
	if err := s.UpdateCustomer(ctx, changed); err != nil {
		t.Fatalf("UpdateCustomer: %v", err)
	}
	want := *changed
	want.CreatedAt = full.CreatedAt
	if got, err := s.Customer(ctx, "cust-2"); err != nil {
		t.Fatalf("Customer: %v", err)
	} else {
		checkCustomer(t, "Customer after UpdateCustomer", got, &want)
	}
	if err := s.UpdateCustomer(ctx, &store.Customer{ID: "nobody", SecretHash: []byte{1}, APIKeyHash: []byte{1}}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UpdateCustomer of a missing customer: %v, want store.ErrNotFound", err)
	}
}

func testDeleteCustomer(t *testing.T, s store.Store) {
	ctx := t.Context()
	for _, id := range []string{"cust-1", "cust-2"} {
		if err := s.CreateCustomer(ctx, fullCustomer(id)); err != nil {
			t.Fatal(err)
		}
		mustCreateLogin(t, s, fullLogin(id, "login-"+id, "greatday"))
		mustCreateSession(t, s, fullSession(id, "sess-"+id, "login-"+id))
		mustCreateSession(t, s, minimalSession(id, "sess-no-login-"+id))
		mustPutSnapshot(t, s, id, "login-"+id, at(0), snapshotFixture())
		if err := s.CreateToken(ctx, &store.AuthorizeToken{Hash: []byte("token-" + id), CustomerID: id, ExpiresAt: at(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if err := s.Enqueue(ctx, fetchJob{CustomerID: id, LoginID: "login-" + id, Note: id}); err != nil {
			t.Fatal(err)
		}
		if err := s.PutWebhook(ctx, &store.Webhook{CustomerID: id, URL: "https://example.test", Secret: []byte{1}}); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateDelivery(ctx, delivery(id, "", "delivery-"+id, 0)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteCustomer(ctx, "cust-1"); err != nil {
		t.Fatalf("DeleteCustomer: %v", err)
	}
	if err := s.DeleteCustomer(ctx, "cust-1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second DeleteCustomer: %v, want store.ErrNotFound", err)
	}
	gone := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s of a deleted customer: %v, want store.ErrNotFound", what, err)
		}
	}
	_, err := s.Customer(ctx, "cust-1")
	gone("Customer", err)
	_, err = s.Login(ctx, "cust-1", "login-cust-1")
	gone("Login", err)
	_, err = s.Session(ctx, "cust-1", "sess-cust-1")
	gone("Session", err)
	_, err = s.Session(ctx, "cust-1", "sess-no-login-cust-1")
	gone("Session without a login", err)
	_, _, err = s.Snapshot(ctx, "cust-1", "login-cust-1", store.SnapshotQuery{})
	gone("Snapshot", err)
	_, err = s.Token(ctx, "cust-1", []byte("token-cust-1"))
	gone("Token", err)
	_, err = s.Webhook(ctx, "cust-1")
	gone("Webhook", err)
	_, err = s.Delivery(ctx, "delivery-cust-1")
	gone("Delivery", err)
	if _, err := s.Delivery(ctx, "delivery-cust-2"); err != nil {
		t.Errorf("Delivery of the other customer: %v", err)
	}

	// The other customer keeps everything.
	if _, err := s.Customer(ctx, "cust-2"); err != nil {
		t.Errorf("Customer of the other customer: %v", err)
	}
	if _, err := s.Session(ctx, "cust-2", "sess-no-login-cust-2"); err != nil {
		t.Errorf("Session of the other customer: %v", err)
	}
	if _, _, err := s.Snapshot(ctx, "cust-2", "login-cust-2", store.SnapshotQuery{}); err != nil {
		t.Errorf("Snapshot of the other customer: %v", err)
	}
	if _, err := s.Token(ctx, "cust-2", []byte("token-cust-2")); err != nil {
		t.Errorf("Token of the other customer: %v", err)
	}
	checkJobs(t, s, "login-cust-1", 0)
	checkJobs(t, s, "login-cust-2", 1)
}

// checkJobs checks the number of jobs naming loginID, through the
// implementation's JobArgsOf (see testEnqueue); it checks nothing of a store
// that does not show its jobs.
func checkJobs(t *testing.T, s store.Store, loginID string, want int) {
	t.Helper()
	lister, ok := s.(interface {
		JobArgsOf(ctx context.Context, loginID string) ([]string, error)
	})
	if !ok {
		return
	}
	args, err := lister.JobArgsOf(t.Context(), loginID)
	if err != nil {
		t.Fatalf("JobArgsOf: %v", err)
	}
	if len(args) != want {
		t.Errorf("jobs naming %s = %q, want %d", loginID, args, want)
	}
}

func testTokens(t *testing.T, s store.Store) {
	ctx := t.Context()
	tok := &store.AuthorizeToken{Hash: allBytes()[:32], CustomerID: "cust-1", ExpiresAt: at(30 * time.Minute), CreatedAt: at(0)}
	if err := s.CreateToken(ctx, tok); err != nil {
		t.Fatalf("CreateToken: %v", err)
	}
	if err := s.CreateToken(ctx, tok); !errors.Is(err, store.ErrConflict) {
		t.Errorf("CreateToken twice: %v, want store.ErrConflict", err)
	}
	check := func(how string, want store.AuthorizeToken) {
		t.Helper()
		got, err := s.Token(ctx, "cust-1", tok.Hash)
		if err != nil {
			t.Fatalf("%s: Token: %v", how, err)
		}
		var d diffs
		d.bytes("Hash", got.Hash, want.Hash)
		d.str("CustomerID", got.CustomerID, want.CustomerID)
		d.time("ExpiresAt", got.ExpiresAt, want.ExpiresAt)
		d.time("UsedAt", got.UsedAt, want.UsedAt)
		d.str("RequestID", got.RequestID, want.RequestID)
		d.time("CreatedAt", got.CreatedAt, want.CreatedAt)
		for _, msg := range d {
			t.Errorf("%s: %s", how, msg)
		}
	}
	check("new", *tok)
	// Another customer's token does not exist for this one.
	if _, err := s.Token(ctx, "cust-2", tok.Hash); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Token of another customer: %v, want store.ErrNotFound", err)
	}
	if err := s.UseToken(ctx, "cust-2", tok.Hash, at(time.Minute)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UseToken of another customer's token: %v, want store.ErrNotFound", err)
	}
	// An expired token cannot be used; exactly at its expiry it has expired.
	if err := s.UseToken(ctx, "cust-1", tok.Hash, at(30*time.Minute)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UseToken at expiry: %v, want store.ErrNotFound", err)
	}
	// ReturnToken gives an unbound used token back, max times: used and
	// returned twice, the third use is for good.
	if err := s.ReturnToken(ctx, "cust-1", tok.Hash, 2); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ReturnToken of an unused token: %v, want store.ErrNotFound", err)
	}
	for i := range 3 {
		if err := s.UseToken(ctx, "cust-1", tok.Hash, at(time.Minute)); err != nil {
			t.Fatalf("UseToken %d: %v", i+1, err)
		}
		if err := s.UseToken(ctx, "cust-1", tok.Hash, at(2*time.Minute)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("UseToken again after use %d: %v, want store.ErrNotFound", i+1, err)
		}
		if err := s.ReturnToken(ctx, "cust-2", tok.Hash, 2); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("ReturnToken of another customer's token: %v, want store.ErrNotFound", err)
		}
		err := s.ReturnToken(ctx, "cust-1", tok.Hash, 2)
		if i < 2 && err != nil {
			t.Fatalf("ReturnToken %d: %v", i+1, err)
		}
		if i == 2 && !errors.Is(err, store.ErrNotFound) {
			t.Errorf("ReturnToken past the bound: %v, want store.ErrNotFound", err)
		}
	}
	if err := s.BindToken(ctx, "cust-1", tok.Hash, "sess-1"); err != nil {
		t.Fatalf("BindToken: %v", err)
	}
	if err := s.BindToken(ctx, "cust-2", tok.Hash, "sess-1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("BindToken of another customer's token: %v, want store.ErrNotFound", err)
	}
	used := *tok
	used.UsedAt, used.RequestID = at(time.Minute), "sess-1"
	check("used", used)
	// A token bound to its session is never given back.
	if err := s.ReturnToken(ctx, "cust-1", tok.Hash, 100); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ReturnToken of a bound token: %v, want store.ErrNotFound", err)
	}

	// The sweep deletes expired tokens only.
	fresh := &store.AuthorizeToken{Hash: []byte("fresh"), CustomerID: "cust-1", ExpiresAt: at(time.Hour)}
	if err := s.CreateToken(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	if n, err := s.DeleteTokensExpiredBefore(ctx, at(45*time.Minute)); err != nil || n != 1 {
		t.Errorf("DeleteTokensExpiredBefore = %d, %v; want 1, nil", n, err)
	}
	if _, err := s.Token(ctx, "cust-1", tok.Hash); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Token after the sweep: %v, want store.ErrNotFound", err)
	}
	if _, err := s.Token(ctx, "cust-1", fresh.Hash); err != nil {
		t.Errorf("a token not expired was swept: %v", err)
	}
}

// testTokenUsedOnce checks that of many concurrent uses of one token,
// exactly one succeeds.
func testTokenUsedOnce(t *testing.T, s store.Store) {
	ctx := t.Context()
	if err := s.CreateToken(ctx, &store.AuthorizeToken{Hash: []byte("once"), CustomerID: "cust-1", ExpiresAt: at(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	var ok, notFound atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			switch err := s.UseToken(ctx, "cust-1", []byte("once"), at(0)); {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, store.ErrNotFound):
				notFound.Add(1)
			default:
				t.Errorf("UseToken: %v", err)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 1 || notFound.Load() != 15 {
		t.Errorf("%d uses succeeded and %d were refused, want 1 and 15", ok.Load(), notFound.Load())
	}
}

// sealedFixture stores the rows of every sealed kind: two logins with data
// keys, one sealed under the master key directly, one with nothing sealed;
// two sessions sealed, one not.
func sealedFixture(t *testing.T, s store.Store) {
	keyed := func(id string, key byte) *store.Login {
		l := fullLogin("cust-1", id, id)
		l.Sealed, l.DataKey = []byte("sealed-"+id), []byte{key, 'k', 'e', 'y'}
		return l
	}
	mustCreateLogin(t, s, keyed("login-b", 2))
	mustCreateLogin(t, s, keyed("login-a", 1))
	direct := fullLogin("cust-2", "login-c", "c")
	direct.Sealed, direct.DataKey = []byte{3, 's', 'e', 'a', 'l', 'e', 'd'}, nil
	mustCreateLogin(t, s, direct)
	mustCreateLogin(t, s, minimalLogin("cust-1", "login-d", "d"))
	a := fullSession("cust-1", "sess-a", "login-a")
	a.Sealed = []byte{4, 's', 'a'}
	mustCreateSession(t, s, a)
	b := fullSession("cust-2", "sess-b", "")
	b.Sealed = []byte{5, 's', 'b'}
	mustCreateSession(t, s, b)
	mustCreateSession(t, s, minimalSession("cust-1", "sess-c"))
}

func testSealedValues(t *testing.T, s store.Store) {
	sealedFixture(t, s)
	ctx := t.Context()
	ids := func(vs []store.SealedValue) []string {
		var out []string
		for _, v := range vs {
			out = append(out, v.CustomerID+"/"+v.ID+"="+string(v.Value))
		}
		return out
	}
	for _, tt := range []struct {
		kind  store.SealedKind
		after string
		limit int
		want  []string
	}{
		{store.SealedLoginKey, "", 10, []string{"cust-1/login-a=\x01key", "cust-1/login-b=\x02key"}},
		{store.SealedLoginKey, "", 1, []string{"cust-1/login-a=\x01key"}},
		{store.SealedLoginKey, "login-a", 10, []string{"cust-1/login-b=\x02key"}},
		{store.SealedLoginKey, "login-b", 10, nil},
		{store.SealedLogin, "", 10, []string{"cust-2/login-c=\x03sealed"}},
		{store.SealedSession, "", 10, []string{"cust-1/sess-a=\x04sa", "cust-2/sess-b=\x05sb"}},
		{store.SealedSession, "sess-a", 10, []string{"cust-2/sess-b=\x05sb"}},
	} {
		got, err := s.SealedValues(ctx, tt.kind, tt.after, tt.limit)
		if err != nil {
			t.Fatalf("SealedValues(%s, %q, %d): %v", tt.kind, tt.after, tt.limit, err)
		}
		if !slices.Equal(ids(got), tt.want) {
			t.Errorf("SealedValues(%s, %q, %d) = %q, want %q", tt.kind, tt.after, tt.limit, ids(got), tt.want)
		}
	}
	if _, err := s.SealedValues(ctx, "nonsense", "", 10); err == nil {
		t.Error("SealedValues of an unknown kind succeeded")
	}
}

func testReplaceSealed(t *testing.T, s store.Store) {
	sealedFixture(t, s)
	ctx := t.Context()
	before, err := s.Login(ctx, "cust-1", "login-a")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name                   string
		kind                   store.SealedKind
		customer, id, old, new string
		want                   bool
	}{
		{"login key", store.SealedLoginKey, "cust-1", "login-a", "\x01key", "\x11key", true},
		{"stale old value", store.SealedLoginKey, "cust-1", "login-a", "\x01key", "\x21key", false},
		{"another customer's row", store.SealedLoginKey, "cust-2", "login-b", "\x02key", "\x12key", false},
		{"a login with a data key is not a direct one", store.SealedLogin, "cust-1", "login-b", "sealed-login-b", "x", false},
		{"direct login", store.SealedLogin, "cust-2", "login-c", "\x03sealed", "\x13sealed", true},
		{"session", store.SealedSession, "cust-2", "sess-b", "\x05sb", "\x15sb", true},
		{"missing row", store.SealedSession, "cust-1", "sess-zzz", "\x05sb", "x", false},
	} {
		got, err := s.ReplaceSealed(ctx, tt.kind, tt.customer, tt.id, []byte(tt.old), []byte(tt.new))
		if err != nil || got != tt.want {
			t.Errorf("%s: ReplaceSealed = %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
	// The rewrapped key is there, and nothing else of the login changed:
	// not its version, which a conversation in flight compares.
	after, err := s.Login(ctx, "cust-1", "login-a")
	if err != nil {
		t.Fatal(err)
	}
	want := *before
	want.DataKey = []byte("\x11key")
	checkLogin(t, "Login after ReplaceSealed", after, &want)
	sess, err := s.Session(ctx, "cust-2", "sess-b")
	if err != nil {
		t.Fatal(err)
	}
	wantSess := fullSession("cust-2", "sess-b", "")
	wantSess.Sealed = []byte("\x15sb")
	checkSession(t, sess, wantSess)
	if direct, err := s.Login(ctx, "cust-2", "login-c"); err != nil || string(direct.Sealed) != "\x13sealed" {
		t.Errorf("direct login after ReplaceSealed: %q, %v", direct.Sealed, err)
	}
}

func testSealedPrefixes(t *testing.T, s store.Store) {
	ctx := t.Context()
	if got, err := s.SealedPrefixes(ctx, 2); err != nil || len(got) != 0 {
		t.Fatalf("SealedPrefixes of an empty store = %q, %v", got, err)
	}
	sealedFixture(t, s)
	// A second login whose key starts like login-a's: prefixes are distinct.
	l := fullLogin("cust-1", "login-e", "e")
	l.DataKey = []byte{1, 'k', 'x'}
	mustCreateLogin(t, s, l)
	got, err := s.SealedPrefixes(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	var strs []string
	for _, p := range got {
		strs = append(strs, string(p))
	}
	slices.Sort(strs)
	// Login keys (\x01k, \x02k), the direct login (\x03s) and the sessions
	// (\x04s, \x05s); not the logins' own sealed values, which are sealed
	// with their data keys.
	want := []string{"\x01k", "\x02k", "\x03s", "\x04s", "\x05s"}
	if !slices.Equal(strs, want) {
		t.Errorf("SealedPrefixes = %q, want %q", strs, want)
	}
}
