package pgstore_test

import (
	"testing"

	"github.com/bankfeed/bankfeed/internal/store"
	"github.com/bankfeed/bankfeed/internal/store/pgstore/pgtest"
	"github.com/bankfeed/bankfeed/internal/store/storetest"
)

// TestSandboxConformance runs the suite of the sandbox's fault rules and
// journal, each subtest on a new database of its own.
func TestSandboxConformance(t *testing.T) {
	t.Parallel()
	pgtest.ServerURL(t)
	storetest.RunSandbox(t, func(t *testing.T) store.Store {
		return open(t, pgtest.NewDatabase(t))
	})
}
