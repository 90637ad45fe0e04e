package authorize_test

import (
	"context"
	"crypto/rand"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/connectors/sandbox"
	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/authorize"
	"github.com/bankfeed/bankfeed/internal/institutions"
	"github.com/bankfeed/bankfeed/internal/secrets"
	"github.com/bankfeed/bankfeed/internal/store"
	"github.com/bankfeed/bankfeed/internal/store/sqlitestore"
	"github.com/bankfeed/bankfeed/internal/vault"
)

// TestSweep checks what Save: false keeps and for how long: the login and
// its session go one Retention after the session's last request, while a
// saved login stays.
func TestSweep(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := sqlitestore.Open(ctx, filepath.Join(t.TempDir(), "bankfeed.db"), sqlitestore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	key := make([]byte, vault.KeySize)
	rand.Read(key)
	v, _ := vault.NewRing([][]byte{key}, nil)
	scenarios, err := sandbox.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	sb, _ := sandbox.New(scenarios...)
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	banks, err := institutions.New([]connector.Connector{sb})
	if err != nil {
		t.Fatal(err)
	}
	svc := authorize.New(authorize.Config{Store: st, Secrets: secrets.NewKeeper(v), Institutions: banks, Now: func() time.Time { return now }})
	const customer = "c1"
	login := func(save bool) *authorize.Result {
		resp, err := svc.Authorize(ctx, customer, &flinks.AuthorizeRequest{
			Institution: "FlinksCapital", Username: map[bool]string{true: "greatday_nomfa", false: "greatday_allquestions"}[save],
			Password: "Everyday", Save: flinks.Bool(save),
		})
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	saved, unsaved := login(true), login(false)
	if !unsaved.Authorized() {
		// greatday_allquestions asks three rounds; answer them.
		for _, answer := range []string{"Triangle", "Montreal", "Canada"} {
			unsaved, err = svc.Authorize(ctx, customer, &flinks.AuthorizeRequest{RequestId: unsaved.RequestID,
				SecurityResponses: flinks.SecurityResponses{unsaved.Challenges[0].Prompt: {answer}}})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	if unsaved.Login == nil {
		t.Fatalf("unsaved login not authorized: %+v", unsaved)
	}

	// Within the retention nothing goes.
	now = now.Add(authorize.Retention - time.Minute)
	if err := svc.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Login(ctx, customer, unsaved.Login.ID); err != nil {
		t.Fatalf("unsaved login swept early: %v", err)
	}
	// After it, the unsaved login and both sessions are gone; the saved
	// login stays.
	now = now.Add(2 * time.Minute)
	if err := svc.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Login(ctx, customer, unsaved.Login.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unsaved login after the retention: %v", err)
	}
	for _, rid := range []string{saved.RequestID, unsaved.RequestID} {
		if _, err := st.Session(ctx, customer, rid); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("session %s after the retention: %v", rid, err)
		}
	}
	if _, err := st.Login(ctx, customer, saved.Login.ID); err != nil {
		t.Errorf("saved login swept: %v", err)
	}
}
