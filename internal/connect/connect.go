// Package connect serves bankfeed's Connect widget: the page an integrator
// embeds in an iframe, as they embed Flinks Connect, so that a person picks
// a bank, logs in and answers MFA, and the parent page receives a loginId.
//
// The widget is static HTML, CSS and JavaScript embedded in the binary,
// served under a strict Content-Security-Policy. It is a client of
// bankfeed's own public API (/v3/{customerId}/BankingServices/...), like any
// other: this package holds no engine logic, only the files and the few
// server-side values the page cannot know (the demo customer).
package connect

import (
	"bytes"
	"embed"
	"encoding/json"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/bankfeed/bankfeed/flinks"
)

//go:embed web
var web embed.FS

// Config holds what the widget's pages need from the server.
type Config struct {
	// DemoCustomer is the customer of ?demo=true: the public sandbox
	// customer in sandbox mode; empty when there is none, and demo=true
	// then names no customer.
	DemoCustomer string
}

// widgetCSP is the policy of the widget: nothing but its own files and
// its own API, images as data: URIs (the ImageSelection challenges), and
// any ancestor, since embedding it in an integrator's page is its purpose.
const widgetCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors *"

// demoCSP is the policy of the demo page: it embeds the widget of its own
// origin and is not meant to be embedded itself.
const demoCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"frame-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"

// Handler serves the widget under /v2/.
type Handler struct {
	widget []byte // index.html, rendered once
	demo   []byte
	assets fs.FS
}

// New returns the widget's handler.
func New(cfg Config) (*Handler, error) {
	tmpl, err := template.ParseFS(web, "web/index.html")
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, cfg); err != nil {
		return nil, err
	}
	demo, err := web.ReadFile("web/demo.html")
	if err != nil {
		return nil, err
	}
	assets, err := fs.Sub(web, "web/assets")
	if err != nil {
		return nil, err
	}
	return &Handler{widget: buf.Bytes(), demo: demo, assets: assets}, nil
}

// contentTypes are the types of the assets, by extension: set here, not
// guessed from the system's MIME tables, so nosniff never refuses one.
var contentTypes = map[string]string{
	".js":  "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8",
	".svg": "image/svg+xml",
}

// ServeHTTP serves /v2/ (the widget), /v2/demo (a parent page embedding
// it) and /v2/assets/ (their scripts and styles). Only GET and HEAD.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("X-Content-Type-Options", "nosniff")
	// The widget's URL carries the authorize token: never send it on.
	hdr.Set("Referrer-Policy", "no-referrer")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hdr.Set("Allow", "GET, HEAD")
		writeError(w, http.StatusMethodNotAllowed, "Method "+r.Method+" is not allowed here; use GET, HEAD.")
		return
	}
	p := r.URL.Path
	switch {
	case p == "/v2" || p == "/v2/index.html":
		u := *r.URL
		u.Path = "/v2/"
		http.Redirect(w, r, u.String(), http.StatusMovedPermanently)
	case p == "/v2/":
		page(w, widgetCSP, h.widget)
	case p == "/v2/demo" || p == "/v2/demo/":
		page(w, demoCSP, h.demo)
	case strings.HasPrefix(p, "/v2/assets/"):
		name := strings.TrimPrefix(p, "/v2/assets/")
		ctype, ok := contentTypes[path.Ext(name)]
		data, err := fs.ReadFile(h.assets, name)
		if !ok || err != nil || !fs.ValidPath(name) {
			writeError(w, http.StatusNotFound, "No widget file at "+p+".")
			return
		}
		hdr.Set("Content-Type", ctype)
		hdr.Set("Cache-Control", "no-cache")
		hdr.Set("Content-Security-Policy", "default-src 'none'")
		w.Write(data)
	default:
		writeError(w, http.StatusNotFound, "No page at "+p+"; the widget is at /v2/.")
	}
}

// page writes an HTML page under its policy. Pages are never cached: the
// widget and its scripts change together with the server.
func page(w http.ResponseWriter, csp string, body []byte) {
	hdr := w.Header()
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Content-Security-Policy", csp)
	hdr.Set("Cache-Control", "no-store")
	w.Write(body)
}

// writeError answers in the Flinks error shape, as the API does.
func writeError(w http.ResponseWriter, status int, msg string) {
	body, _ := json.Marshal(&flinks.Error{HttpStatusCode: status, FlinksCode: flinks.CodeMethodNotAvailable, Message: msg})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Del("Cache-Control")
	w.WriteHeader(status)
	w.Write(body)
}

// Origin returns the handler of the widget's own listener (--connect-addr):
// the server's handler for the widget and for the API under /v3/, which
// the widget calls on its own origin and so needs no CORS; a 404 for
// everything else the server serves (the health check, the sandbox
// control surface).
func Origin(server http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if p == "/v2" || strings.HasPrefix(p, "/v2/") || (len(p) >= 4 && strings.EqualFold(p[:4], "/v3/")) {
			server.ServeHTTP(w, r)
			return
		}
		writeError(w, http.StatusNotFound, "No page at "+p+"; this address serves the Connect widget, at /v2/, and the API it calls.")
	})
}
