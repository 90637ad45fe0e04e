package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// sandboxCustomer is the public Flinks sandbox customerId: bankfeed keeps
// its authorize tokens, x-api-key and rate limits off, so the harness sends
// none.
const sandboxCustomer = "43387ca6-0391-4c82-857d-70d95f087ecb"

// api sends the Flinks requests of the workloads over HTTP, the same way to
// bankfeed and to the baseline. It reads every byte of every response and
// checks its status, but decodes only the small /Authorize bodies it needs
// a RequestId from: the clients share the machine's cores with the server
// under test, so they do as little as a client can.
type api struct {
	client *http.Client
	base   string // scheme, host, /v3/{customerId}/BankingServices/
}

func newAPI(client *http.Client, url, customer string) *api {
	return &api{client: client, base: strings.TrimRight(url, "/") + "/v3/" + customer + "/BankingServices/"}
}

// newHTTPClient returns the client of conc concurrent workers: one
// keep-alive connection each, as real clients keep them.
func newHTTPClient(conc int) *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			MaxIdleConns:        conc + 16,
			MaxIdleConnsPerHost: conc + 16,
			IdleConnTimeout:     time.Minute,
			DisableCompression:  true,
		},
		Timeout: time.Minute,
	}
}

// client is what one client keeps between its requests: the buffer it
// reads responses into, and how long each request took.
type client struct {
	buf  bytes.Buffer
	took []time.Duration
}

// reply is an HTTP response read whole.
type reply struct {
	Status int
	Body   []byte
}

// do sends one request; body nil means none. The reply's Body aliases the
// client's buffer, until its next request.
func (a *api) do(ctx context.Context, c *client, method, op string, body []byte) (reply, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+op, rd)
	if err != nil {
		return reply{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	start := time.Now()
	res, err := a.client.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer res.Body.Close()
	c.buf.Reset()
	if _, err := c.buf.ReadFrom(res.Body); err != nil {
		return reply{}, fmt.Errorf("%s %s: reading the body: %w", method, op, err)
	}
	c.took = append(c.took, time.Since(start))
	return reply{Status: res.StatusCode, Body: c.buf.Bytes()}, nil
}

// authReply is what the workloads read of an /Authorize body.
type authReply struct {
	HttpStatusCode     int
	RequestId          string
	SecurityChallenges []struct{ Prompt string }
	Login              *struct{ Id string }
}

// The request bodies. The ids the harness puts in them (usernames of its
// scenario, RequestIds and LoginIds, which are GUIDs) need no escaping.

func credentialsBody(user string) []byte {
	return []byte(`{"Institution":"` + institution + `","Username":"` + user + `","Password":"` + password + `","Save":true}`)
}

func answerBody(requestID, prompt string) []byte {
	p, _ := json.Marshal(prompt)
	return []byte(`{"RequestId":"` + requestID + `","SecurityResponses":{` + string(p) + `:["` + answer + `"]}}`)
}

func cachedBody(loginID string) []byte {
	return []byte(`{"LoginId":"` + loginID + `","MostRecentCached":true}`)
}

func detailBody(requestID string) []byte {
	return []byte(`{"RequestId":"` + requestID + `","DaysOfTransactions":"Days90"}`)
}

// authorize sends an /Authorize body and expects the given status.
func (a *api) authorize(ctx context.Context, c *client, body []byte, want int) (authReply, reply, error) {
	r, err := a.do(ctx, c, http.MethodPost, "Authorize", body)
	if err != nil {
		return authReply{}, r, err
	}
	var ar authReply
	if r.Status != want {
		return ar, r, unexpected("Authorize", r, want)
	}
	if err := json.Unmarshal(r.Body, &ar); err != nil {
		return ar, r, fmt.Errorf("/Authorize: %w", err)
	}
	if ar.HttpStatusCode != want || ar.RequestId == "" {
		return ar, r, unexpected("Authorize", r, want)
	}
	return ar, r, nil
}

// detailOK is how every 200 of GetAccountsDetail begins: the check the
// workloads make of a body they do not decode.
var detailOK = []byte(`{"HttpStatusCode":200,"Accounts":[`)

// accountsDetail calls GetAccountsDetail (Days90) for requestID and, while
// it answers 202, polls GetAccountsDetailAsync every poll until the 200.
// It returns the 200 and how many requests it took.
func (a *api) accountsDetail(ctx context.Context, c *client, requestID string, poll time.Duration) (reply, int, error) {
	r, err := a.do(ctx, c, http.MethodPost, "GetAccountsDetail", detailBody(requestID))
	for n := 1; ; n++ {
		switch {
		case err != nil:
			return r, n, err
		case r.Status == http.StatusOK && bytes.HasPrefix(r.Body, detailOK):
			return r, n, nil
		case r.Status != http.StatusAccepted:
			return r, n, unexpected("GetAccountsDetail", r, http.StatusOK)
		}
		t := time.NewTimer(poll)
		select {
		case <-ctx.Done():
			t.Stop()
			return r, n, fmt.Errorf("GetAccountsDetail still pending: %w", ctx.Err())
		case <-t.C:
		}
		r, err = a.do(ctx, c, http.MethodGet, "GetAccountsDetailAsync/"+requestID, nil)
	}
}

func unexpected(op string, r reply, want int) error {
	body := r.Body
	if len(body) > 300 {
		body = body[:300]
	}
	return fmt.Errorf("%s: HTTP %d, want %d: %s", op, r.Status, want, bytes.TrimSpace(body))
}
