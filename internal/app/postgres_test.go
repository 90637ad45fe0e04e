package app_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/store/pgstore/pgtest"
)

// TestPostgresServe runs the server on PostgreSQL (--database) through a
// saved login's life: a live login with MFA, its data fetched by a job, a
// cached and a live reopen, DeleteCard.
func TestPostgresServe(t *testing.T) {
	t.Parallel()
	s := startServerArgs(t, "", nil, "--database", pgtest.NewDatabase(t))
	ctx := context.Background()
	if r := s.do(http.MethodGet, "/healthz", ""); r.status != http.StatusOK {
		t.Fatalf("healthz: %d %s", r.status, r.body)
	}

	auth := liveLogin(t, s, "Greatday")
	if auth.Login == nil || auth.Login.Id == "" {
		t.Fatalf("live login: no LoginId: %+v", auth)
	}
	fresh := detail(t, s, flinks.DataRequest{RequestId: auth.RequestId})
	if len(fresh.Accounts) == 0 || len(fresh.Accounts[0].Transactions) == 0 {
		t.Fatalf("no data after the fetch: %+v", fresh)
	}
	checkBalances(t, fresh.Accounts)

	cached, err := s.client.Authorize(ctx, flinks.AuthorizeRequest{LoginId: auth.Login.Id, MostRecentCached: true})
	if err != nil || cached.HttpStatusCode != 200 {
		t.Fatalf("cached reopen: %+v, %v", cached, err)
	}
	again := detail(t, s, flinks.DataRequest{RequestId: cached.RequestId})
	if !jsonEqual(t, again.Accounts, fresh.Accounts) {
		t.Error("the cached session's accounts differ from the fetched ones")
	}
	// The live reopen answers the stored question itself.
	live, err := s.client.Authorize(ctx, flinks.AuthorizeRequest{LoginId: auth.Login.Id, Save: true})
	if err != nil || live.HttpStatusCode != 200 {
		t.Fatalf("live reopen: %+v, %v", live, err)
	}
	detail(t, s, flinks.DataRequest{RequestId: live.RequestId})

	if _, err := s.client.DeleteCard(ctx, auth.Login.Id); err != nil {
		t.Fatalf("DeleteCard: %v", err)
	}
	_, err = s.client.Authorize(ctx, flinks.AuthorizeRequest{LoginId: auth.Login.Id, MostRecentCached: true})
	if e := apiErr(t, err); e.Body.FlinksCode != flinks.CodeInvalidLogin {
		t.Errorf("cached reopen of a deleted login: %+v", e.Body)
	}
}
