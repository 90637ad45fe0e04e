package app_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/bankfeed/bankfeed/client"
	"github.com/bankfeed/bankfeed/flinks"
)

// TestCachedSessionsSurviveSIGKILL has 32 clients open cached sessions of
// one saved login as fast as they can, so that the sessions are written in
// shared transactions, and kills the server with SIGKILL in the middle.
// Every RequestId the server acknowledged before it died serves the data
// after a restart: a batch acknowledges nothing before its commit.
func TestCachedSessionsSurviveSIGKILL(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := context.Background()
	a := startProcess(t, "--data", dir)
	ca, err := client.New(a.url, sandboxCustomer)
	if err != nil {
		t.Fatal(err)
	}
	auth, err := ca.AuthorizeWithMFA(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "Greatday",
		Password: "Everyday", Save: true}, answerSandbox)
	if err != nil || auth.Login == nil {
		t.Fatalf("live login: %+v, %v", auth, err)
	}
	if _, err := ca.AccountsDetailReady(ctx, flinks.DataRequest{RequestId: auth.RequestId}); err != nil {
		t.Fatal(err)
	}

	const clients, killAfter = 32, 400
	var (
		mu    sync.Mutex
		acked []string
		n     atomic.Int64
		once  sync.Once
		wg    sync.WaitGroup
	)
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				resp, err := ca.AuthorizeCached(ctx, auth.Login.Id)
				if err != nil {
					var e *client.Error
					if errors.As(err, &e) {
						t.Errorf("cached Authorize answered %d %s before the kill", e.StatusCode, e.Body.FlinksCode)
					}
					return // the connection died with the server
				}
				mu.Lock()
				acked = append(acked, resp.RequestId)
				mu.Unlock()
				if n.Add(1) == killAfter {
					once.Do(a.kill)
				}
			}
		}()
	}
	wg.Wait()

	b := startProcess(t, "--data", dir)
	cb, err := client.New(b.url, sandboxCustomer)
	if err != nil {
		t.Fatal(err)
	}
	lost := 0
	for _, id := range acked {
		if _, err := cb.AccountsDetail(ctx, flinks.DataRequest{RequestId: id}); err != nil {
			lost++
			if lost <= 3 {
				t.Errorf("acknowledged RequestId %s after the restart: %v", id, err)
			}
		}
	}
	if lost > 0 {
		t.Errorf("%d of %d acknowledged sessions were lost", lost, len(acked))
	}
	t.Logf("%d sessions acknowledged before SIGKILL", len(acked))
}
