// Package client is the Go SDK of the Flinks v3 BankingServices API, as
// bankfeed serves it. It works against any Flinks-compatible base URL:
// bankfeed, or Flinks itself.
//
//	c, err := client.New("http://127.0.0.1:8080", customerID)
//	resp, err := c.AuthorizeWithMFA(ctx, flinks.AuthorizeRequest{
//		Institution: "FlinksCapital", Username: "Greatday", Password: "Everyday", Save: true,
//	}, func(ctx context.Context, cs []flinks.SecurityChallenge) (flinks.SecurityResponses, error) {
//		return flinks.SecurityResponses{cs[0].Prompt: {"Triangle"}}, nil
//	})
//
// Every error the API returns is an *Error carrying the HTTP status and the
// FlinksCode.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/bankfeed/bankfeed/flinks"
)

// maxResponseBytes bounds what the client reads of a response: the largest
// legitimate ones (statements) are a few MiB.
const maxResponseBytes = 64 << 20

// Client calls the BankingServices API of one customer. It is safe for
// concurrent use.
type Client struct {
	base       string // ".../v3/{customerId}/BankingServices/"
	httpClient *http.Client
	header     http.Header
	// secret is the customer's secret key, for WithSecretKey; tokens holds
	// the authorize token each RequestId under way began with, for its
	// follow-up rounds.
	secret string
	tokens sync.Map // RequestId -> token
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient makes the client send its requests through h.
func WithHTTPClient(h *http.Client) Option { return func(c *Client) { c.httpClient = h } }

// WithHeader adds a header to every request.
func WithHeader(key, value string) Option { return func(c *Client) { c.header.Add(key, value) } }

// WithAPIKey sends the customer's x-api-key with every request, as the
// data endpoints require when the customer enforces it.
func WithAPIKey(key string) Option { return func(c *Client) { c.header.Set("x-api-key", key) } }

// WithSecretKey makes the client handle authorize tokens itself: before each
// Authorize that begins a session (and sends no AuthorizeToken of its own)
// it generates a token with the secret key, and it sends that token again
// on the session's follow-up rounds. The secret also authenticates
// GetNightlyRefreshStatus.
func WithSecretKey(secret string) Option { return func(c *Client) { c.secret = secret } }

// New returns a client for the API at baseURL (scheme and host, such as
// "http://127.0.0.1:8080" or "https://toolbox-api.private.fin.ag") and the
// given customerId.
func New(baseURL, customerID string, opts ...Option) (*Client, error) {
	u, err := url.Parse(strings.TrimSpace(baseURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("client: base URL %q must be an absolute http or https URL", baseURL)
	}
	if strings.TrimSpace(customerID) == "" {
		return nil, errors.New("client: customerId is empty")
	}
	c := &Client{
		base:       strings.TrimRight(u.String(), "/") + "/v3/" + url.PathEscape(customerID) + "/BankingServices/",
		httpClient: http.DefaultClient,
		header:     http.Header{},
	}
	for _, opt := range opts {
		opt(c)
	}
	return c, nil
}

// Error is an error answered by the API.
type Error struct {
	// StatusCode is the HTTP status of the response.
	StatusCode int
	// Body is the error body; for a response that was not a Flinks error
	// body, Message holds the start of what was received.
	Body flinks.Error
}

func (e *Error) Error() string {
	if e.Body.FlinksCode == "" {
		return fmt.Sprintf("flinks: HTTP %d: %s", e.StatusCode, e.Body.Message)
	}
	return fmt.Sprintf("flinks: HTTP %d %s: %s", e.StatusCode, e.Body.FlinksCode, e.Body.Message)
}

// Code returns the FlinksCode of err if it is an *Error, and "" otherwise.
func Code(err error) flinks.Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Body.FlinksCode
	}
	return ""
}

// Authorize sends one /Authorize request: a live login, a reopen, or an MFA
// answer. It returns the response for a 200 and for a 203 (see
// AuthorizeResponse.Challenged), and an *Error for anything else.
func (c *Client) Authorize(ctx context.Context, req flinks.AuthorizeRequest) (*flinks.AuthorizeResponse, error) {
	token := req.AuthorizeToken
	req.AuthorizeToken = "" // sent as the header, not in the body
	if token == "" && c.secret != "" {
		if req.RequestId != "" {
			if t, ok := c.tokens.Load(req.RequestId); ok {
				token = t.(string)
			}
		} else {
			var err error
			if token, err = c.GenerateAuthorizeToken(ctx, c.secret); err != nil {
				return nil, err
			}
		}
	}
	header := http.Header{}
	if token != "" {
		header.Set("flinks-auth-key", token)
	}
	var resp flinks.AuthorizeResponse
	err := c.do(ctx, http.MethodPost, "Authorize", header, req, &resp)
	if c.secret != "" {
		// Keep the token while the session asks questions; forget it once
		// the session has its answer.
		switch {
		case err == nil && resp.Challenged():
			c.tokens.Store(resp.RequestId, token)
		case req.RequestId != "" && (err == nil || !answerAgain[Code(err)]):
			c.tokens.Delete(req.RequestId)
		}
	}
	if err != nil {
		return nil, err
	}
	return &resp, nil
}

// answerAgain are the errors after which a session still takes answers.
var answerAgain = map[flinks.Code]bool{
	flinks.CodeInvalidSecurityResponse: true, flinks.CodeSecurityResponsesIncomplete: true,
	flinks.CodeUnknownChallengeKey: true, flinks.CodeConcurrentSession: true, flinks.CodeInvalidRequest: true,
}

// GenerateAuthorizeToken returns a new single-use authorize token, made with
// the customer's secret key. It is valid for 30 minutes; Authorize sends it
// in the flinks-auth-key header when given as AuthorizeRequest.AuthorizeToken.
func (c *Client) GenerateAuthorizeToken(ctx context.Context, secret string) (string, error) {
	var resp flinks.AuthorizeTokenResponse
	if err := c.do(ctx, http.MethodPost, "GenerateAuthorizeToken", http.Header{"Flinks-Auth-Key": {secret}}, nil, &resp); err != nil {
		return "", err
	}
	if resp.Token == "" {
		return "", errors.New("client: GenerateAuthorizeToken answered without a Token")
	}
	return resp.Token, nil
}

// NightlyRefreshStatus lists the customer's logins with scheduled refresh
// on that the nightly refresh skips (GetNightlyRefreshStatus), with the
// customer's secret key as the Bearer token.
func (c *Client) NightlyRefreshStatus(ctx context.Context, secret string) (*flinks.NightlyRefreshStatusResponse, error) {
	var resp flinks.NightlyRefreshStatusResponse
	if err := c.do(ctx, http.MethodGet, "GetNightlyRefreshStatus", http.Header{"Authorization": {"Bearer " + secret}}, nil, &resp); err != nil {
		return nil, err
	}
	return &resp, nil
}

// Answer answers the challenges of the session requestID.
func (c *Client) Answer(ctx context.Context, requestID string, responses flinks.SecurityResponses) (*flinks.AuthorizeResponse, error) {
	return c.Authorize(ctx, flinks.AuthorizeRequest{RequestId: requestID, SecurityResponses: responses})
}

// AuthorizeCached opens a session over the latest data of a saved login,
// without contacting the bank. It never returns a 203.
func (c *Client) AuthorizeCached(ctx context.Context, loginID string) (*flinks.AuthorizeResponse, error) {
	return c.Authorize(ctx, flinks.AuthorizeRequest{LoginId: loginID, MostRecentCached: true})
}

// AuthorizeLive logs in again to a saved login with its stored credentials
// and answers. It may return a 203 for a challenge with no stored answer.
func (c *Client) AuthorizeLive(ctx context.Context, loginID string, save bool) (*flinks.AuthorizeResponse, error) {
	return c.Authorize(ctx, flinks.AuthorizeRequest{LoginId: loginID, MostRecentCached: false, Save: flinks.Bool(save)})
}

// AnswerFunc answers one round of challenges. Every challenge must be
// answered, keyed by its Prompt.
type AnswerFunc func(ctx context.Context, challenges []flinks.SecurityChallenge) (flinks.SecurityResponses, error)

// MaxMFARounds bounds the rounds AuthorizeWithMFA answers.
const MaxMFARounds = 20

// AuthorizeWithMFA sends req and answers each round of challenges with
// answer until the API answers 200, which it returns.
func (c *Client) AuthorizeWithMFA(ctx context.Context, req flinks.AuthorizeRequest, answer AnswerFunc) (*flinks.AuthorizeResponse, error) {
	resp, err := c.Authorize(ctx, req)
	for round := 0; err == nil && resp.Challenged(); round++ {
		if round == MaxMFARounds {
			return nil, fmt.Errorf("client: still challenged after %d rounds", MaxMFARounds)
		}
		responses, aerr := answer(ctx, resp.SecurityChallenges)
		if aerr != nil {
			return nil, aerr
		}
		resp, err = c.Authorize(ctx, flinks.AuthorizeRequest{
			RequestId: resp.RequestId, SecurityResponses: responses, AuthorizeToken: req.AuthorizeToken,
		})
	}
	return resp, err
}

// SetScheduledRefresh turns the scheduled refresh of a saved login on or
// off, and returns the API's message.
func (c *Client) SetScheduledRefresh(ctx context.Context, loginID string, on bool) (string, error) {
	var msg string
	err := c.do(ctx, http.MethodPatch, "SetScheduledRefresh", nil, flinks.SetScheduledRefreshRequest{LoginId: loginID, IsActivated: flinks.Bool(on)}, &msg)
	return msg, err
}

// ActivateScheduledRefresh turns the nightly refresh of a saved login on or
// off through PATCH /ActivateScheduledRefresh/{loginId} and
// /DeactivateScheduledRefresh/{loginId}, the form SetScheduledRefresh
// superseded and that older clients still send.
func (c *Client) ActivateScheduledRefresh(ctx context.Context, loginID string, on bool) (string, error) {
	op := "DeactivateScheduledRefresh/"
	if on {
		op = "ActivateScheduledRefresh/"
	}
	var msg string
	err := c.do(ctx, http.MethodPatch, op+url.PathEscape(loginID), nil, nil, &msg)
	return msg, err
}

// GetMFAQuestions returns the security questions of a saved login that have
// no stored answer (Enhanced MFA; the login must have been authorized with
// WithMfaQuestions and Save).
func (c *Client) GetMFAQuestions(ctx context.Context, loginID string) (*flinks.MFAQuestionsResponse, error) {
	var resp flinks.MFAQuestionsResponse
	if err := c.do(ctx, http.MethodGet, "GetMFAQuestions/"+url.PathEscape(loginID), nil, nil, &resp); err != nil {
		return nil, err
	}
	return &resp, nil
}

// AnswerMFAQuestions stores answers to a saved login's security questions.
func (c *Client) AnswerMFAQuestions(ctx context.Context, loginID string, answers []flinks.MFAQuestion) error {
	return c.do(ctx, http.MethodPatch, "AnswerMFAQuestions", nil, flinks.AnswerMFAQuestionsRequest{LoginId: loginID, Questions: answers}, nil)
}

// Institutions lists the institutions served, take at a time after skip
// (take 0 for the API's default).
func (c *Client) Institutions(ctx context.Context, skip, take int) (*flinks.InstitutionsResponse, error) {
	q := url.Values{}
	q.Set("skip", strconv.Itoa(skip))
	if take > 0 {
		q.Set("take", strconv.Itoa(take))
	}
	var resp flinks.InstitutionsResponse
	if err := c.do(ctx, http.MethodGet, "Institutions?"+q.Encode(), nil, nil, &resp); err != nil {
		return nil, err
	}
	return &resp, nil
}

// InstitutionsByRoutingNumber returns the institutions a routing number
// belongs to: a nine-digit ABA or Canadian EFT routing number, or a
// three-digit Canadian institution number.
func (c *Client) InstitutionsByRoutingNumber(ctx context.Context, routingNumber string) (*flinks.InstitutionsResponse, error) {
	var resp flinks.InstitutionsResponse
	if err := c.do(ctx, http.MethodGet, "Institutions/RoutingNumber/"+url.PathEscape(routingNumber), nil, nil, &resp); err != nil {
		return nil, err
	}
	return &resp, nil
}

// do sends a request to operation op and decodes a 2xx body into out.
func (c *Client) do(ctx context.Context, method, op string, header http.Header, in, out any) error {
	return c.doURL(ctx, method, c.base+op, header, in, out)
}

// doURL is do for a full URL: the enrichment endpoints live beside
// BankingServices, not under it.
func (c *Client) doURL(ctx context.Context, method, target string, header http.Header, in, out any) error {
	return roundTrip(ctx, c.httpClient, method, target, in, out, c.header, header)
}

// roundTrip sends in as JSON (no body when nil) with the headers, later
// ones winning, and decodes the answer into out: the one request path of
// the SDK's clients.
func roundTrip(ctx context.Context, hc *http.Client, method, target string, in, out any, headers ...http.Header) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return err
	}
	for _, h := range headers {
		for k, v := range h {
			req.Header[k] = v
		}
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, maxResponseBytes))
	if err != nil {
		return err
	}
	return decodeResponse(res.StatusCode, data, out)
}

// decodeResponse reads a response: a 2xx without a FlinksCode into out, and
// anything else into an *Error. A 2xx body may be a bare JSON string, as
// SetScheduledRefresh answers.
func decodeResponse(status int, data []byte, out any) error {
	trimmed := bytes.TrimSpace(data)
	var probe struct{ FlinksCode flinks.Code }
	valid := json.Valid(trimmed)
	if valid && len(trimmed) > 0 && trimmed[0] == '{' {
		json.Unmarshal(trimmed, &probe)
	}
	if status >= 200 && status < 300 && status != http.StatusAccepted && valid && probe.FlinksCode == "" {
		if out == nil {
			return nil
		}
		return json.Unmarshal(trimmed, out)
	}
	e := &Error{StatusCode: status}
	if !valid || json.Unmarshal(trimmed, &e.Body) != nil || e.Body.FlinksCode == "" && e.Body.Message == "" {
		msg := strings.TrimSpace(string(data))
		if len(msg) > 200 {
			msg = msg[:200] + "..."
		}
		e.Body = flinks.Error{HttpStatusCode: status, Message: msg}
	}
	return e
}
