package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/internal/store"
)

func testWebhookRoundTrip(t *testing.T, s store.Store) {
	ctx := t.Context()
	if _, err := s.Webhook(ctx, "cust-1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Webhook of a customer without one: %v, want store.ErrNotFound", err)
	}
	if err := s.PutWebhook(ctx, &store.Webhook{CustomerID: "nobody", URL: "http://x", Secret: []byte{1}}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("PutWebhook of an unknown customer: %v, want store.ErrNotFound", err)
	}
	if err := s.CreateCustomer(ctx, fullCustomer("cust-1")); err != nil {
		t.Fatal(err)
	}
	w := &store.Webhook{CustomerID: "cust-1", URL: "https://example.test/hook", Secret: allBytes(), CreatedAt: at(0), UpdatedAt: at(0)}
	if err := s.PutWebhook(ctx, w); err != nil {
		t.Fatalf("PutWebhook: %v", err)
	}
	// A second put replaces the URL and the secret, keeping CreatedAt.
	w2 := &store.Webhook{CustomerID: "cust-1", URL: "https://example.test/other", Secret: []byte{9, 0, 9}, CreatedAt: at(time.Hour),
		UpdatedAt: at(time.Hour)}
	if err := s.PutWebhook(ctx, w2); err != nil {
		t.Fatalf("second PutWebhook: %v", err)
	}
	got, err := s.Webhook(ctx, "cust-1")
	if err != nil {
		t.Fatal(err)
	}
	var d diffs
	d.str("URL", got.URL, w2.URL)
	d.bytes("Secret", got.Secret, w2.Secret)
	d.time("CreatedAt", got.CreatedAt, w.CreatedAt)
	d.time("UpdatedAt", got.UpdatedAt, w2.UpdatedAt)
	for _, msg := range d {
		t.Error(msg)
	}
	if ws, err := s.Webhooks(ctx); err != nil || len(ws) != 1 || ws[0].CustomerID != "cust-1" {
		t.Errorf("Webhooks = %v, %v; want cust-1's", ws, err)
	}
	if err := s.DeleteWebhook(ctx, "cust-1"); err != nil {
		t.Fatalf("DeleteWebhook: %v", err)
	}
	if err := s.DeleteWebhook(ctx, "cust-1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second DeleteWebhook: %v, want store.ErrNotFound", err)
	}
}

func delivery(customerID, loginID, id string, created time.Duration) *store.Delivery {
	return &store.Delivery{ID: id, CustomerID: customerID, LoginID: loginID, RequestID: "req-" + id, Type: "KYC",
		URL: "https://example.test/hook", Body: []byte(`{"ResponseType":"KYC"}`), State: store.DeliveryPending,
		CreatedAt: at(created), UpdatedAt: at(created)}
}

func testDeliveries(t *testing.T, s store.Store) {
	ctx := t.Context()
	for _, d := range []*store.Delivery{
		delivery("cust-1", "login-1", "d-1", 0),
		delivery("cust-1", "login-2", "d-2", time.Second),
		delivery("cust-2", "login-3", "d-3", 2*time.Second),
		// Written at the same time: the one written last is listed first.
		delivery("cust-2", "login-3", "d-5", 3*time.Second),
		delivery("cust-2", "login-3", "d-4", 3*time.Second),
	} {
		if err := s.CreateDelivery(ctx, d); err != nil {
			t.Fatalf("CreateDelivery %s: %v", d.ID, err)
		}
	}
	if err := s.CreateDelivery(ctx, delivery("cust-1", "login-1", "d-1", 0)); !errors.Is(err, store.ErrConflict) {
		t.Errorf("CreateDelivery of a taken id: %v, want store.ErrConflict", err)
	}
	ids := func(q store.DeliveryQuery) []string {
		t.Helper()
		ds, err := s.Deliveries(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, d := range ds {
			out = append(out, d.ID)
		}
		return out
	}
	for _, c := range []struct {
		q    store.DeliveryQuery
		want string
	}{
		{store.DeliveryQuery{}, "[d-4 d-5 d-3 d-2 d-1]"},
		{store.DeliveryQuery{CustomerID: "cust-1"}, "[d-2 d-1]"},
		{store.DeliveryQuery{LoginID: "login-1"}, "[d-1]"},
		{store.DeliveryQuery{Limit: 1}, "[d-4]"},
		{store.DeliveryQuery{CustomerID: "cust-2", LoginID: "login-1"}, "[]"},
	} {
		if got := ids(c.q); fmtIDs(got) != c.want {
			t.Errorf("Deliveries(%+v) = %v, want %s", c.q, got, c.want)
		}
	}

	d, err := s.Delivery(ctx, "d-1")
	if err != nil {
		t.Fatal(err)
	}
	if string(d.Body) != `{"ResponseType":"KYC"}` || d.Type != "KYC" || d.RequestID != "req-d-1" || d.State != store.DeliveryPending {
		t.Errorf("Delivery = %+v", d)
	}
	d.State, d.Attempts, d.UpdatedAt = store.DeliveryDelivered, 2, at(time.Minute)
	if err := s.UpdateDelivery(ctx, d); err != nil {
		t.Fatal(err)
	}
	for i, a := range []*store.DeliveryAttempt{
		{DeliveryID: "d-1", CustomerID: "cust-1", LoginID: "login-1", Attempt: 1, At: at(0), URL: d.URL, Error: "connection refused",
			Duration: 1500 * time.Microsecond},
		{DeliveryID: "d-1", CustomerID: "cust-1", LoginID: "login-1", Attempt: 2, At: at(time.Minute), URL: d.URL, Status: 200,
			Duration: 3 * time.Millisecond},
	} {
		if err := s.RecordAttempt(ctx, a); err != nil {
			t.Fatalf("RecordAttempt %d: %v", i, err)
		}
	}
	if err := s.RecordAttempt(ctx, &store.DeliveryAttempt{DeliveryID: "gone", Attempt: 1}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RecordAttempt of an unknown delivery: %v, want store.ErrNotFound", err)
	}
	as, err := s.Attempts(ctx, "d-1")
	if err != nil || len(as) != 2 {
		t.Fatalf("Attempts = %v, %v", as, err)
	}
	if as[0].Error != "connection refused" || as[0].Duration != 1500*time.Microsecond || as[1].Status != 200 || !as[1].At.Equal(at(time.Minute)) {
		t.Errorf("Attempts = %+v, %+v", *as[0], *as[1])
	}

	// Pruning drops old bodies of finished deliveries, and deletes older
	// deliveries with their attempts.
	if _, err := s.PruneDeliveries(ctx, at(90*time.Second), at(500*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Delivery(ctx, "d-1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Delivery pruned: %v, want store.ErrNotFound", err)
	}
	if as, _ := s.Attempts(ctx, "d-1"); len(as) != 0 {
		t.Errorf("Attempts of a pruned delivery = %v", as)
	}
	if d2, err := s.Delivery(ctx, "d-2"); err != nil || d2.Body == nil {
		t.Errorf("a pending delivery keeps its body: %v, %v", d2, err)
	}
	if err := s.UpdateDelivery(ctx, &store.Delivery{ID: "gone"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UpdateDelivery of an unknown delivery: %v, want store.ErrNotFound", err)
	}
}

func testDeleteLoginDeliveries(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreateLogin(t, s, fullLogin("cust-1", "login-1", "a"))
	mustCreateLogin(t, s, fullLogin("cust-1", "login-2", "b"))
	for _, d := range []*store.Delivery{delivery("cust-1", "login-1", "d-1", 0), delivery("cust-1", "login-2", "d-2", 0)} {
		if err := s.CreateDelivery(ctx, d); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordAttempt(ctx, &store.DeliveryAttempt{DeliveryID: d.ID, CustomerID: "cust-1", LoginID: d.LoginID, Attempt: 1,
			At: at(0)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteLogin(ctx, "cust-1", "login-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Delivery(ctx, "d-1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Delivery of a deleted login: %v, want store.ErrNotFound", err)
	}
	if as, _ := s.Attempts(ctx, "d-1"); len(as) != 0 {
		t.Errorf("Attempts of a deleted login's delivery = %v", as)
	}
	if _, err := s.Delivery(ctx, "d-2"); err != nil {
		t.Errorf("Delivery of the other login: %v", err)
	}
}

func fmtIDs(ids []string) string {
	s := "["
	for i, id := range ids {
		if i > 0 {
			s += " "
		}
		s += id
	}
	return s + "]"
}

// testSealedWebhook: a customer's webhook secret is a sealed column like
// the others, which a key rotation walks and rewraps.
func testSealedWebhook(t *testing.T, s store.Store) {
	ctx := t.Context()
	if err := s.CreateCustomer(ctx, fullCustomer("cust-1")); err != nil {
		t.Fatal(err)
	}
	if err := s.PutWebhook(ctx, &store.Webhook{CustomerID: "cust-1", URL: "https://example.test", Secret: []byte{7, 'w', 'h'}}); err != nil {
		t.Fatal(err)
	}
	vs, err := s.SealedValues(ctx, store.SealedWebhook, "", 10)
	if err != nil || len(vs) != 1 || vs[0].CustomerID != "cust-1" || vs[0].ID != "cust-1" || string(vs[0].Value) != "\x07wh" {
		t.Fatalf("SealedValues(webhook) = %v, %v", vs, err)
	}
	ok, err := s.ReplaceSealed(ctx, store.SealedWebhook, "cust-1", "cust-1", []byte{7, 'w', 'h'}, []byte{8, 'w', 'h'})
	if err != nil || !ok {
		t.Fatalf("ReplaceSealed(webhook) = %v, %v", ok, err)
	}
	if w, _ := s.Webhook(ctx, "cust-1"); w == nil || string(w.Secret) != "\x08wh" {
		t.Errorf("Webhook after ReplaceSealed = %v", w)
	}
	ps, err := s.SealedPrefixes(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range ps {
		found = found || string(p) == "\x08"
	}
	if !found {
		t.Errorf("SealedPrefixes = %q, want the webhook secret's", ps)
	}
}
