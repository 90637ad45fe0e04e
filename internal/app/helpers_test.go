package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/client"
	"github.com/bankfeed/bankfeed/internal/app"
	"github.com/bankfeed/bankfeed/internal/openapitest"
	"github.com/bankfeed/bankfeed/internal/tenants"
)

// sandboxCustomer is the public Flinks sandbox customerId.
const sandboxCustomer = "43387ca6-0391-4c82-857d-70d95f087ecb"

// clock is a settable clock shared by a test and the server it runs.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// server is a bankfeed started through app.Main on a random loopback port.
type server struct {
	t       *testing.T
	url     string // scheme and host
	dataDir string
	clock   *clock
	client  *client.Client
	// http sends every request of the test's clients: it validates each
	// request and response against the OpenAPI document.
	http *http.Client
	stop func()
	// cancel tells the server to stop, as a signal does, without waiting.
	cancel func()
}

// validatingTransport sends requests through next (the default transport
// when nil), validating each request and response against bankfeed's
// OpenAPI document and failing t on a mismatch.
func validatingTransport(t *testing.T, next http.RoundTripper) http.RoundTripper {
	t.Helper()
	doc, err := openapitest.Load()
	if err != nil {
		t.Fatal(err)
	}
	return doc.Transport(t, next)
}

// validatingClient is an http.Client over validatingTransport.
func validatingClient(t *testing.T) *http.Client {
	t.Helper()
	return &http.Client{Transport: validatingTransport(t, nil)}
}

// startServer runs `bankfeed serve` on a random port with dataDir (a new
// temporary directory when empty) and the given clock (a new one when nil).
func startServer(t *testing.T, dataDir string, clk *clock) *server {
	t.Helper()
	return startServerArgs(t, dataDir, clk)
}

// startServerArgs is startServer with more serve flags.
func startServerArgs(t *testing.T, dataDir string, clk *clock, extra ...string) *server {
	t.Helper()
	return startServerWith(t, dataDir, clk, nil, extra...)
}

// startServerWith is startServerArgs with app options.
func startServerWith(t *testing.T, dataDir string, clk *clock, opts []app.Option, extra ...string) *server {
	t.Helper()
	return startServerLogged(t, dataDir, clk, testLogWriter{t}, opts, extra...)
}

// startServerLogged is startServerWith writing the server's log to logs.
func startServerLogged(t *testing.T, dataDir string, clk *clock, logs io.Writer, opts []app.Option, extra ...string) *server {
	t.Helper()
	if dataDir == "" {
		dataDir = t.TempDir()
	}
	if clk == nil {
		clk = newClock()
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data", dataDir}, extra...)
		opts := append([]app.Option{app.WithClock(clk.Now), app.WithReady(func(addr string) { ready <- addr })}, opts...)
		done <- app.Main(ctx, args, func(string) string { return "" }, io.Discard, logs, opts...)
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("server did not start: %v", err)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("server did not start within 30s")
	}
	s := &server{t: t, url: "http://" + addr, dataDir: dataDir, clock: clk, cancel: cancel, http: validatingClient(t)}
	var once sync.Once
	s.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("server stopped with %v", err)
			}
		})
	}
	t.Cleanup(s.stop)
	c, err := client.New(s.url, sandboxCustomer, client.WithHTTPClient(s.http))
	if err != nil {
		t.Fatal(err)
	}
	s.client = c
	return s
}

// clientFor adds a customer with the given id (with the defaults of
// `customers add`: tokens and x-api-key required) and returns an SDK client
// holding its keys.
func (s *server) clientFor(customerID string) *client.Client {
	s.t.Helper()
	keys := s.addCustomer("--id", customerID)
	return s.clientWith(keys)
}

// clientWith returns an SDK client using the customer's keys.
func (s *server) clientWith(keys tenants.Keys) *client.Client {
	s.t.Helper()
	c, err := client.New(s.url, keys.CustomerID, client.WithSecretKey(keys.Secret), client.WithAPIKey(keys.APIKey),
		client.WithHTTPClient(s.http))
	if err != nil {
		s.t.Fatal(err)
	}
	return c
}

// addCustomer runs `bankfeed customers add --json` with flags on the
// server's database, as an operator would beside the running server.
func (s *server) addCustomer(flags ...string) tenants.Keys {
	s.t.Helper()
	out := s.admin(append([]string{"customers", "add", "--json"}, flags...)...)
	var keys tenants.Keys
	if err := json.Unmarshal([]byte(out), &keys); err != nil || keys.CustomerID == "" || keys.Secret == "" || keys.APIKey == "" {
		s.t.Fatalf("customers add printed %q: %v", out, err)
	}
	return keys
}

// admin runs a bankfeed administration command on the server's data
// directory and returns what it printed; it fails the test if the command
// fails.
func (s *server) admin(args ...string) string {
	s.t.Helper()
	out, err := s.adminErr(args...)
	if err != nil {
		s.t.Fatalf("bankfeed %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// adminErr is admin returning the command's error.
func (s *server) adminErr(args ...string) (string, error) {
	var stdout bytes.Buffer
	args = append(args, "--data", s.dataDir)
	err := app.Main(context.Background(), args, func(string) string { return "" }, &stdout, testLogWriter{s.t}, app.WithClock(s.clock.Now))
	return stdout.String(), err
}

// rawResponse is an HTTP response read whole.
type rawResponse struct {
	status int
	header http.Header
	body   []byte
	json   map[string]any
}

// post sends body verbatim to a BankingServices operation of the sandbox
// customer.
func (s *server) post(op, body string) rawResponse {
	return s.do(http.MethodPost, "/v3/"+sandboxCustomer+"/BankingServices/"+op, body)
}

func (s *server) do(method, path, body string) rawResponse {
	s.t.Helper()
	return s.doWith(method, path, body, nil)
}

// doWith is do with more request headers.
func (s *server) doWith(method, path, body string, header http.Header) rawResponse {
	s.t.Helper()
	return s.send(context.Background(), method, path, body, header)
}

// postBad is post for a request that does not follow the OpenAPI document
// on purpose (malformed JSON, a field of the wrong type): only its response
// is validated.
func (s *server) postBad(op, body string) rawResponse {
	s.t.Helper()
	return s.doBad(http.MethodPost, "/v3/"+sandboxCustomer+"/BankingServices/"+op, body, nil)
}

// doBad is doWith for a request that does not follow the OpenAPI document
// on purpose, or goes to a path it does not describe: only its response is
// validated.
func (s *server) doBad(method, path, body string, header http.Header) rawResponse {
	s.t.Helper()
	return s.send(openapitest.BadInput(context.Background()), method, path, body, header)
}

// missingSecret reports whether a request to the BankingServices operation
// op with header h lacks the secret key the OpenAPI document requires of
// every customer there: such a request is wrong on purpose (see doBad).
func missingSecret(op string, h http.Header) bool {
	switch op {
	case "GenerateAuthorizeToken":
		return strings.TrimSpace(h.Get("flinks-auth-key")) == ""
	case "GetNightlyRefreshStatus":
		a := h.Get("Authorization")
		return len(a) < 8 || !strings.EqualFold(a[:7], "Bearer ")
	}
	return false
}

func (s *server) send(ctx context.Context, method, path, body string, header http.Header) rawResponse {
	s.t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, s.url+path, strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := s.http.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	r := rawResponse{status: res.StatusCode, header: res.Header, body: data}
	if !json.Valid(data) {
		s.t.Fatalf("%s %s: body is not JSON:\n%s", method, path, data)
	}
	// Every body is a JSON object but SetScheduledRefresh's 200, a bare
	// string, as on Flinks.
	if !bytes.HasPrefix(bytes.TrimSpace(data), []byte(`"`)) || res.StatusCode != http.StatusOK {
		if err := json.Unmarshal(data, &r.json); err != nil {
			s.t.Fatalf("%s %s: body is not a JSON object: %v\n%s", method, path, err, data)
		}
	}
	return r
}

// checkFlinksShape checks the rules every response follows: JSON content
// type, HttpStatusCode equal to the status, and on errors a string Message
// and a FlinksCode.
func checkFlinksShape(t *testing.T, r rawResponse) {
	t.Helper()
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	if got, _ := r.json["HttpStatusCode"].(float64); int(got) != r.status {
		t.Errorf("HttpStatusCode = %v, HTTP status %d", r.json["HttpStatusCode"], r.status)
	}
	if r.status >= 400 {
		if msg, ok := r.json["Message"].(string); !ok || msg == "" {
			t.Errorf("error body has no string Message: %s", r.body)
		}
		if code, ok := r.json["FlinksCode"].(string); !ok || code == "" {
			t.Errorf("error body has no FlinksCode: %s", r.body)
		}
	}
}

// str reads a string field of a JSON object by path.
func str(m map[string]any, path ...string) string {
	var v any = m
	for _, p := range path {
		obj, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = obj[p]
	}
	s, _ := v.(string)
	return s
}

// apiErr returns the *client.Error of err, failing the test if it is not one.
func apiErr(t *testing.T, err error) *client.Error {
	t.Helper()
	var e *client.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v, want a *client.Error", err)
	}
	return e
}

// testLogWriter sends the server's log to the test's log.
type testLogWriter struct{ t *testing.T }

func (w testLogWriter) Write(p []byte) (int, error) {
	w.t.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}
