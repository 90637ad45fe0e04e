// Package certs serves bankfeed's TLS certificate from PEM files, reloaded
// when they change on disk, and makes a local certificate authority and a
// certificate for the loopback names, for integrators whose clients insist
// on HTTPS.
package certs

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"os"
	"sync"
)

// Reloader serves the certificate and key of two PEM files, read again at
// the first handshake after either file changes: a renewal (certbot, a
// Kubernetes secret, `bankfeed certs localhost --force`) takes effect
// without a restart, for new connections. A pair that does not load (a
// certificate written before its key) leaves the last good one in use
// until it does. It is safe for concurrent use.
type Reloader struct {
	certFile, keyFile string
	log               *slog.Logger

	mu       sync.Mutex
	cert     *tls.Certificate
	certStat os.FileInfo
	keyStat  os.FileInfo
	// badCert and badKey are the stats of the files when they last failed
	// to load: they are not read, nor logged, again until they change.
	badCert, badKey os.FileInfo
}

// NewReloader loads the pair, and fails if it does not load: a server is
// not started with a certificate it cannot serve.
func NewReloader(certFile, keyFile string, log *slog.Logger) (*Reloader, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Reloader{certFile: certFile, keyFile: keyFile, log: log}
	if err := r.reload(); err != nil {
		return nil, err
	}
	return r, nil
}

// GetCertificate is tls.Config.GetCertificate: the pair as it is now on
// disk, or the last one that loaded. Two stats per handshake find a change;
// a handshake costs far more.
func (r *Reloader) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	certStat, certErr := os.Stat(r.certFile)
	keyStat, keyErr := os.Stat(r.keyFile)
	switch {
	case certErr != nil || keyErr != nil:
		// Missing for a moment, while a renewal replaces them: keep going.
		return r.cert, nil
	case same(certStat, r.certStat) && same(keyStat, r.keyStat), same(certStat, r.badCert) && same(keyStat, r.badKey):
		return r.cert, nil
	}
	if err := r.reloadLocked(); err != nil {
		r.badCert, r.badKey = certStat, keyStat
		r.log.Warn("tls: the certificate files changed but do not load; serving the previous certificate", "err", err)
		return r.cert, nil
	}
	r.log.Info("tls: certificate reloaded", "cert", r.certFile, "not_after", r.cert.Leaf.NotAfter)
	return r.cert, nil
}

func (r *Reloader) reload() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.reloadLocked()
}

// reloadLocked reads the pair, keeping what it read with the files' stats
// of before the read: a file replaced during the read is read again at the
// next handshake.
func (r *Reloader) reloadLocked() error {
	certStat, err := os.Stat(r.certFile)
	if err != nil {
		return fmt.Errorf("tls certificate: %w", err)
	}
	keyStat, err := os.Stat(r.keyFile)
	if err != nil {
		return fmt.Errorf("tls key: %w", err)
	}
	cert, err := tls.LoadX509KeyPair(r.certFile, r.keyFile)
	if err != nil {
		return fmt.Errorf("tls: %s and %s: %w", r.certFile, r.keyFile, err)
	}
	r.cert, r.certStat, r.keyStat = &cert, certStat, keyStat
	return nil
}

// same reports whether a file is unchanged: the same file (a renewal often
// renames a new one into place), of the same size and modification time.
func same(now, before os.FileInfo) bool {
	return before != nil && os.SameFile(now, before) && now.Size() == before.Size() && now.ModTime().Equal(before.ModTime())
}
