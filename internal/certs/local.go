package certs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// The files Localhost writes in its directory.
const (
	CAFile      = "ca.pem"
	CAKeyFile   = "ca-key.pem"
	CertFile    = "localhost.pem"
	CertKeyFile = "localhost-key.pem"
)

// Lifetimes: the CA lives long, as integrators add it to their trust
// stores once; the leaf no longer than the 397 days browsers and Apple's
// TLS clients accept.
const (
	caLifetime   = 10 * 365 * 24 * time.Hour
	leafLifetime = 397 * 24 * time.Hour
)

// LocalNames are the names the localhost certificate is valid for.
var LocalNames = []string{"localhost", "127.0.0.1", "::1"}

// ErrExists is returned by Localhost when a file it would write exists
// and force is false.
var ErrExists = errors.New("certs: the file exists")

// Localhost writes in dir a new certificate authority (CAFile, CAKeyFile)
// and a certificate for LocalNames signed by it (CertFile, CertKeyFile),
// the keys readable by their owner only. It writes nothing if one of the
// files exists, unless force; then it replaces each file whole (a new file
// renamed over the old), so that a server reloading them never reads half
// of one. It returns the paths written.
func Localhost(dir string, force bool, now time.Time) ([]string, error) {
	paths := []string{filepath.Join(dir, CAFile), filepath.Join(dir, CAKeyFile), filepath.Join(dir, CertFile),
		filepath.Join(dir, CertKeyFile)}
	if !force {
		for _, p := range paths {
			if _, err := os.Stat(p); err == nil {
				return nil, fmt.Errorf("%w: %s (--force replaces it)", ErrExists, p)
			} else if !errors.Is(err, fs.ErrNotExist) {
				return nil, err
			}
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}

	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	caSerial, err := serial()
	if err != nil {
		return nil, err
	}
	start := now.Add(-time.Hour) // a client whose clock is a little behind
	ca := &x509.Certificate{
		SerialNumber:          caSerial,
		Subject:               pkix.Name{Organization: []string{"bankfeed local CA"}, CommonName: "bankfeed local CA " + now.UTC().Format("2006-01-02 15:04:05")},
		NotBefore:             start,
		NotAfter:              now.Add(caLifetime),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	leafSerial, err := serial()
	if err != nil {
		return nil, err
	}
	leaf := &x509.Certificate{
		SerialNumber: leafSerial,
		Subject:      pkix.Name{Organization: []string{"bankfeed local certificate"}, CommonName: "localhost"},
		NotBefore:    start,
		NotAfter:     now.Add(leafLifetime),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, n := range LocalNames {
		if ip := net.ParseIP(n); ip != nil {
			leaf.IPAddresses = append(leaf.IPAddresses, ip)
		} else {
			leaf.DNSNames = append(leaf.DNSNames, n)
		}
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	if err != nil {
		return nil, err
	}

	caKeyDER, err := x509.MarshalPKCS8PrivateKey(caKey)
	if err != nil {
		return nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	// The keys first and the certificates last: a server reloading
	// between two renames finds a pair that does not match, and keeps the
	// previous one until the last rename.
	files := []struct {
		path  string
		block *pem.Block
		mode  os.FileMode
	}{
		{paths[1], &pem.Block{Type: "PRIVATE KEY", Bytes: caKeyDER}, 0o600},
		{paths[3], &pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}, 0o600},
		{paths[0], &pem.Block{Type: "CERTIFICATE", Bytes: caDER}, 0o644},
		{paths[2], &pem.Block{Type: "CERTIFICATE", Bytes: leafDER}, 0o644},
	}
	for _, f := range files {
		if err := writeFile(f.path, pem.EncodeToMemory(f.block), f.mode, force); err != nil {
			return nil, err
		}
	}
	return paths, nil
}

// writeFile writes data to path with mode: through a new file renamed over
// path when replacing, created exclusively otherwise (so that two runs at
// once cannot both write).
func writeFile(path string, data []byte, mode os.FileMode, replace bool) error {
	if !replace {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%w: %s (--force replaces it)", ErrExists, path)
		}
		if err != nil {
			return err
		}
		if _, err := f.Write(data); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after the rename, there is nothing there
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// serial is a random 128-bit serial number, as RFC 5280 and the CA/Browser
// Forum ask (at least 64 bits of randomness).
func serial() (*big.Int, error) {
	return rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
}
