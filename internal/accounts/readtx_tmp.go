package accounts

import (
	"context"

	"github.com/bankfeed/bankfeed/internal/store"
)

// readTx is a stand-in for store.ReadTx until the store branch lands.
func (s *Service) readTx(ctx context.Context, fn func(q store.Queries) error) error {
	return fn(s.store)
}
