package client

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Sandbox calls bankfeed's sandbox control surface (/sandbox/v1/): what a
// test drives besides the Flinks API. It is served in sandbox mode, and
// outside it only by a server with an admin key (WithAdminKey). It is safe
// for concurrent use.
type Sandbox struct {
	base       string // ".../sandbox/v1/"
	httpClient *http.Client
	header     http.Header
}

// SandboxOption configures a Sandbox.
type SandboxOption func(*Sandbox)

// WithAdminKey sends the server's admin key with every call.
func WithAdminKey(key string) SandboxOption {
	return func(s *Sandbox) { s.header.Set("Authorization", "Bearer "+key) }
}

// WithSandboxHTTPClient makes the control client send its requests through h.
func WithSandboxHTTPClient(h *http.Client) SandboxOption {
	return func(s *Sandbox) { s.httpClient = h }
}

// NewSandbox returns a client of the control surface of the server at
// baseURL (scheme and host).
func NewSandbox(baseURL string, opts ...SandboxOption) (*Sandbox, error) {
	u, err := url.Parse(strings.TrimSpace(baseURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("client: base URL %q must be an absolute http or https URL", baseURL)
	}
	s := &Sandbox{base: strings.TrimRight(u.String(), "/") + "/sandbox/v1/", httpClient: http.DefaultClient, header: http.Header{}}
	for _, opt := range opts {
		opt(s)
	}
	return s, nil
}

// WebhookDelivery is one webhook delivery with its attempts, as the
// delivery log shows it.
type WebhookDelivery struct {
	ID         string           `json:"id"`
	CustomerID string           `json:"customer_id"`
	LoginID    string           `json:"login_id,omitempty"`
	RequestID  string           `json:"request_id,omitempty"`
	Type       string           `json:"type"` // KYC, GetAccountsDetail or Test
	URL        string           `json:"url"`
	State      string           `json:"state"` // pending, delivered or failed
	CreatedAt  time.Time        `json:"created_at"`
	Attempts   []WebhookAttempt `json:"attempts"`
}

// WebhookAttempt is one attempt of a delivery.
type WebhookAttempt struct {
	Attempt int       `json:"attempt"`
	At      time.Time `json:"at"`
	URL     string    `json:"url"`
	// StatusCode is the receiver's HTTP status; 0 when none came.
	StatusCode int     `json:"status_code"`
	Error      string  `json:"error,omitempty"`
	DurationMs float64 `json:"duration_ms"`
}

// DeliveryFilter selects WebhookDeliveries; the zero value selects the
// newest 100 of every customer.
type DeliveryFilter struct {
	CustomerID string
	LoginID    string
	Limit      int
}

// WebhookDeliveries reads the delivery log, newest first.
func (s *Sandbox) WebhookDeliveries(ctx context.Context, f DeliveryFilter) ([]WebhookDelivery, error) {
	q := url.Values{}
	if f.CustomerID != "" {
		q.Set("customer_id", f.CustomerID)
	}
	if f.LoginID != "" {
		q.Set("login_id", f.LoginID)
	}
	if f.Limit > 0 {
		q.Set("limit", strconv.Itoa(f.Limit))
	}
	var out struct {
		Deliveries []WebhookDelivery `json:"deliveries"`
	}
	op := "webhooks/deliveries"
	if len(q) > 0 {
		op += "?" + q.Encode()
	}
	err := s.do(ctx, http.MethodGet, op, nil, &out)
	return out.Deliveries, err
}

// WebhookDelivery reads one delivery.
func (s *Sandbox) WebhookDelivery(ctx context.Context, id string) (*WebhookDelivery, error) {
	var out WebhookDelivery
	if err := s.do(ctx, http.MethodGet, "webhooks/deliveries/"+url.PathEscape(id), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ReplayWebhook queues a delivery to be sent again, with the same id and
// body.
func (s *Sandbox) ReplayWebhook(ctx context.Context, id string) (*WebhookDelivery, error) {
	var out WebhookDelivery
	if err := s.do(ctx, http.MethodPost, "webhooks/deliveries/"+url.PathEscape(id)+"/replay", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// TestWebhook queues a signed test delivery to the customer's webhook.
func (s *Sandbox) TestWebhook(ctx context.Context, customerID string) (*WebhookDelivery, error) {
	var out WebhookDelivery
	in := struct {
		CustomerID string `json:"customer_id"`
	}{customerID}
	if err := s.do(ctx, http.MethodPost, "webhooks/test", in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (s *Sandbox) do(ctx context.Context, method, op string, in, out any) error {
	return roundTrip(ctx, s.httpClient, method, s.base+op, in, out, s.header)
}
