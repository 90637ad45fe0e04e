// Package reset empties customers' state for the sandbox control plane
// (POST /sandbox/v1/reset): what a test made through the API, so that the
// next test starts clean, the customers themselves and their keys kept.
package reset

import (
	"context"
	"errors"

	"github.com/bankfeed/bankfeed/internal/store"
)

// ErrNoCustomer is returned for a reset of a customer that does not exist.
var ErrNoCustomer = errors.New("reset: no such customer")

// Hook deletes what a part of the control plane keeps per customer beyond
// the store's own rows (the faults of a customer, say), in the reset's
// transaction, and returns how many it deleted; an empty customerID means
// every customer's. Its count is reported under Name.
type Hook struct {
	Name string
	Run  func(ctx context.Context, q store.Queries, customerID string) (int64, error)
}

// Service resets customers. It is safe for concurrent use.
type Service struct {
	store store.Store
	hooks []Hook
}

// New returns a Service over st, running hooks in each reset.
func New(st store.Store, hooks ...Hook) *Service {
	return &Service{store: st, hooks: hooks}
}

// Counts are what a reset deleted, by kind: logins, sessions, snapshots,
// tokens, jobs, deliveries, and one entry per hook.
type Counts map[string]int64

// Reset deletes the customer's logins, sessions, snapshots, authorize
// tokens, jobs and webhook deliveries, and what the hooks keep for it, in
// one transaction; an empty customerID resets every customer. It returns
// ErrNoCustomer when the customer does not exist.
func (s *Service) Reset(ctx context.Context, customerID string) (Counts, error) {
	var out Counts
	err := s.store.InTx(ctx, func(q store.Queries) error {
		if customerID != "" {
			if _, err := q.Customer(ctx, customerID); errors.Is(err, store.ErrNotFound) {
				return ErrNoCustomer
			} else if err != nil {
				return err
			}
		}
		c, err := q.Reset(ctx, customerID)
		if err != nil {
			return err
		}
		out = Counts{"logins": c.Logins, "sessions": c.Sessions, "snapshots": c.Snapshots, "tokens": c.Tokens,
			"jobs": c.Jobs, "deliveries": c.Deliveries}
		for _, h := range s.hooks {
			n, err := h.Run(ctx, q, customerID)
			if err != nil {
				return err
			}
			out[h.Name] += n
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
