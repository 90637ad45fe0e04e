package client

import (
	"context"
	"net/http"
)

// ResetResult is what a reset deleted.
type ResetResult struct {
	// CustomerID is the customer reset; empty when every one was.
	CustomerID string `json:"customer_id,omitempty"`
	// Deleted counts the rows deleted by kind: logins, sessions,
	// snapshots, tokens, jobs, deliveries, and those of the other parts of
	// the control plane.
	Deleted map[string]int64 `json:"deleted"`
}

// Reset deletes the customer's logins, sessions, snapshots, authorize
// tokens, jobs and webhook deliveries, keeping the customer, its keys and
// its webhook URL; an empty customerID resets every customer.
func (s *Sandbox) Reset(ctx context.Context, customerID string) (ResetResult, error) {
	var in any
	if customerID != "" {
		in = struct {
			CustomerID string `json:"customer_id"`
		}{customerID}
	}
	var out ResetResult
	err := s.do(ctx, http.MethodPost, "reset", in, &out)
	return out, err
}
