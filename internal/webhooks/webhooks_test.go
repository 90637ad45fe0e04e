package webhooks

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/internal/store"
)

// TestSign checks the signature against a vector computed independently
// (Python's hmac and base64 modules, as docs/webhooks.md shows them).
func TestSign(t *testing.T) {
	t.Parallel()
	body := []byte(`{"ResponseType":"KYC","HttpStatusCode":200}`)
	const secret = "s3cr3t-é"
	const want = "6YGGYXAPS9LctWC0p2VWZjOtIXvtmuGp42PQD1mAuTs="
	if got := Sign(secret, body); got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
	if !Verify(secret, body, want) {
		t.Error("Verify refuses the right signature")
	}
	for _, bad := range []string{"", "not base64!", Sign("other", body), Sign(secret, append(body, ' '))} {
		if Verify(secret, body, bad) {
			t.Errorf("Verify accepts %q", bad)
		}
	}
	if a, b := NewSecret(), NewSecret(); a == b || !strings.HasPrefix(a, "whsec_") || len(a) != 6+64 {
		t.Errorf("NewSecret = %q, %q", a, b)
	}
}

func TestCheckURL(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		url          string
		allowPrivate bool
		err          string // empty: accepted
	}{
		{"https://hooks.example.com/flinks", false, ""},
		{"http://203.0.113.7:8080/x", false, ""},
		{"http://127.0.0.1:9000/hook", false, "private"},
		{"http://127.0.0.1:9000/hook", true, ""},
		{"http://[::1]/hook", false, "private"},
		{"http://10.0.0.1/hook", false, "private"},
		{"http://192.168.1.20/hook", false, "private"},
		{"http://172.16.5.4/hook", false, "private"},
		{"http://100.64.1.1/hook", false, "private"},
		{"http://169.254.169.254/latest/meta-data", false, "private"},
		{"http://[fe80::1]/hook", false, "private"},
		{"http://[::ffff:127.0.0.1]/hook", false, "private"},
		{"http://0.0.0.0/hook", false, "private"},
		{"http://localhost/hook", false, "private"},
		{"http://api.localhost/hook", false, "private"},
		{"ftp://example.com/x", true, "http or https"},
		{"https://u:p@example.com/x", true, "credentials"},
		{"/relative", true, "http or https"},
		{"http:///nohost", true, "no host"},
		{"http://exa mple.com", true, "does not parse"},
	} {
		err := CheckURL(c.url, c.allowPrivate)
		switch {
		case c.err == "" && err != nil:
			t.Errorf("CheckURL(%q, %v) = %v, want accepted", c.url, c.allowPrivate, err)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("CheckURL(%q, %v) = %v, want an error saying %q", c.url, c.allowPrivate, err, c.err)
		}
		if c.err == "private" && !errors.Is(err, ErrPrivate) {
			t.Errorf("CheckURL(%q) = %v, want ErrPrivate", c.url, err)
		}
	}
}

func TestPrivate(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]bool{
		"127.0.0.1": true, "::1": true, "10.1.2.3": true, "169.254.1.1": true, "fd00::1": true, "::ffff:10.0.0.1": true,
		"224.0.0.1": true, "8.8.8.8": false, "2001:4860:4860::8888": false, "203.0.113.9": false,
	} {
		if got := private(netip.MustParseAddr(addr)); got != want {
			t.Errorf("private(%s) = %v, want %v", addr, got, want)
		}
	}
}

// delivery is a delivery to send in the tests of send.
var delivery = &store.Delivery{ID: "d-1", Body: []byte(`{"ResponseType":"Test"}`)}

// TestSendRefusesPrivateAddresses: outside sandbox mode the dialer refuses
// a loopback receiver, whatever name the URL gave it.
func TestSendRefusesPrivateAddresses(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("a private receiver was reached")
	}))
	defer srv.Close()
	s := New(Config{Timeout: 2 * time.Second})
	for _, url := range []string{srv.URL, strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)} {
		status, msg := s.send(t.Context(), url, "k", delivery, 1)
		if status != 0 || !strings.Contains(msg, "private") {
			t.Errorf("send to %s = %d %q, want refused as private", url, status, msg)
		}
	}
}

// TestSendBounds: a receiver that redirects is not followed, one that is
// slow does not hold the attempt past the timeout, one that answers a huge
// body is read only up to a bound, and a 2xx is the acknowledgement.
func TestSendBounds(t *testing.T) {
	t.Parallel()
	followed := false
	mux := http.NewServeMux()
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/target", http.StatusFound) })
	mux.HandleFunc("/target", func(w http.ResponseWriter, r *http.Request) { followed = true })
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(3 * time.Second):
		}
	})
	mux.HandleFunc("/slow-body", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(3 * time.Second):
		}
	})
	mux.HandleFunc("/huge", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		chunk := []byte(strings.Repeat("x", 1<<20))
		for range 64 { // 64 MiB, if anyone read it
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(SignatureHeader) != Sign("k", delivery.Body) || r.Header.Get(DeliveryHeader) != "d-1" ||
			r.Header.Get(AttemptHeader) != "3" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	s := New(Config{Timeout: 500 * time.Millisecond, AllowPrivate: true})
	for _, c := range []struct {
		path   string
		status int
		msg    string
	}{
		{"/redirect", 302, "redirects are not followed"},
		{"/slow", 0, "no answer within 500ms"},
		{"/slow-body", 200, "did not end within 500ms"},
		{"/huge", 500, "HTTP 500: xxxx"},
		{"/ok", 204, ""},
	} {
		start := time.Now()
		status, msg := s.send(t.Context(), srv.URL+c.path, "k", delivery, 3)
		if status != c.status || (c.msg == "" && msg != "") || !strings.Contains(msg, c.msg) {
			t.Errorf("send %s = %d %q, want %d %q", c.path, status, msg, c.status, c.msg)
		}
		if len(msg) > 300 {
			t.Errorf("send %s: message of %d bytes", c.path, len(msg))
		}
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("send %s took %v with a timeout of 500ms", c.path, took)
		}
	}
	if followed {
		t.Error("the redirect was followed")
	}
}
