package app

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/bankfeed/bankfeed/internal/rotation"
	"github.com/bankfeed/bankfeed/internal/tenants"
	"github.com/bankfeed/bankfeed/internal/vault"
)

const customersUsage = `Usage:
  bankfeed customers add [--name NAME] [--id GUID] [--token-optional] [--api-key-optional]
                         [--request-rate N] [--token-rate N] [--json]
  bankfeed customers list [--json]
  bankfeed customers rotate-secret [--api-key] [--json] CUSTOMER_ID
  bankfeed customers remove CUSTOMER_ID
  bankfeed customers webhook CUSTOMER_ID --url URL [--secret S] [--webhook-allow-private]
  bankfeed customers webhook CUSTOMER_ID --off

Each takes --data and --database as serve does. A customer's secret key and
x-api-key are shown once, by add and rotate-secret: bankfeed keeps only their
SHA-256. webhook sets where the customer's data is pushed (docs/webhooks.md);
without --secret it makes a signing secret and shows it once.
`

// customers runs `bankfeed customers ...`.
func customers(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, o options) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, customersUsage)
		return ErrUsage
	}
	var cfg storeConfig
	fs := flag.NewFlagSet("bankfeed customers "+args[0], flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(stderr, customersUsage) }
	cfg.register(fs, getenv)
	asJSON := fs.Bool("json", false, "print JSON, for scripts")
	var s tenants.Settings
	var id string
	var rotateAPIKey bool
	switch args[0] {
	case "add":
		fs.StringVar(&s.Name, "name", "", "a label for the customer")
		fs.StringVar(&id, "id", "", "the customerId, a GUID; a new random one when empty")
		fs.BoolVar(&s.TokenOptional, "token-optional", false, "let Authorize run without an authorize token")
		fs.BoolVar(&s.APIKeyOptional, "api-key-optional", false, "let the data endpoints run without the x-api-key")
		fs.IntVar(&s.RequestRate, "request-rate", tenants.DefaultRequestRate, "requests per second; 0 for no bound")
		fs.IntVar(&s.TokenRate, "token-rate", tenants.DefaultTokenRate, "authorize tokens per minute; 0 for no bound")
	case "rotate-secret":
		fs.BoolVar(&rotateAPIKey, "api-key", false, "also make a new x-api-key")
	case "webhook":
		return customerWebhook(ctx, fs, &cfg, args[1:], stdout, stderr, o)
	case "list", "remove":
	default:
		fmt.Fprintf(stderr, "bankfeed customers: unknown command %q\n\n%s", args[0], customersUsage)
		return ErrUsage
	}
	rest, err := parseFlags(fs, args[1:], stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	wantArgs := 0
	if args[0] == "rotate-secret" || args[0] == "remove" {
		wantArgs = 1
	}
	if len(rest) != wantArgs {
		return fmt.Errorf("%w: customers %s takes %d argument(s)\n\n%s", ErrUsage, args[0], wantArgs, customersUsage)
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()

	printKeys := func(keys tenants.Keys, what string) error {
		if *asJSON {
			return json.NewEncoder(stdout).Encode(keys)
		}
		fmt.Fprintf(stdout, "%s\nCustomerId  %s\nSecret      %s\n", what, keys.CustomerID, keys.Secret)
		if keys.APIKey != "" {
			fmt.Fprintf(stdout, "ApiKey      %s\n", keys.APIKey)
		}
		fmt.Fprintln(stdout, "Keep the keys now: bankfeed keeps only their SHA-256 and cannot show them again.")
		return nil
	}
	switch args[0] {
	case "add":
		keys, err := tenants.AddCustomer(ctx, st, id, s, o.now())
		if err != nil {
			return fmt.Errorf("customers add: %w", err)
		}
		return printKeys(keys, "Customer added.")
	case "rotate-secret":
		keys, err := tenants.RotateSecret(ctx, st, rest[0], rotateAPIKey, o.now())
		if err != nil {
			return fmt.Errorf("customers rotate-secret: %w", err)
		}
		return printKeys(keys, "New keys made; the old ones stop working within seconds.")
	case "remove":
		if err := tenants.RemoveCustomer(ctx, st, rest[0]); err != nil {
			return fmt.Errorf("customers remove: %w", err)
		}
		fmt.Fprintf(stdout, "Customer %s removed, with its logins, sessions, data and tokens.\n", strings.ToLower(rest[0]))
		return nil
	}
	list, err := st.Customers(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		type row struct {
			CustomerId     string
			Name           string
			TokenRequired  bool
			APIKeyRequired bool `json:"ApiKeyRequired"`
			RequestRate    int
			TokenRate      int
			Sandbox        bool
			CreatedAt      time.Time
		}
		rows := []row{}
		for _, c := range list {
			rows = append(rows, row{c.ID, c.Name, c.TokenRequired, c.APIKeyRequired, c.RequestRate, c.TokenRate, c.Sandbox, c.CreatedAt})
		}
		return json.NewEncoder(stdout).Encode(rows)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CUSTOMER ID\tNAME\tTOKEN\tX-API-KEY\tREQUESTS/S\tTOKENS/MIN\tCREATED")
	for _, c := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.Name, required(c.TokenRequired), required(c.APIKeyRequired),
			bound(c.RequestRate), bound(c.TokenRate), c.CreatedAt.Format(time.RFC3339))
	}
	return tw.Flush()
}

func required(b bool) string {
	if b {
		return "required"
	}
	return "optional"
}

func bound(n int) string {
	if n == 0 {
		return "no bound"
	}
	return fmt.Sprint(n)
}

const keysUsage = `Usage:
  bankfeed keys generate
      print a new random master key (64 hex digits)
  bankfeed keys rotate [--batch N] [--pause D]
      reseal everything under a new master key while servers run

keys rotate takes --data, --database, --master-key-file and --sandbox as
serve does. With a key file (--master-key-file, or the data directory's
master.key in sandbox mode) it adds a new key at the top of the file, waits
for running servers to seal with it, rewraps every data key and resealed
value under it, then removes the old keys from the file. Interrupted, it is
run again: a file holding several keys is a rotation to its first key, which
it finishes. With BANKFEED_MASTER_KEY it reseals everything under the first
key of the variable; remove the others afterwards.
`

// keys runs `bankfeed keys ...`.
func keys(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, o options) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, keysUsage)
		return ErrUsage
	}
	switch args[0] {
	case "generate":
		key, err := vault.NewKey()
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, hex.EncodeToString(key))
		return nil
	case "rotate":
	default:
		fmt.Fprintf(stderr, "bankfeed keys: unknown command %q\n\n%s", args[0], keysUsage)
		return ErrUsage
	}
	var cfg storeConfig
	fs := flag.NewFlagSet("bankfeed keys rotate", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(stderr, keysUsage) }
	cfg.register(fs, getenv)
	batch := fs.Int("batch", 500, "values resealed per page")
	pause := fs.Duration("pause", 0, "pause between pages, to spare a busy database")
	rest, err := parseFlags(fs, args[1:], stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(rest) > 0 || *batch < 1 {
		return fmt.Errorf("%w: keys rotate takes no argument and a --batch of at least 1", ErrUsage)
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	kr, err := openKeyRing(ctx, cfg, st, log)
	if err != nil {
		return err
	}
	r := &rotation.Rotation{Store: st, Batch: *batch, Pause: *pause, Progress: stdout}
	if kr.file == "" {
		fmt.Fprintf(stdout, "resealing everything under the first key of %s, %08x\n", kr.source, kr.ring.PrimaryID())
		return r.Reseal(ctx, kr.ring)
	}
	return r.RotateFile(ctx, kr.file)
}
