// Command bankfeed is a self-hosted bank-data aggregation server that speaks
// the Flinks v3 BankingServices API. See 'bankfeed help'.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/bankfeed/bankfeed/internal/app"
)

func main() {
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
