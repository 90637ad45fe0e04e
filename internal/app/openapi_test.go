package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/bankfeed/bankfeed/client"
	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/httpapi"
	"github.com/bankfeed/bankfeed/internal/openapitest"
)

// TestOpenAPIServed reads the document the server serves: the embedded
// one, as JSON, and valid.
func TestOpenAPIServed(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	r := s.do("GET", "/openapi.json", "")
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET /openapi.json: %d %s", r.status, r.header.Get("Content-Type"))
	}
	if !bytes.Equal(r.body, httpapi.OpenAPI()) {
		t.Error("the served document is not the embedded one")
	}
	if _, err := openapitest.Parse(r.body); err != nil {
		t.Error(err)
	}
	if r.json["openapi"] != "3.1.0" {
		t.Errorf("openapi = %v", r.json["openapi"])
	}
}

// reports collects what the validating transport reports, instead of
// failing the test.
type reports struct {
	mu   sync.Mutex
	msgs []string
}

func (r *reports) Helper() {}
func (r *reports) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}

func (r *reports) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.msgs
	r.msgs = nil
	return out
}

// TestOpenAPIValidationCatchesDrift puts a proxy that breaks one response
// at a time in front of a real server, and checks that the validation the
// end-to-end tests run reports each break, and nothing for the responses
// it leaves alone.
func TestOpenAPIValidationCatchesDrift(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	target, err := url.Parse(s.url)
	if err != nil {
		t.Fatal(err)
	}
	// breakBody, when set, rewrites the JSON object of every response.
	var mu sync.Mutex
	var breakBody func(status int, body map[string]any) (int, map[string]any)
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(res *http.Response) error {
		mu.Lock()
		f := breakBody
		mu.Unlock()
		if f == nil {
			return nil
		}
		data, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			return err
		}
		var body map[string]any
		if err := json.Unmarshal(data, &body); err != nil {
			return err
		}
		status, body := f(res.StatusCode, body)
		if data, err = json.Marshal(body); err != nil {
			return err
		}
		res.StatusCode, res.Status = status, strconv.Itoa(status)+" "+http.StatusText(status)
		res.Body, res.ContentLength = io.NopCloser(bytes.NewReader(data)), int64(len(data))
		res.Header.Set("Content-Length", strconv.Itoa(len(data)))
		return nil
	}
	front := httptest.NewServer(proxy)
	t.Cleanup(front.Close)

	doc, err := openapitest.Load()
	if err != nil {
		t.Fatal(err)
	}
	rep := &reports{}
	c, err := client.New(front.URL, sandboxCustomer, client.WithHTTPClient(&http.Client{Transport: doc.Transport(rep, nil)}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	login := flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "Greatday", Password: "Everyday"}

	// Untouched, a 203 and an error follow the document.
	if _, err := c.Authorize(ctx, login); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Authorize(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "Greatday", Password: "Wrong"}); err == nil {
		t.Fatal("a wrong password was accepted")
	}
	if got := rep.take(); len(got) != 0 {
		t.Fatalf("untouched responses were reported: %q", got)
	}

	breaks := []struct {
		name   string
		req    flinks.AuthorizeRequest
		mutate func(status int, body map[string]any) (int, map[string]any)
		want   string // in the report
	}{
		{"a required field dropped", login, func(st int, b map[string]any) (int, map[string]any) {
			delete(b, "RequestId")
			return st, b
		}, `"RequestId"`},
		{"a field the document does not list", login, func(st int, b map[string]any) (int, map[string]any) {
			b["Surprise"] = true
			return st, b
		}, "Surprise"},
		{"a field of the wrong type", login, func(st int, b map[string]any) (int, map[string]any) {
			b["SecurityChallenges"] = "What shape do people like most?"
			return st, b
		}, "SecurityChallenges"},
		{"a challenge type that does not exist", login, func(st int, b map[string]any) (int, map[string]any) {
			b["SecurityChallenges"].([]any)[0].(map[string]any)["Type"] = "Telepathy"
			return st, b
		}, "Telepathy"},
		{"HttpStatusCode not the status", login, func(st int, b map[string]any) (int, map[string]any) {
			b["HttpStatusCode"] = 200
			return st, b
		}, "HttpStatusCode"},
		{"a status the operation does not answer", login, func(st int, b map[string]any) (int, map[string]any) {
			b["HttpStatusCode"] = 201
			return 201, b
		}, "201"},
		{"a FlinksCode the status does not carry", flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "Greatday", Password: "Wrong"},
			func(st int, b map[string]any) (int, map[string]any) {
				b["FlinksCode"] = string(flinks.CodeCardInUse)
				return st, b
			}, "FlinksCode"},
		{"an error without its Message", flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "Greatday", Password: "Wrong"},
			func(st int, b map[string]any) (int, map[string]any) {
				delete(b, "Message")
				return st, b
			}, "Message"},
	}
	for _, br := range breaks {
		mu.Lock()
		breakBody = br.mutate
		mu.Unlock()
		c.Authorize(ctx, br.req)
		got := rep.take()
		if len(got) != 1 || !strings.Contains(got[0], "response") || !strings.Contains(got[0], "POST /v3/"+sandboxCustomer+"/BankingServices/Authorize") ||
			!strings.Contains(got[0], br.want) {
			t.Errorf("%s: reported %q, want one report of the response naming %s", br.name, got, br.want)
		}
	}
	mu.Lock()
	breakBody = nil
	mu.Unlock()

	// Deep in a body: an amount written as a string, in one transaction of
	// GetAccountsDetail.
	nomfa, err := c.Authorize(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "greatday_nomfa", Password: "Everyday"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AccountsDetailReady(ctx, flinks.DataRequest{RequestId: nomfa.RequestId}, fastPoll...); err != nil {
		t.Fatal(err)
	}
	if got := rep.take(); len(got) != 0 {
		t.Fatalf("untouched data responses were reported: %q", got)
	}
	mu.Lock()
	breakBody = func(st int, b map[string]any) (int, map[string]any) {
		txs := b["Accounts"].([]any)[0].(map[string]any)["Transactions"].([]any)
		txs[len(txs)-1].(map[string]any)["Balance"] = "12.34"
		return st, b
	}
	mu.Unlock()
	c.AccountsDetail(ctx, flinks.DataRequest{RequestId: nomfa.RequestId})
	if got := rep.take(); len(got) != 1 || !strings.Contains(got[0], "Balance") {
		t.Errorf("an amount as a string in a transaction: reported %q", got)
	}
	mu.Lock()
	breakBody = nil
	mu.Unlock()

	// Requests are held to the document too: a field of the wrong type,
	// and a path it does not describe; unless marked as wrong on purpose,
	// when only the response is validated.
	raw := func(ctx context.Context, method, path, body string) {
		req, err := http.NewRequestWithContext(ctx, method, front.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		res, err := (&http.Client{Transport: doc.Transport(rep, nil)}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	authorize := "/v3/" + sandboxCustomer + "/BankingServices/Authorize"
	raw(ctx, "POST", authorize, `{"Username":42}`)
	if got := rep.take(); len(got) != 1 || !strings.Contains(got[0], "request POST "+authorize) || !strings.Contains(got[0], "Username") {
		t.Errorf("a number for Username: reported %q", got)
	}
	raw(ctx, "GET", "/v3/"+sandboxCustomer+"/BankingServices/NoSuchOperation", "")
	if got := rep.take(); len(got) != 1 || !strings.Contains(got[0], "no such operation") {
		t.Errorf("an undescribed path: reported %q", got)
	}
	raw(openapitest.BadInput(ctx), "POST", authorize, `{"Username":42}`)
	raw(openapitest.BadInput(ctx), "GET", "/v3/"+sandboxCustomer+"/BankingServices/NoSuchOperation", "")
	if got := rep.take(); len(got) != 0 {
		t.Errorf("requests wrong on purpose, with answers that follow the document: reported %q", got)
	}
	// Routing is case-insensitive, as the server's: the validator sees the
	// canonical path.
	raw(ctx, "POST", strings.ToLower(authorize), `{"Institution":"FlinksCapital","Username":"Greatday","Password":"Everyday"}`)
	if got := rep.take(); len(got) != 0 {
		t.Errorf("a lower-case path: reported %q", got)
	}
	// A wrong-on-purpose request still has its answer checked.
	mu.Lock()
	breakBody = func(st int, b map[string]any) (int, map[string]any) {
		delete(b, "FlinksCode")
		return st, b
	}
	mu.Unlock()
	raw(openapitest.BadInput(ctx), "POST", authorize, `{"Username":42}`)
	raw(openapitest.BadInput(ctx), "GET", "/nothing/here", "")
	got := rep.take()
	if len(got) != 2 || !strings.Contains(got[0], "response 400 to POST "+authorize) || !strings.Contains(got[1], "response 404 to GET /nothing/here") {
		t.Errorf("broken answers to requests wrong on purpose: reported %q", got)
	}
}
