package app_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/client"
	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/app"
)

// certsLocalhost runs `bankfeed certs localhost --dir dir` with more
// flags.
func certsLocalhost(t *testing.T, dir string, flags ...string) (string, error) {
	t.Helper()
	var stdout bytes.Buffer
	err := app.Main(context.Background(), append([]string{"certs", "localhost", "--dir", dir}, flags...),
		func(string) string { return "" }, &stdout, testLogWriter{t})
	return stdout.String(), err
}

// trusting returns an HTTP client that trusts only the CA in caFile, and
// opens a new connection for every request.
func trusting(t *testing.T, caFile string) *http.Client {
	t.Helper()
	caPEM, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		t.Fatalf("%s holds no certificate", caFile)
	}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool}, DisableKeepAlives: true}}
}

// TestTLS writes a local CA and certificate with `bankfeed certs
// localhost`, serves HTTPS with them, and runs a session with the SDK
// trusting only that CA; then replaces the files on disk (--force, a new
// CA) and checks that a new connection gets the new certificate, without
// a restart.
func TestTLS(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "certs")
	out, err := certsLocalhost(t, dir)
	if err != nil {
		t.Fatalf("certs localhost: %v", err)
	}
	if !strings.Contains(out, "--tls-cert "+filepath.ToSlash(filepath.Join(dir, "localhost.pem"))) {
		t.Errorf("certs localhost printed %q, without the serve flags", out)
	}
	for name, mode := range map[string]os.FileMode{"ca.pem": 0o644, "ca-key.pem": 0o600, "localhost.pem": 0o644,
		"localhost-key.pem": 0o600} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		// The umask may take bits away, never add them.
		if fi.Mode().Perm()&^mode != 0 || fi.Mode().Perm()&0o600 != 0o600 {
			t.Errorf("%s has mode %v, want %v", name, fi.Mode().Perm(), mode)
		}
	}
	caBefore, _ := os.ReadFile(filepath.Join(dir, "ca.pem"))
	if _, err := certsLocalhost(t, dir); err == nil {
		t.Error("certs localhost over existing files: no error")
	}
	if now, _ := os.ReadFile(filepath.Join(dir, "ca.pem")); !bytes.Equal(now, caBefore) {
		t.Error("certs localhost without --force changed ca.pem")
	}

	s := startServerArgs(t, "", nil, "--tls-cert", filepath.Join(dir, "localhost.pem"), "--tls-key",
		filepath.Join(dir, "localhost-key.pem"))
	base := "https://" + strings.TrimPrefix(s.url, "http://")
	c, err := client.New(base, sandboxCustomer, client.WithHTTPClient(trusting(t, filepath.Join(dir, "ca.pem"))))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	resp, err := c.AuthorizeWithMFA(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "Greatday",
		Password: "Everyday", Save: true}, answerSandbox)
	if err != nil {
		t.Fatalf("Authorize over HTTPS: %v", err)
	}
	if _, err := c.AccountsDetailReady(ctx, flinks.DataRequest{RequestId: resp.RequestId}, fastPoll...); err != nil {
		t.Fatalf("GetAccountsDetail over HTTPS: %v", err)
	}
	// Plain HTTP on the HTTPS port is refused.
	if res, err := http.Get(s.url + "/healthz"); err == nil {
		res.Body.Close()
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("plain HTTP on the HTTPS port: %d", res.StatusCode)
		}
	}
	// A client that does not trust the CA cannot connect.
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("a client trusting only the system roots connected")
	}

	// New files on disk: a new CA and certificate. The next connection
	// is served the new certificate, which the old CA does not vouch for.
	oldCA := trusting(t, filepath.Join(dir, "ca.pem"))
	if _, err := certsLocalhost(t, dir, "--force"); err != nil {
		t.Fatalf("certs localhost --force: %v", err)
	}
	if now, _ := os.ReadFile(filepath.Join(dir, "ca.pem")); bytes.Equal(now, caBefore) {
		t.Fatal("certs localhost --force did not replace ca.pem")
	}
	newCA := trusting(t, filepath.Join(dir, "ca.pem"))
	res, err := newCA.Get(base + "/readyz")
	if err != nil {
		t.Fatalf("a client trusting the new CA: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || res.TLS == nil || len(res.TLS.PeerCertificates) == 0 {
		t.Fatalf("GET /readyz with the new CA: %d", res.StatusCode)
	}
	served := res.TLS.PeerCertificates[0]
	leafPEM, _ := os.ReadFile(filepath.Join(dir, "localhost.pem"))
	if !served.Equal(parseCert(t, leafPEM)) {
		t.Error("the server did not serve the certificate now on disk")
	}
	var verr *tls.CertificateVerificationError
	if _, err := oldCA.Get(base + "/readyz"); !errors.As(err, &verr) {
		t.Errorf("a client trusting only the old CA, after the reload: %v, want a certificate verification error", err)
	}
	// And the SDK, trusting the new CA, carries on with the session.
	c2, err := client.New(base, sandboxCustomer, client.WithHTTPClient(newCA))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c2.AuthorizeCached(ctx, resp.Login.Id); err != nil {
		t.Errorf("cached Authorize after the reload: %v", err)
	}
}

func parseCert(t *testing.T, pemBytes []byte) *x509.Certificate {
	t.Helper()
	block, _ := pem.Decode(pemBytes)
	if block == nil || block.Type != "CERTIFICATE" {
		t.Fatalf("not a PEM certificate: %q", pemBytes)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// TestOperabilityFlags checks the usage errors of the flags of issue 17,
// and that a TLS pair that does not load stops the server at start.
func TestOperabilityFlags(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	serve := func(env map[string]string, args ...string) error {
		t.Helper()
		args = append([]string{"serve", "--addr", "127.0.0.1:0", "--data", dir}, args...)
		return app.Main(t.Context(), args, func(k string) string { return env[k] }, &bytes.Buffer{}, testLogWriter{t})
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
	}{
		{"cert without key", nil, []string{"--tls-cert", "c.pem"}},
		{"key without cert", nil, []string{"--tls-key", "k.pem"}},
		{"negative drain", nil, []string{"--drain-delay", "-1s"}},
		{"drain too long", nil, []string{"--drain-delay", "6m"}},
		{"drain variable not a duration", map[string]string{"BANKFEED_DRAIN_DELAY": "soon"}, nil},
	} {
		if err := serve(tc.env, tc.args...); !errors.Is(err, app.ErrUsage) {
			t.Errorf("%s: %v, want a usage error", tc.name, err)
		}
	}
	if err := serve(nil, "--tls-cert", filepath.Join(dir, "none.pem"), "--tls-key", filepath.Join(dir, "none-key.pem")); err == nil ||
		errors.Is(err, app.ErrUsage) || !strings.Contains(err.Error(), "--tls-cert") {
		t.Errorf("missing TLS files: %v, want an error naming --tls-cert", err)
	}
	var stdout bytes.Buffer
	if err := app.Main(t.Context(), []string{"certs"}, func(string) string { return "" }, &stdout, &bytes.Buffer{}); !errors.Is(err, app.ErrUsage) {
		t.Errorf("bankfeed certs: %v, want a usage error", err)
	}
}
