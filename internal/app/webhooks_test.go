package app_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/client"
	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/app"
	"github.com/bankfeed/bankfeed/internal/store/pgstore/pgtest"
)

// received is one request a receiver got.
type received struct {
	id       string // the delivery id header
	attempt  int
	body     []byte
	sig      string
	verified bool
	status   int // what the receiver answered
}

// json decodes the body.
func (r received) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("delivery %s: body %q: %v", r.id, r.body, err)
	}
	return m
}

// receiver is a webhook endpoint on loopback that checks signatures by the
// documented procedure (computed here, independently of bankfeed's code),
// answers 503 to its first failures requests, and keeps what it got.
type receiver struct {
	t      *testing.T
	srv    *httptest.Server
	secret string
	mu     sync.Mutex
	got    []received
	fail   int
	// hold, when set, blocks every request until it is closed.
	hold chan struct{}
	// arrived is signalled at each request's arrival.
	arrived chan struct{}
}

func newReceiver(t *testing.T, secret string, failures int) *receiver {
	return newReceiverOn(t, secret, failures, nil)
}

// newReceiverOn starts the receiver on ln; a new loopback listener when nil.
func newReceiverOn(t *testing.T, secret string, failures int, ln net.Listener) *receiver {
	t.Helper()
	r := &receiver{t: t, secret: secret, fail: failures, arrived: make(chan struct{}, 1000)}
	r.srv = httptest.NewUnstartedServer(http.HandlerFunc(r.serve))
	if ln != nil {
		r.srv.Listener.Close()
		r.srv.Listener = ln
	}
	r.srv.Start()
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) url() string { return r.srv.URL + "/hooks/flinks" }

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	select {
	case r.arrived <- struct{}{}:
	default: // nobody is counting arrivals
	}
	r.mu.Lock()
	hold := r.hold
	r.mu.Unlock()
	if hold != nil {
		select {
		case <-hold:
		case <-req.Context().Done():
			return
		}
	}
	mac := hmac.New(sha256.New, []byte(r.secret))
	mac.Write(body)
	sig := req.Header.Get("flinks-authenticity-key")
	got := received{id: req.Header.Get("Bankfeed-Delivery-Id"), body: body, sig: sig,
		verified: sig == base64.StdEncoding.EncodeToString(mac.Sum(nil)), status: http.StatusOK}
	got.attempt, _ = strconv.Atoi(req.Header.Get("Bankfeed-Delivery-Attempt"))
	r.mu.Lock()
	if r.fail > 0 {
		r.fail--
		got.status = http.StatusServiceUnavailable
	}
	r.got = append(r.got, got)
	r.mu.Unlock()
	if req.Method != http.MethodPost || req.Header.Get("Content-Type") != "application/json; charset=utf-8" {
		r.t.Errorf("delivery %s: %s with Content-Type %q", got.id, req.Method, req.Header.Get("Content-Type"))
	}
	w.WriteHeader(got.status)
}

// acknowledged returns the deliveries answered 2xx, in order.
func (r *receiver) acknowledged() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []received
	for _, g := range r.got {
		if g.status < 300 {
			out = append(out, g)
		}
	}
	return out
}

// all returns every request received, in order.
func (r *receiver) all() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

// waitRequest waits until a first request has arrived, whatever its answer.
func (r *receiver) waitRequest(within time.Duration) {
	r.t.Helper()
	deadline := time.Now().Add(within)
	for len(r.all()) == 0 {
		if time.Now().After(deadline) {
			r.t.Fatalf("no request within %v", within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitFor waits until n deliveries were acknowledged and returns them.
func (r *receiver) waitFor(n int, within time.Duration) []received {
	r.t.Helper()
	deadline := time.Now().Add(within)
	for {
		got := r.acknowledged()
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("%d deliveries acknowledged within %v, want %d; requests: %d", len(got), within, n, len(r.all()))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

const hookSecret = "s3cr3t-é-ünïcode" // keyed as UTF-8 bytes

// TestWebhookDeliveries: after a live login and after a scheduled refresh,
// the customer's receiver gets a KYC delivery and then a GetAccountsDetail
// one, signed, whose bodies are what the API answers for the same
// RequestId; the log shows every attempt; DeleteCard removes them.
func TestWebhookDeliveries(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			var extra []string
			if kind == "postgres" {
				extra = []string{"--database", pgtest.NewDatabase(t)}
			}
			rcv := newReceiver(t, hookSecret, 0)
			s := startServerArgs(t, "", nil, append(extra, "--refresh-at", "off", "--sandbox-webhook-url", rcv.url(),
				"--sandbox-webhook-secret", hookSecret)...)
			ctx := context.Background()
			resp, err := s.client.AuthorizeWithMFA(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "Greatday",
				Password: "Everyday", Save: true, ScheduleRefresh: flinks.Bool(true), Tag: "order-1234"}, answerSandbox)
			if err != nil {
				t.Fatal(err)
			}
			login := resp.Login.Id
			got := rcv.waitFor(2, 30*time.Second)
			api := detail(t, s, flinks.DataRequest{RequestId: resp.RequestId})
			checkPair(t, got[0], got[1], login, resp.RequestId, "order-1234", api)

			// A scheduled refresh pushes the new data with a RequestId of
			// its own, which reads it.
			s.clock.Advance(2 * 24 * time.Hour)
			var out bytes.Buffer
			if err := mainWith(s, &out, append([]string{"refresh", "--now"}, extra...)...); err != nil {
				t.Fatalf("refresh --now: %v", err)
			}
			got = rcv.waitFor(4, 30*time.Second)
			refreshed := got[3].json(t)
			rid, _ := refreshed["RequestId"].(string)
			if rid == "" || rid == resp.RequestId {
				t.Fatalf("RequestId of the refresh's delivery = %q", rid)
			}
			checkPair(t, got[2], got[3], login, rid, "", detail(t, s, flinks.DataRequest{RequestId: rid}))

			// The log, through the SDK and the command, shows each
			// delivery with its one acknowledged attempt.
			sb, err := client.NewSandbox(s.url, client.WithSandboxHTTPClient(validatingClient(t)))
			if err != nil {
				t.Fatal(err)
			}
			log := settled(t, sb, login, 4)
			for i, d := range log {
				want := got[3-i] // newest first
				if d.ID != want.id || d.State != "delivered" || len(d.Attempts) != 1 || d.Attempts[0].StatusCode != 200 ||
					d.Attempts[0].URL != rcv.url() || d.CustomerID != sandboxCustomer || d.LoginID != login {
					t.Errorf("log entry %d = %+v, want delivery %s delivered at the first attempt", i, d, want.id)
				}
			}
			var listed []client.WebhookDelivery
			if err := json.Unmarshal([]byte(s.admin(append([]string{"webhooks", "list", "--json", "--login", login}, extra...)...)), &listed); err != nil || len(listed) != 4 || listed[0].ID != got[3].id {
				t.Errorf("webhooks list --json: %d entries, %v", len(listed), err)
			}

			// Replay sends the same delivery, same id and body, signed.
			replayed, err := sb.ReplayWebhook(ctx, got[1].id)
			if err != nil || replayed.State != "pending" {
				t.Fatalf("ReplayWebhook: %+v, %v", replayed, err)
			}
			again := rcv.waitFor(5, 30*time.Second)[4]
			if again.id != got[1].id || !bytes.Equal(again.body, got[1].body) || !again.verified || again.attempt != 2 {
				t.Errorf("replay: id %s attempt %d verified %v, same body %v", again.id, again.attempt, again.verified,
					bytes.Equal(again.body, got[1].body))
			}
			if _, err := sb.ReplayWebhook(ctx, "no-such-delivery"); apiErr(t, err).StatusCode != 404 {
				t.Errorf("replay of an unknown delivery: %v, want 404", err)
			}

			// A test delivery, through the command beside the server.
			printed := s.admin(append([]string{"webhooks", "test", sandboxCustomer}, extra...)...)
			test := rcv.waitFor(6, 30*time.Second)[5]
			if m := test.json(t); m["ResponseType"] != "Test" || !test.verified || !strings.Contains(printed, test.id) {
				t.Errorf("test delivery %s: %v; the command printed %q", test.id, m, printed)
			}

			// DeleteCard takes the login's deliveries with it.
			if _, err := s.client.DeleteCard(ctx, login); err != nil {
				t.Fatal(err)
			}
			if log, err := sb.WebhookDeliveries(ctx, client.DeliveryFilter{LoginID: login}); err != nil || len(log) != 0 {
				t.Errorf("deliveries of a deleted login: %d, %v", len(log), err)
			}
		})
	}
}

// settled polls the login's delivery log until it holds n deliveries none
// of which is pending: a receiver's answer reaches it a moment after the
// receiver sent it.
func settled(t *testing.T, sb *client.Sandbox, login string, n int) []client.WebhookDelivery {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		log, err := sb.WebhookDeliveries(context.Background(), client.DeliveryFilter{LoginID: login})
		if err != nil {
			t.Fatal(err)
		}
		pending := 0
		for _, d := range log {
			if d.State == "pending" {
				pending++
			}
		}
		if len(log) == n && pending == 0 {
			return log
		}
		if time.Now().After(deadline) {
			t.Fatalf("the log of %s holds %d deliveries, %d pending; want %d, none pending", login, len(log), pending, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// mainWith runs a bankfeed command on the server's data directory and clock.
func mainWith(s *server, stdout io.Writer, args ...string) error {
	return app.Main(context.Background(), append(args, "--data", s.dataDir), func(string) string { return "" }, stdout,
		testLogWriter{s.t}, app.WithClock(s.clock.Now))
}

// checkPair checks a KYC delivery and the GetAccountsDetail delivery after
// it against the GetAccountsDetail answer of the same RequestId.
func checkPair(t *testing.T, kyc, gad received, login, requestID, tag string, api *flinks.AccountsDetailResponse) {
	t.Helper()
	for _, r := range []received{kyc, gad} {
		if !r.verified || r.id == "" || r.attempt != 1 {
			t.Errorf("delivery %q attempt %d: signature %q verified %v", r.id, r.attempt, r.sig, r.verified)
		}
	}
	k := kyc.json(t)
	if k["ResponseType"] != "KYC" || k["LoginId"] != login || k["RequestId"] != requestID || k["HttpStatusCode"] != 200.0 ||
		(tag != "" && k["Tag"] != tag) {
		t.Errorf("KYC delivery = %v", k)
	}
	holders, _ := k["Holders"].([]any)
	wantHolder, _ := json.Marshal(api.Accounts[0].Holder)
	if gotHolder, _ := json.Marshal(holders[0]); len(holders) != 1 || !sameJSON(gotHolder, wantHolder) {
		t.Errorf("KYC Holders = %s, want the holder of GetAccountsDetail %s", holders, wantHolder)
	}
	g := gad.json(t)
	if g["ResponseType"] != "GetAccountsDetail" || g["LoginId"] != login || g["RequestId"] != requestID || (tag != "" && g["Tag"] != tag) {
		t.Errorf("GetAccountsDetail delivery: ResponseType %v LoginId %v RequestId %v Tag %v", g["ResponseType"], g["LoginId"],
			g["RequestId"], g["Tag"])
	}
	// The body is the 200 of GetAccountsDetail, with two fields more.
	want, _ := json.Marshal(api)
	var wantMap map[string]any
	json.Unmarshal(want, &wantMap)
	wantMap["ResponseType"], wantMap["LoginId"] = "GetAccountsDetail", login
	want, _ = json.Marshal(wantMap)
	if !sameJSON(gad.body, want) {
		t.Errorf("GetAccountsDetail delivery differs from the API's answer:\n got %.400s\nwant %.400s", gad.body, want)
	}
}

// sameJSON reports whether two JSON texts hold the same value.
func sameJSON(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}

// TestWebhookRetries: a receiver that fails its first three requests gets
// the KYC delivery's attempts until they run out (two here), then the
// GetAccountsDetail delivery's, in order, until one is acknowledged; the
// log records each attempt.
func TestWebhookRetries(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t, hookSecret, 3)
	s := startServerArgs(t, "", nil, "--sandbox-webhook-url", rcv.url(), "--sandbox-webhook-secret", hookSecret,
		"--webhook-retry-interval", "200ms", "--webhook-max-attempts", "2")
	resp := liveLogin(t, s, "greatday_nomfa")
	rcv.waitFor(1, 60*time.Second)
	all := rcv.all()
	var order []string
	for _, r := range all {
		order = append(order, r.json(t)["ResponseType"].(string)+"#"+strconv.Itoa(r.attempt)+"="+strconv.Itoa(r.status))
	}
	if got, want := strings.Join(order, " "), "KYC#1=503 KYC#2=503 GetAccountsDetail#1=503 GetAccountsDetail#2=200"; got != want {
		t.Fatalf("requests = %s, want %s", got, want)
	}
	sb, _ := client.NewSandbox(s.url, client.WithSandboxHTTPClient(validatingClient(t)))
	// The receiver answers before the server records the answer.
	var log []client.WebhookDelivery
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var err error
		log, err = sb.WebhookDeliveries(context.Background(), client.DeliveryFilter{LoginID: resp.Login.Id})
		if err != nil || len(log) != 2 {
			t.Fatalf("log: %d, %v", len(log), err)
		}
		if log[0].State != "pending" || time.Now().After(deadline) {
			break
		}
	}
	gad, kyc := log[0], log[1]
	if kyc.Type != "KYC" || kyc.State != "failed" || len(kyc.Attempts) != 2 || kyc.Attempts[1].StatusCode != 503 ||
		!strings.Contains(kyc.Attempts[1].Error, "HTTP 503") {
		t.Errorf("KYC in the log = %+v", kyc)
	}
	if gad.Type != "GetAccountsDetail" || gad.State != "delivered" || len(gad.Attempts) != 2 || gad.Attempts[0].StatusCode != 503 ||
		gad.Attempts[1].StatusCode != 200 || gad.Attempts[1].Error != "" || gad.Attempts[1].At.Before(gad.Attempts[0].At) {
		t.Errorf("GetAccountsDetail in the log = %+v", gad)
	}
}

// TestWebhookDeleteCardCancels: a delivery waiting for its next attempt is
// dropped, job and all, when its login is deleted.
func TestWebhookDeleteCardCancels(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t, hookSecret, 1_000_000)
	dir := t.TempDir()
	s := startServerArgs(t, dir, nil, "--sandbox-webhook-url", rcv.url(), "--sandbox-webhook-secret", hookSecret,
		"--webhook-retry-interval", "1s")
	resp := liveLogin(t, s, "greatday_nomfa")
	rcv.waitRequest(30 * time.Second)
	if _, err := s.client.DeleteCard(context.Background(), resp.Login.Id); err != nil {
		t.Fatal(err)
	}
	if st, _ := sqliteJobState(dir)(t, "webhook", resp.Login.Id); st != "" {
		t.Errorf("the delivery job of a deleted login is %q, want gone", st)
	}
	before := len(rcv.all())
	// Four retry intervals: a job left behind would have run again.
	time.Sleep(4 * time.Second)
	if after := len(rcv.all()); after > before+1 {
		// One attempt may have been in flight while the card was deleted.
		t.Errorf("%d attempts after DeleteCard", after-before)
	}
}

// TestWebhookPrivateURL: outside sandbox mode a webhook URL on a private
// address is refused, unless allowed.
func TestWebhookPrivateURL(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	keys := s.addCustomer()
	// Outside sandbox mode, with the key sandbox mode generated.
	off := []string{"--sandbox=false", "--master-key-file", filepath.Join(s.dataDir, "master.key")}
	for _, url := range []string{"http://127.0.0.1:9/hook", "http://10.1.2.3/hook", "http://[::1]/hook", "http://169.254.169.254/latest",
		"http://localhost:8080/hook"} {
		_, err := s.adminErr(append([]string{"customers", "webhook", keys.CustomerID, "--url", url}, off...)...)
		if err == nil || !strings.Contains(err.Error(), "private") {
			t.Errorf("webhook %s outside sandbox mode: %v, want refused", url, err)
		}
	}
	out, err := s.adminErr(append([]string{"customers", "webhook", keys.CustomerID, "--url", "http://127.0.0.1:9/hook",
		"--webhook-allow-private"}, off...)...)
	if err != nil || !strings.Contains(out, "Secret  whsec_") {
		t.Errorf("webhook with --webhook-allow-private: %q, %v", out, err)
	}
	for _, bad := range []string{"ftp://example.com/x", "https://user:pw@example.com/x", "/relative", "http://"} {
		if _, err := s.adminErr("customers", "webhook", keys.CustomerID, "--url", bad); err == nil {
			t.Errorf("webhook URL %q accepted", bad)
		}
	}
	if out := s.admin("customers", "webhook", keys.CustomerID, "--off"); !strings.Contains(out, "removed") {
		t.Errorf("--off printed %q", out)
	}
}

// TestWebhookControlSurface: the control surface answers 404 outside
// sandbox mode without an admin key, and 401 without the key when one is
// set.
func TestWebhookControlSurface(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	off := startServerArgs(t, dir, nil, "--sandbox=false", "--master-key-file", writeKeyFile(t, dir))
	if r := off.do(http.MethodGet, "/sandbox/v1/webhooks/deliveries", ""); r.status != 404 {
		t.Errorf("outside sandbox mode without an admin key: %d %v, want 404", r.status, r.json)
	}
	s := startServerArgs(t, "", nil, "--admin-key", "the-admin-key")
	if r := s.do(http.MethodGet, "/sandbox/v1/webhooks/deliveries", ""); r.status != 401 || str(r.json, "FlinksCode") != "UNAUTHORIZED" {
		t.Errorf("without the admin key: %d %v", r.status, r.json)
	}
	sb, _ := client.NewSandbox(s.url, client.WithAdminKey("the-admin-key"), client.WithSandboxHTTPClient(validatingClient(t)))
	if _, err := sb.WebhookDeliveries(context.Background(), client.DeliveryFilter{}); err != nil {
		t.Errorf("with the admin key: %v", err)
	}
	if _, err := sb.TestWebhook(context.Background(), sandboxCustomer); apiErr(t, err).StatusCode != 404 {
		t.Errorf("test delivery to a customer without a webhook: %v, want 404", err)
	}
}

// TestWebhookSurvivesSIGKILL kills the server while it waits on the
// receiver's answer to the first delivery, on each database: the
// delivery's job, left running, is rescued by the server started next, and
// both deliveries arrive, in order.
func TestWebhookSurvivesSIGKILL(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			rcv := newReceiver(t, hookSecret, 0)
			hold := make(chan struct{})
			rcv.hold = hold
			dir := t.TempDir()
			// A job still running 6s after it started is rescued.
			args := []string{"--data", dir, "--job-timeout", "3s", "--webhook-timeout", "1s", "--refresh-at", "off",
				"--sandbox-webhook-url", rcv.url(), "--sandbox-webhook-secret", hookSecret}
			if kind == "postgres" {
				args = append(args, "--database", pgtest.NewDatabase(t))
			}
			ctx := context.Background()
			a := startProcess(t, args...)
			ca, err := client.New(a.url, sandboxCustomer, client.WithHTTPClient(validatingClient(t)))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ca.AuthorizeWithMFA(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "greatday_nomfa",
				Password: "Everyday", Save: true}, answerSandbox); err != nil {
				t.Fatal(err)
			}
			select {
			case <-rcv.arrived:
			case <-time.After(30 * time.Second):
				t.Fatal("no delivery within 30s")
			}
			a.kill()
			rcv.mu.Lock()
			rcv.hold = nil
			rcv.mu.Unlock()
			close(hold)

			startProcess(t, args...)
			// At least once: the attempt cut off by the kill may have been
			// taken by the receiver too, so deliveries count by id.
			deadline := time.Now().Add(2 * time.Minute)
			var order []string
			for {
				order = order[:0]
				seen := map[string]bool{}
				for _, r := range rcv.acknowledged() {
					if !seen[r.id] {
						seen[r.id] = true
						order = append(order, r.json(t)["ResponseType"].(string))
					}
					if !r.verified {
						t.Errorf("delivery %s not verified", r.id)
					}
				}
				if len(order) >= 2 || time.Now().After(deadline) {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			if got := strings.Join(order, " "); got != "KYC GetAccountsDetail" {
				t.Errorf("deliveries after the restart: %q, want KYC then GetAccountsDetail", got)
			}
		})
	}
}

// TestWebhookTwoProcesses runs two servers on one PostgreSQL database:
// every delivery is sent once, by one of them.
func TestWebhookTwoProcesses(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t, hookSecret, 0)
	args := []string{"--data", t.TempDir(), "--database", pgtest.NewDatabase(t), "--refresh-at", "off",
		"--sandbox-webhook-url", rcv.url(), "--sandbox-webhook-secret", hookSecret}
	a := startProcess(t, args...)
	b := startProcess(t, args...)
	c := newAlternating(t, a, b).client()
	users := []string{"greatday_nomfa", "Greatday", "greatday_allquestions", "greatday_rotating"}
	for _, u := range users {
		if _, err := c.AuthorizeWithMFA(context.Background(), flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: u,
			Password: "Everyday", Save: true}, answerSandbox); err != nil {
			t.Fatalf("%s: %v", u, err)
		}
	}
	rcv.waitFor(2*len(users), time.Minute)
	// Long enough for a second sender, if there were one, to have sent.
	time.Sleep(2 * time.Second)
	seen := map[string]int{}
	for _, r := range rcv.all() {
		seen[r.id]++
		if !r.verified {
			t.Errorf("delivery %s not verified", r.id)
		}
	}
	if len(seen) != 2*len(users) {
		t.Errorf("%d distinct deliveries, want %d", len(seen), 2*len(users))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("delivery %s received %d times, want once", id, n)
		}
	}
}

// TestWebhookRemovedFailsPending: a delivery waiting for its next attempt
// fails at that attempt once its customer's webhook is removed, rather
// than using up its schedule.
func TestWebhookRemovedFailsPending(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t, hookSecret, 1_000_000)
	s := startServerArgs(t, "", nil, "--sandbox-webhook-url", rcv.url(), "--sandbox-webhook-secret", hookSecret,
		"--webhook-retry-interval", "300ms")
	resp := liveLogin(t, s, "greatday_nomfa")
	rcv.waitRequest(30 * time.Second)
	deadline := time.Now().Add(30 * time.Second)
	s.admin("customers", "webhook", sandboxCustomer, "--off")
	sb, _ := client.NewSandbox(s.url, client.WithSandboxHTTPClient(validatingClient(t)))
	for {
		log, err := sb.WebhookDeliveries(context.Background(), client.DeliveryFilter{LoginID: resp.Login.Id})
		if err != nil {
			t.Fatal(err)
		}
		failed := 0
		for _, d := range log {
			if d.State == "failed" {
				failed++
				if last := d.Attempts[len(d.Attempts)-1]; !strings.Contains(last.Error, "no webhook URL") || len(d.Attempts) > 10 {
					t.Errorf("delivery %s failed after %d attempts, the last: %q", d.ID, len(d.Attempts), last.Error)
				}
			}
		}
		if len(log) == 2 && failed == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries after the webhook's removal: %+v", log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
