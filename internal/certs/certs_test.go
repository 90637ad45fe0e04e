package certs_test

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/internal/certs"
)

func readCert(t *testing.T, path string) *x509.Certificate {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "CERTIFICATE" {
		t.Fatalf("%s: not a PEM certificate", path)
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestLocalhost checks the files written: the leaf verifies against the
// CA for each loopback name as a server certificate, within its lifetime,
// and a second run refuses to replace them unless forced.
func TestLocalhost(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	now := time.Now()
	if _, err := certs.Localhost(dir, false, now); err != nil {
		t.Fatal(err)
	}
	ca := readCert(t, filepath.Join(dir, certs.CAFile))
	leaf := readCert(t, filepath.Join(dir, certs.CertFile))
	if !ca.IsCA || leaf.IsCA {
		t.Errorf("IsCA: CA %v, leaf %v", ca.IsCA, leaf.IsCA)
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	for _, name := range certs.LocalNames {
		if _, err := leaf.Verify(x509.VerifyOptions{DNSName: name, Roots: roots, CurrentTime: now,
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err != nil {
			t.Errorf("the leaf for %s: %v", name, err)
		}
	}
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: "example.com", Roots: roots, CurrentTime: now}); err == nil {
		t.Error("the leaf verifies for example.com")
	}
	if d := leaf.NotAfter.Sub(now); d > 398*24*time.Hour || d < 396*24*time.Hour {
		t.Errorf("the leaf is valid %v from now, want 397 days", d)
	}
	if _, err := tls.LoadX509KeyPair(filepath.Join(dir, certs.CertFile), filepath.Join(dir, certs.CertKeyFile)); err != nil {
		t.Errorf("the leaf and its key: %v", err)
	}

	if _, err := certs.Localhost(dir, false, now); !errors.Is(err, certs.ErrExists) {
		t.Errorf("a second run: %v, want ErrExists", err)
	}
	// One file alone is enough to refuse.
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, certs.CertKeyFile), []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := certs.Localhost(other, false, now); !errors.Is(err, certs.ErrExists) {
		t.Errorf("over one existing file: %v, want ErrExists", err)
	}
	if _, err := os.Stat(filepath.Join(other, certs.CAFile)); err == nil {
		t.Error("a refused run wrote ca.pem")
	}
	if _, err := certs.Localhost(dir, true, now); err != nil {
		t.Fatalf("--force: %v", err)
	}
	if readCert(t, filepath.Join(dir, certs.CAFile)).Equal(ca) {
		t.Error("--force kept the old CA")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 4 {
		t.Errorf("%d files in the directory after --force, want the 4 (no temporary file left)", len(entries))
	}
}

// TestReloader checks that a changed pair is served from the next
// handshake, and that a pair that does not load (a certificate replaced
// before its key, a file missing) leaves the last good one served.
func TestReloader(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, err := certs.Localhost(dir, false, time.Now()); err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := filepath.Join(dir, certs.CertFile), filepath.Join(dir, certs.CertKeyFile)
	r, err := certs.NewReloader(certFile, keyFile, nil)
	if err != nil {
		t.Fatal(err)
	}
	serial := func() string {
		t.Helper()
		c, err := r.GetCertificate(&tls.ClientHelloInfo{})
		if err != nil || c == nil {
			t.Fatalf("GetCertificate: %v, %v", c, err)
		}
		return c.Leaf.SerialNumber.String()
	}
	first := serial()
	if serial() != first {
		t.Fatal("the certificate changed with no change on disk")
	}

	// A new pair elsewhere; its certificate is copied in first: the pair
	// on disk does not match until the key follows.
	next := t.TempDir()
	if _, err := certs.Localhost(next, false, time.Now()); err != nil {
		t.Fatal(err)
	}
	copyFile := func(from, to string) {
		t.Helper()
		data, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	copyFile(filepath.Join(next, certs.CertFile), certFile)
	if serial() != first {
		t.Error("a certificate without its key was served")
	}
	copyFile(filepath.Join(next, certs.CertKeyFile), keyFile)
	second := serial()
	if second == first || second != readCert(t, filepath.Join(next, certs.CertFile)).SerialNumber.String() {
		t.Errorf("after the key: serial %s, want the new certificate's", second)
	}
	if err := os.Remove(keyFile); err != nil {
		t.Fatal(err)
	}
	if serial() != second {
		t.Error("a missing key changed the certificate served")
	}

	if _, err := certs.NewReloader(certFile, keyFile, nil); err == nil {
		t.Error("NewReloader without the key: no error")
	}
}
