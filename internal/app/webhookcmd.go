package app

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/bankfeed/bankfeed/internal/secrets"
	"github.com/bankfeed/bankfeed/internal/store"
	"github.com/bankfeed/bankfeed/internal/webhooks"
)

// customerWebhook runs `bankfeed customers webhook ID ...`; fs has the
// store's flags registered in cfg.
func customerWebhook(ctx context.Context, fs *flag.FlagSet, cfg *storeConfig, args []string, stdout, stderr io.Writer, o options) error {
	url := fs.String("url", "", "the webhook URL")
	secret := fs.String("secret", "", "the signing secret; a new random one, shown once, when empty")
	off := fs.Bool("off", false, "remove the customer's webhook")
	allowPrivate := fs.Bool("webhook-allow-private", false, "outside sandbox mode, accept a loopback, link-local or private address")
	rest, err := parseFlags(fs, args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(rest) != 1 || (*off == (*url != "")) || (*off && *secret != "") {
		return fmt.Errorf("%w: customers webhook takes a CUSTOMER_ID and either --url (with --secret if wanted) or --off\n\n%s",
			ErrUsage, customersUsage)
	}
	st, err := openStore(ctx, *cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	id := strings.ToLower(strings.TrimSpace(rest[0]))
	if _, err := st.Customer(ctx, id); errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("customers webhook: no such customer %q", rest[0])
	} else if err != nil {
		return err
	}
	kr, err := openKeyRing(ctx, *cfg, st, slog.New(slog.NewTextHandler(stderr, nil)))
	if err != nil {
		return err
	}
	svc := webhooks.New(webhooks.Config{Store: st, Secrets: secrets.NewKeeper(kr.ring), Now: o.now,
		AllowPrivate: cfg.sandbox || *allowPrivate})
	if *off {
		if err := svc.Remove(ctx, id); err != nil {
			return fmt.Errorf("customers webhook: %w", err)
		}
		fmt.Fprintf(stdout, "Webhook of customer %s removed; deliveries still pending fail at their next attempt.\n", id)
		return nil
	}
	got, err := svc.Configure(ctx, id, *url, *secret)
	if err != nil {
		return fmt.Errorf("customers webhook: %w", err)
	}
	fmt.Fprintf(stdout, "Webhook of customer %s set to %s.\n", id, strings.TrimSpace(*url))
	if *secret == "" {
		fmt.Fprintf(stdout, "Secret  %s\nKeep it now: it signs every delivery (header %s), and is not shown again.\n",
			got, webhooks.SignatureHeader)
	}
	return nil
}

const webhooksUsage = `Usage:
  bankfeed webhooks list [--customer ID] [--login ID] [--limit N] [--json]
      the delivery log, newest first, with every attempt
  bankfeed webhooks replay [--wait D] DELIVERY_ID
      send a delivery again, with the same id and body
  bankfeed webhooks test [--wait D] CUSTOMER_ID
      send a signed test delivery to the customer's webhook

Each takes --data and --database as serve does, and works beside a running
server: replay and test queue the delivery for the server's workers and wait
up to --wait for its first attempt.
`

// webhooksCommand runs `bankfeed webhooks ...`.
func webhooksCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, o options) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, webhooksUsage)
		return ErrUsage
	}
	var cfg storeConfig
	fs := flag.NewFlagSet("bankfeed webhooks "+args[0], flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(stderr, webhooksUsage) }
	cfg.register(fs, getenv)
	asJSON := fs.Bool("json", false, "print JSON, for scripts")
	var q store.DeliveryQuery
	wait := 15 * time.Second
	switch args[0] {
	case "list":
		fs.StringVar(&q.CustomerID, "customer", "", "only this customer's deliveries")
		fs.StringVar(&q.LoginID, "login", "", "only this login's deliveries")
		fs.IntVar(&q.Limit, "limit", 50, "the most deliveries shown; 0 for all")
	case "replay", "test":
		fs.DurationVar(&wait, "wait", wait, "how long to wait for the first attempt; 0 to only queue it")
	default:
		fmt.Fprintf(stderr, "bankfeed webhooks: unknown command %q\n\n%s", args[0], webhooksUsage)
		return ErrUsage
	}
	rest, err := parseFlags(fs, args[1:], stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if want := map[bool]int{true: 0, false: 1}[args[0] == "list"]; len(rest) != want || q.Limit < 0 || wait < 0 {
		return fmt.Errorf("%w: webhooks %s takes %d argument(s)\n\n%s", ErrUsage, args[0], want, webhooksUsage)
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	svc := webhooks.New(webhooks.Config{Store: st, Now: o.now})
	print := func(es []webhooks.Entry) error {
		if *asJSON {
			return json.NewEncoder(stdout).Encode(webhooks.ViewsOf(es))
		}
		return printDeliveries(stdout, es)
	}
	switch args[0] {
	case "list":
		q.CustomerID, q.LoginID = strings.ToLower(strings.TrimSpace(q.CustomerID)), strings.TrimSpace(q.LoginID)
		es, err := svc.List(ctx, q)
		if err != nil {
			return err
		}
		return print(es)
	}
	var d *store.Delivery
	if args[0] == "replay" {
		d, err = svc.Replay(ctx, strings.TrimSpace(rest[0]))
	} else {
		d, err = svc.Test(ctx, strings.ToLower(strings.TrimSpace(rest[0])))
	}
	if err != nil {
		return fmt.Errorf("webhooks %s: %w", args[0], err)
	}
	e, err := waitAttempt(ctx, svc, d, wait)
	if err != nil {
		return err
	}
	if err := print([]webhooks.Entry{e}); err != nil {
		return err
	}
	if wait > 0 && e.State == store.DeliveryPending && len(e.Attempts) == d.Attempts {
		fmt.Fprintf(stderr, "no attempt within %v: is a server with job workers running on this database?\n", wait)
	}
	return nil
}

// waitAttempt waits up to wait for an attempt of d after those it had.
func waitAttempt(ctx context.Context, svc *webhooks.Service, d *store.Delivery, wait time.Duration) (webhooks.Entry, error) {
	deadline := time.Now().Add(wait)
	for {
		e, err := svc.Get(ctx, d.ID)
		if err != nil || len(e.Attempts) > d.Attempts || !time.Now().Before(deadline) {
			return e, err
		}
		select {
		case <-ctx.Done():
			return e, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func printDeliveries(w io.Writer, es []webhooks.Entry) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DELIVERY ID\tTYPE\tSTATE\tCUSTOMER\tLOGIN\tATTEMPT\tAT\tRESULT\tTOOK")
	for _, e := range es {
		if len(e.Attempts) == 0 {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t-\t%s\tnot tried yet\t\n", e.ID, e.Type, e.State, e.CustomerID, dash(e.LoginID),
				e.CreatedAt.Format(time.RFC3339))
		}
		for _, a := range e.Attempts {
			result := fmt.Sprintf("HTTP %d", a.Status)
			if a.Error != "" {
				result = a.Error
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%v\n", e.ID, e.Type, e.State, e.CustomerID, dash(e.LoginID), a.Attempt,
				a.At.Format(time.RFC3339), result, a.Duration.Round(time.Millisecond))
		}
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
