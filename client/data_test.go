package client_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/client"
	"github.com/bankfeed/bankfeed/flinks"
)

// pendingServer answers 202 to the first pending calls of any data
// endpoint, then 200 with one account, and counts the calls.
func pendingServer(t *testing.T, pending int32) (*client.Client, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if calls.Add(1) <= pending {
			w.WriteHeader(http.StatusAccepted)
			w.Write([]byte(`{"HttpStatusCode":202,"FlinksCode":"OPERATION_PENDING","Message":"Your operation is still processing","RequestId":"r"}`))
			return
		}
		w.Write([]byte(`{"HttpStatusCode":200,"Accounts":[{"Id":"a","Transactions":[]}],"RequestId":"r"}`))
	}))
	t.Cleanup(srv.Close)
	c, err := client.New(srv.URL, "43387ca6-0391-4c82-857d-70d95f087ecb")
	if err != nil {
		t.Fatal(err)
	}
	return c, &calls
}

func TestPollUntilReady(t *testing.T) {
	c, calls := pendingServer(t, 3)
	got, err := c.AccountsDetailReady(context.Background(), flinks.DataRequest{RequestId: "r"}, client.PollInterval(time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Accounts) != 1 || calls.Load() != 4 {
		t.Errorf("got %d accounts after %d calls, want 1 after 4 (three 202s)", len(got.Accounts), calls.Load())
	}
}

func TestPollDeadline(t *testing.T) {
	c, _ := pendingServer(t, 1<<30)
	_, err := c.StatementsReady(context.Background(), flinks.DataRequest{RequestId: "r"},
		client.PollInterval(time.Millisecond), client.PollDeadline(50*time.Millisecond))
	if !errors.Is(err, context.DeadlineExceeded) || !client.Pending(err) || client.Code(err) != flinks.CodeOperationPending {
		t.Errorf("past the deadline: %v, want the last 202 and context.DeadlineExceeded", err)
	}
}

func TestPendingIsOnly202(t *testing.T) {
	if client.Pending(errors.New("x")) || client.Pending(nil) {
		t.Error("Pending of a non-API error")
	}
	if client.Pending(&client.Error{StatusCode: 400, Body: flinks.Error{FlinksCode: flinks.CodeSessionNonexistent}}) {
		t.Error("Pending of a 400")
	}
}
