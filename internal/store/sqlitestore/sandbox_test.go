package sqlitestore_test

import (
	"path/filepath"
	"testing"

	"github.com/bankfeed/bankfeed/internal/store"
	"github.com/bankfeed/bankfeed/internal/store/storetest"
)

// TestSandboxConformance runs the suite of the sandbox's fault rules and
// journal, each subtest on a new database file of its own.
func TestSandboxConformance(t *testing.T) {
	t.Parallel()
	storetest.RunSandbox(t, func(t *testing.T) store.Store {
		return open(t, filepath.Join(t.TempDir(), "bankfeed.db"))
	})
}
