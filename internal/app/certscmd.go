package app

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/bankfeed/bankfeed/internal/certs"
)

const certsUsage = `Usage:
  bankfeed certs localhost [--dir DIR] [--force]

Writes in DIR (./certs by default) a new local certificate authority,
ca.pem and ca-key.pem, and a certificate for localhost, 127.0.0.1 and ::1
signed by it, localhost.pem and localhost-key.pem; the keys are readable by
their owner only. Trust ca.pem in the client, and run:

  bankfeed serve --tls-cert DIR/localhost.pem --tls-key DIR/localhost-key.pem

It refuses to replace existing files unless --force; a server serving them
picks up the new certificate for its next connections.
`

// certsCommand runs `bankfeed certs`.
func certsCommand(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "localhost" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprint(stdout, certsUsage)
			return nil
		}
		fmt.Fprint(stderr, certsUsage)
		return ErrUsage
	}
	fs := flag.NewFlagSet("bankfeed certs localhost", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(stderr, certsUsage) }
	dir := fs.String("dir", "./certs", "directory to write the files in")
	force := fs.Bool("force", false, "replace the files if they exist")
	rest, err := parseFlags(fs, args[1:], stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("%w: certs localhost takes no argument", ErrUsage)
	}
	// The wall clock, not the application's: clients check a
	// certificate's validity against theirs.
	paths, err := certs.Localhost(*dir, *force, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote the local CA %s (trust it in your client) and %s,\n", paths[0], paths[1])
	fmt.Fprintf(stdout, "and a certificate for localhost, 127.0.0.1 and ::1: %s and %s. Serve it with\n", paths[2], paths[3])
	fmt.Fprintf(stdout, "  bankfeed serve --tls-cert %s --tls-key %s\n", filepath.ToSlash(paths[2]), filepath.ToSlash(paths[3]))
	return nil
}
