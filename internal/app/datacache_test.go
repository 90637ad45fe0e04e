package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/store/pgstore/pgtest"
)

// TestDataCacheSeesChanges checks that the copies GetAccountsDetail keeps of
// its accounts never stand in for newer data: after a refresh, a key
// rotation and a DeleteCard, each made through one server, the other
// answers as the store holds it at once. On SQLite the two are one server;
// on PostgreSQL they are two, sharing the database and the test's clock.
func TestDataCacheSeesChanges(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			clk := newClock()
			dir := t.TempDir()
			var args []string
			if kind == "postgres" {
				args = []string{"--database", pgtest.NewDatabase(t)}
			}
			reader := startServerArgs(t, dir, clk, args...)
			writer := reader
			if kind == "postgres" {
				writer = startServerArgs(t, dir, clk, args...)
			}
			// A window of fixed dates, so that the copies' key stays the
			// same as the clock moves on: only the snapshot's version tells
			// them apart (the balances are today's).
			from, to := clk.Now().AddDate(0, 0, -30).Format("2006-01-02"), clk.Now().AddDate(0, 0, -10).Format("2006-01-02")
			window := func(id string) flinks.DataRequest {
				return flinks.DataRequest{RequestId: id, DateFrom: from, DateTo: to}
			}
			var login string
			read := func(when string) *flinks.AccountsDetailResponse {
				t.Helper()
				auth, err := reader.client.AuthorizeCached(ctx, login)
				if err != nil {
					t.Fatalf("%s: cached Authorize: %v", when, err)
				}
				// Twice: the second from the copy the first kept.
				first := detail(t, reader, window(auth.RequestId))
				second := detail(t, reader, window(auth.RequestId))
				if !reflect.DeepEqual(first.Accounts, second.Accounts) {
					t.Fatalf("%s: two reads of one snapshot differ", when)
				}
				return second
			}

			auth := liveLogin(t, reader, "Greatday")
			login = auth.Login.Id
			detail(t, reader, flinks.DataRequest{RequestId: auth.RequestId})
			before := read("before")

			// A refresh two days later, by the writer: two more days of
			// transactions.
			clk.Advance(48 * time.Hour)
			live, err := writer.client.AuthorizeWithMFA(ctx, flinks.AuthorizeRequest{LoginId: auth.Login.Id, Save: true}, answerSandbox)
			if err != nil {
				t.Fatal(err)
			}
			fresh := detail(t, writer, window(live.RequestId))
			after := read("after the refresh")
			if !reflect.DeepEqual(after.Accounts, fresh.Accounts) {
				t.Error("after the refresh, the reader does not answer what the writer fetched")
			}
			if reflect.DeepEqual(after.Accounts, before.Accounts) {
				t.Error("after the refresh, the reader still answers the data from before it")
			}

			// A key rotation changes no data.
			writer.admin("keys", "rotate")
			if rotated := read("after the rotation"); !reflect.DeepEqual(rotated.Accounts, fresh.Accounts) {
				t.Error("after the key rotation, the data read differs")
			}

			// DeleteCard: the RequestIds of the login serve nothing more.
			cached, err := reader.client.AuthorizeCached(ctx, auth.Login.Id)
			if err != nil {
				t.Fatal(err)
			}
			detail(t, reader, flinks.DataRequest{RequestId: cached.RequestId})
			if _, err := writer.client.DeleteCard(ctx, auth.Login.Id); err != nil {
				t.Fatal(err)
			}
			_, err = reader.client.AccountsDetail(ctx, flinks.DataRequest{RequestId: cached.RequestId})
			if e := apiErr(t, err); e.StatusCode != http.StatusBadRequest || e.Body.FlinksCode != flinks.CodeSessionNonexistent {
				t.Errorf("after DeleteCard: %d %s, want 400 SESSION_NONEXISTENT", e.StatusCode, e.Body.FlinksCode)
			}
		})
	}
}

// TestDataCacheBodiesUnchanged checks that a body answered from a copy of
// its accounts, whose JSON is kept with it and copied into the body, is
// byte for byte the body written without a copy: that of a call with an
// AccountsFilter naming every account, which no copy answers.
func TestDataCacheBodiesUnchanged(t *testing.T) {
	t.Parallel()
	s := startServer(t, t.TempDir(), newClock())
	auth := liveLogin(t, s, "Greatday")
	// The first read keeps the copy; the raw calls after it are answered
	// from it.
	first := detail(t, s, flinks.DataRequest{RequestId: auth.RequestId})
	ids := make([]string, len(first.Accounts))
	for i, a := range first.Accounts {
		ids[i] = a.Id
	}
	filter, err := json.Marshal(ids)
	if err != nil {
		t.Fatal(err)
	}
	body := func(req string) []byte {
		t.Helper()
		r := s.post("GetAccountsDetail", req)
		if r.status != http.StatusOK {
			t.Fatalf("GetAccountsDetail %s: %d %s", req, r.status, r.body)
		}
		return r.body
	}
	copied := body(`{"RequestId":"` + auth.RequestId + `"}`)
	again := body(`{"RequestId":"` + auth.RequestId + `"}`)
	encoded := body(`{"RequestId":"` + auth.RequestId + `","AccountsFilter":` + string(filter) + `}`)
	if !bytes.Equal(copied, encoded) || !bytes.Equal(again, encoded) {
		t.Errorf("the body from the copy differs from the body encoded for the call:\n copy %s\nagain %s\n call %s", copied, again, encoded)
	}
}
