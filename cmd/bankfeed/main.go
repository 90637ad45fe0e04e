// Command bankfeed is a self-hosted bank-data aggregation server that speaks
// the Flinks v3 BankingServices API. See 'bankfeed help'.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/bankfeed/bankfeed/internal/app"
)

// gcPercent is the runtime's GOGC for bankfeed unless the environment sets
// one. bankfeed's live heap is a few MiB (sessions and data live in the
// database) while a data response allocates hundreds of KiB that die with
// the request: at Go's default of 100 the collector ran every few MiB
// allocated, an eighth of the server's CPU under the cached workload of
// bench/load. Collecting once the heap has grown four times its live size
// costs tens of MiB of memory. See docs/performance.md.
const gcPercent = 400

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := app.Main(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	switch {
	case errors.Is(err, app.ErrUsage):
		if err != app.ErrUsage {
			fmt.Fprintln(os.Stderr, "bankfeed:", err)
		}
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "bankfeed:", err)
		os.Exit(1)
	}
}
