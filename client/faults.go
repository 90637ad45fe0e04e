package client

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// FaultRule is a fault-injection rule to add: which requests it selects
// (an empty field selects any) and what it does to them. It must do
// something: an error (Status, FlinksCode or both) or a Latency.
type FaultRule struct {
	// Endpoint is an API endpoint's name, such as GetAccountsDetail,
	// Authorize or GetAccountsDetailAsync.
	Endpoint    string `json:"endpoint,omitempty"`
	Institution string `json:"institution,omitempty"`
	LoginID     string `json:"login_id,omitempty"`
	CustomerID  string `json:"customer_id,omitempty"`
	// Status and FlinksCode are the error answered, as bankfeed answers
	// it: give either and the other follows bankfeed's table, or both
	// where bankfeed pairs them (503 RETRY_LATER).
	Status     int    `json:"status,omitempty"`
	FlinksCode string `json:"flinks_code,omitempty"`
	// Latency, such as "2s", is waited before the answer.
	Latency string `json:"latency,omitempty"`
	// Probability, in (0, 1], is the share of matched requests the rule
	// fires on; nil for all of them. Seed fixes which: the same seed fires
	// on the same requests (by their order among those the rule matched)
	// on every run. Times bounds how often it fires; nil for no bound.
	Probability *float64 `json:"probability,omitempty"`
	Seed        *int64   `json:"seed,omitempty"`
	Times       *int64   `json:"times,omitempty"`
}

// Fault is a rule as the server keeps it, with how often it matched a
// request and fired.
type Fault struct {
	ID          string    `json:"id"`
	Endpoint    string    `json:"endpoint,omitempty"`
	Institution string    `json:"institution,omitempty"`
	LoginID     string    `json:"login_id,omitempty"`
	CustomerID  string    `json:"customer_id,omitempty"`
	Status      int       `json:"status,omitempty"`
	FlinksCode  string    `json:"flinks_code,omitempty"`
	Latency     string    `json:"latency,omitempty"`
	Probability float64   `json:"probability"`
	Seed        int64     `json:"seed"`
	Times       int64     `json:"times,omitempty"`
	Matched     int64     `json:"matched"`
	Fired       int64     `json:"fired"`
	CreatedAt   time.Time `json:"created_at"`
}

// AddFault adds a fault rule; it applies from the next request, on every
// server process of the database.
func (s *Sandbox) AddFault(ctx context.Context, rule FaultRule) (*Fault, error) {
	var out Fault
	if err := s.do(ctx, http.MethodPost, "faults", rule, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Faults lists the rules, in the order they apply.
func (s *Sandbox) Faults(ctx context.Context) ([]Fault, error) {
	var out struct {
		Faults []Fault `json:"faults"`
	}
	err := s.do(ctx, http.MethodGet, "faults", nil, &out)
	return out.Faults, err
}

// RemoveFault removes one rule.
func (s *Sandbox) RemoveFault(ctx context.Context, id string) error {
	return s.do(ctx, http.MethodDelete, "faults/"+url.PathEscape(id), nil, nil)
}

// ClearFaults removes every rule, or a customer's when customerID is not
// empty, and says how many.
func (s *Sandbox) ClearFaults(ctx context.Context, customerID string) (int, error) {
	op := "faults"
	if customerID != "" {
		op += "?" + url.Values{"customer_id": {customerID}}.Encode()
	}
	var out struct {
		Removed int `json:"removed"`
	}
	err := s.do(ctx, http.MethodDelete, op, nil, &out)
	return out.Removed, err
}

// Ptr returns a pointer to v, for FaultRule's optional fields.
func Ptr[T any](v T) *T { return &v }
