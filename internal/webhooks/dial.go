package webhooks

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// ErrPrivate is the refusal of a webhook URL on a loopback, link-local or
// private address outside sandbox mode.
var ErrPrivate = errors.New("the address is loopback, link-local or private; bankfeed sends webhooks there only in sandbox mode or with --webhook-allow-private")

// private reports whether a is an address a server must not be made to
// reach on a customer's say: loopback, private (RFC 1918, RFC 4193),
// link-local (cloud metadata services live there), unspecified or
// multicast.
func private(a netip.Addr) bool {
	a = a.Unmap()
	return a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsUnspecified() || a.IsMulticast() ||
		// 100.64.0.0/10, carrier-grade NAT: private in all but name.
		netip.MustParsePrefix("100.64.0.0/10").Contains(a)
}

// CheckURL validates a webhook URL: absolute http or https, with a host,
// no credentials; and unless allowPrivate, not a literal private address
// or localhost. (A name that resolves to a private address is refused
// when dialled: DNS can change after this check.)
func CheckURL(raw string, allowPrivate bool) error {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return fmt.Errorf("webhook URL %q does not parse: %v", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("webhook URL %q must be http or https", raw)
	}
	if u.Host == "" || u.Hostname() == "" {
		return fmt.Errorf("webhook URL %q has no host", raw)
	}
	if u.User != nil {
		return fmt.Errorf("webhook URL %q must not carry credentials: sign with the secret instead", raw)
	}
	if allowPrivate {
		return nil
	}
	host := strings.ToLower(u.Hostname())
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return fmt.Errorf("webhook URL %q: %w", raw, ErrPrivate)
	}
	if a, err := netip.ParseAddr(host); err == nil && private(a) {
		return fmt.Errorf("webhook URL %q: %w", raw, ErrPrivate)
	}
	return nil
}

// maxResponseHeader bounds a receiver's response headers.
const maxResponseHeader = 64 << 10

// newClient returns the HTTP client of deliveries: no redirects followed
// (a receiver answers, it does not send bankfeed elsewhere), no proxy from
// the environment (it would bypass the address check), bounded headers,
// and unless allowPrivate, a dialer that refuses private addresses after
// resolution, so a name cannot be pointed at one.
func newClient(allowPrivate bool) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		d.Control = func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return err
			}
			if private(ap.Addr()) {
				return fmt.Errorf("%s: %w", ap.Addr(), ErrPrivate)
			}
			return nil
		}
	}
	tr := &http.Transport{
		DialContext:            d.DialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           64,
		MaxIdleConnsPerHost:    16,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    10 * time.Second,
		MaxResponseHeaderBytes: maxResponseHeader,
	}
	return &http.Client{
		Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}
