// Package httpapi is bankfeed's HTTP surface: the Flinks v3 BankingServices
// routes (routes.go, one to a line), request decoding, every response body
// with its status and Links, and the one renderer of errors through the one
// table from FlinksCode to HTTP status. The services below it return
// results and *flinks.Error values, never wire bodies.
package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/accounts"
	"github.com/bankfeed/bankfeed/internal/authorize"
	"github.com/bankfeed/bankfeed/internal/faults"
	"github.com/bankfeed/bankfeed/internal/inspector"
	"github.com/bankfeed/bankfeed/internal/institutions"
	"github.com/bankfeed/bankfeed/internal/journal"
	"github.com/bankfeed/bankfeed/internal/logins"
	"github.com/bankfeed/bankfeed/internal/provision"
	"github.com/bankfeed/bankfeed/internal/refresh"
	"github.com/bankfeed/bankfeed/internal/reset"
	"github.com/bankfeed/bankfeed/internal/tenants"
	"github.com/bankfeed/bankfeed/internal/vclock"
	"github.com/bankfeed/bankfeed/internal/webhooks"
)

// Pinger reports whether the database answers, for /healthz; both stores
// implement it.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Observer is told of every request served, for the metrics: the route
// pattern that matched ("" when none did), the status, the FlinksCode of
// the body ("" for a success) and how long the request took.
type Observer interface {
	ObserveRequest(pattern string, status int, code flinks.Code, d time.Duration)
}

// Deps are the dependencies of the HTTP surface: the services it serves,
// each built once by the composition root.
type Deps struct {
	Authorize    *authorize.Service
	Accounts     *accounts.Service
	Logins       *logins.Service
	Refresh      *refresh.Service
	Institutions *institutions.Registry
	Tenants      *tenants.Tenants
	Webhooks     *webhooks.Service
	Health       Pinger
	// Ready are the checks of /readyz, and Version the version it reports.
	Ready   []ReadyCheck
	Version string
	// Observer, when set, is told of every request.
	Observer Observer
	Logger   *slog.Logger
	// Faults applies the sandbox's fault rules; nil for none.
	Faults *faults.Service
	// Journal records the API's requests; nil for none.
	Journal *journal.Recorder
	// Inspector reads the saved logins for the control surface.
	Inspector *inspector.Service
	// Sandbox serves the sandbox control surface (/sandbox/v1/); AdminKey,
	// when set, serves it outside sandbox mode too, and is required by it.
	Sandbox  bool
	AdminKey string
	// Clock is the sandbox's virtual clock, served on the control surface;
	// nil when the surface is not served.
	Clock *vclock.Clock
	// Reset empties customers' state, on the control surface.
	Reset *reset.Service
	// Provision saves logins without a person, on the control surface.
	Provision *provision.Service
	// MaxBody is the largest request body accepted; DefaultMaxBody when
	// zero.
	MaxBody int64
	// Connect serves the Connect widget (/v2/); nil: not served.
	Connect http.Handler
}

// Server is the HTTP surface of bankfeed.
type Server struct {
	patterns     []string // of every route, for Patterns
	auth         *authorize.Service
	accounts     *accounts.Service
	logins       *logins.Service
	refresh      *refresh.Service
	institutions *institutions.Registry
	tenants      *tenants.Tenants
	webhooks     *webhooks.Service
	faults       *faults.Service
	journal      *journal.Recorder
	inspector    *inspector.Service
	sandbox      bool
	adminKey     string
	clock        *vclock.Clock
	reset        *reset.Service
	provision    *provision.Service
	health       Pinger
	ready        []ReadyCheck
	version      string
	observer     Observer
	log          *slog.Logger
	maxBody      int64
	mux          *http.ServeMux
	connect      http.Handler
}

// New returns the HTTP handler of bankfeed.
func New(d Deps) *Server {
	s := &Server{auth: d.Authorize, accounts: d.Accounts, logins: d.Logins, refresh: d.Refresh, institutions: d.Institutions,
		tenants: d.Tenants, webhooks: d.Webhooks, faults: d.Faults, journal: d.Journal, inspector: d.Inspector,
		sandbox: d.Sandbox, adminKey: d.AdminKey, clock: d.Clock, reset: d.Reset, provision: d.Provision, health: d.Health,
		ready: d.Ready, version: d.Version, observer: d.Observer, log: d.Logger, maxBody: d.MaxBody,
		mux: http.NewServeMux(), connect: d.Connect}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.maxBody <= 0 {
		s.maxBody = DefaultMaxBody
	}
	s.routes()
	return s
}

// handle registers h for pattern, remembering the pattern for Patterns.
func (s *Server) handle(pattern string, h http.Handler) {
	s.mux.Handle(pattern, h)
	s.patterns = append(s.patterns, pattern)
}

// Patterns returns the pattern of every route, as registered: the test that
// holds the OpenAPI document to the routes reads it.
func (s *Server) Patterns() []string { return slices.Clone(s.patterns) }

// handlerFunc is a handler that returns its error; adapt renders it.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// ServeHTTP routes a request, logs it, and turns a panic into a 500.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	info := &requestInfo{}
	r = r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, info))
	var pattern string // the route's; empty for none
	canonicalizePath(r)
	out, journaled := s.journalStart(rec, r, start)
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("panic", "method", r.Method, "path", r.URL.Path, "panic", p)
			if !rec.wrote {
				s.renderError(out, r, errPanic)
			}
		}
		s.log.Info("request", "method", r.Method, "path", r.URL.Path, "status", rec.status,
			"duration_ms", float64(time.Since(start).Microseconds())/1000, "request_id", info.requestID)
		if s.observer != nil {
			s.observer.ObserveRequest(pattern, rec.status, info.code, time.Since(start))
		}
		if journaled != nil {
			journaled(info)
		}
	}()
	var h http.Handler
	h, pattern = s.mux.Handler(r)
	if pattern == "" {
		s.unrouted(out, r, h)
		return
	}
	// Through the mux, not the handler found above: only the mux sets the
	// path values ({customerId}) on the request.
	s.mux.ServeHTTP(out, r)
}

// guard admits a request for its customer with the credential the route
// takes, then runs h with the customer's canonical id in the path.
func (s *Server) guard(cred tenants.Credential, h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var given string
		switch cred {
		case tenants.APIKey, tenants.APIKeyOrToken:
			given = r.Header.Get("x-api-key")
		case tenants.AuthorizeToken, tenants.Secret:
			given = r.Header.Get("flinks-auth-key")
		case tenants.Bearer:
			auth := r.Header.Get("Authorization")
			if len(auth) > 7 && strings.EqualFold(auth[:7], "Bearer ") {
				given = auth[7:]
			}
		}
		id, err := s.tenants.Admit(r.Context(), cred, r.PathValue("customerId"), strings.TrimSpace(given))
		if token := strings.TrimSpace(r.Header.Get("flinks-auth-key")); err != nil && cred == tenants.APIKeyOrToken && token != "" {
			// The Connect widget's reads: a browser holds a token, never
			// the x-api-key.
			id, err = s.tenants.AdmitToken(r.Context(), r.PathValue("customerId"), token, r.PathValue("requestId"))
		}
		if err != nil {
			return err
		}
		r.SetPathValue("customerId", id)
		return h(w, r)
	}
}

// adapt turns a handlerFunc into an http.Handler: a returned error is
// rendered by renderError.
func (s *Server) adapt(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.renderError(w, r, err)
		}
	})
}

// errPanic stands for a handler that panicked, for the log and the 500.
var errPanic = errors.New("httpapi: the handler panicked")

// renderError is the one place an error becomes a response: the error body
// of the table, logged when it is the server's fault.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	body := errorBody(err)
	if body.HttpStatusCode >= 500 {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if body.RequestId != "" {
		setRequestID(r.Context(), body.RequestId)
	}
	setFlinksCode(r.Context(), body.FlinksCode)
	if werr := writeJSON(w, body.HttpStatusCode, body); werr != nil {
		s.log.Error("write error response", "err", werr)
	}
}

// unrouted answers a request no route matched, in the Flinks error shape: a
// 404 for an unknown path, a 405 for a known path with another method.
func (s *Server) unrouted(w http.ResponseWriter, r *http.Request, h http.Handler) {
	// The mux's own handler knows which of the two it is, and the methods
	// the path allows; run it on a recorder and keep only that.
	probe := &probeWriter{header: http.Header{}}
	h.ServeHTTP(probe, r)
	if probe.status == http.StatusMethodNotAllowed {
		allow := probe.header.Get("Allow")
		w.Header().Set("Allow", allow)
		s.renderError(w, r, &flinks.Error{HttpStatusCode: http.StatusMethodNotAllowed,
			FlinksCode: flinks.CodeMethodNotAvailable, Message: "Method " + r.Method + " is not allowed here; use " + allow + "."})
		return
	}
	s.renderError(w, r, &flinks.Error{HttpStatusCode: http.StatusNotFound,
		FlinksCode: flinks.CodeMethodNotAvailable, Message: "No endpoint at " + r.URL.Path + "."})
}

// canonicalOps are the operation names of BankingServices, by lower case, so
// that /v3/{id}/bankingservices/authorize reaches /Authorize as it does on
// Flinks' case-insensitive routing.
var canonicalOps = map[string]string{}

func init() {
	for _, op := range operations {
		canonicalOps[strings.ToLower(op)] = op
	}
}

// canonicalizePath rewrites the case of the fixed segments of a
// BankingServices path.
func canonicalizePath(r *http.Request) {
	p := r.URL.Path
	if len(p) < 4 || !strings.EqualFold(p[:4], "/v3/") {
		return
	}
	parts := strings.SplitN(p, "/", 6) // "", v3, customerId, BankingServices, op, rest
	if len(parts) < 5 || !strings.EqualFold(parts[3], "BankingServices") {
		return
	}
	parts[1], parts[3] = "v3", "BankingServices"
	if op, ok := canonicalOps[strings.ToLower(parts[4])]; ok {
		parts[4] = op
	}
	if len(parts) == 6 && parts[4] == "Institutions" && len(parts[5]) > len("RoutingNumber/") &&
		strings.EqualFold(parts[5][:len("RoutingNumber/")], "RoutingNumber/") {
		parts[5] = "RoutingNumber/" + parts[5][len("RoutingNumber/"):]
	}
	if c := strings.Join(parts, "/"); c != p {
		r.URL.Path, r.URL.RawPath = c, ""
	}
}

// CanonicalPath returns path as the server routes it, the fixed segments
// of a BankingServices path in the case of its routes (and of its OpenAPI
// document): what a validator of the traffic must route too.
func CanonicalPath(path string) string {
	r := &http.Request{URL: &url.URL{Path: path}}
	canonicalizePath(r)
	return r.URL.Path
}

// requestInfo collects what the request log line, the metrics and the
// journal report.
type requestInfo struct {
	requestID string
	// loginID is the login a data call answered for, which its body,
	// too large for the journal to read, does not give it.
	loginID string
	code    flinks.Code
	// cancelled is set when the client went away before the answer.
	cancelled bool
}

type requestInfoKey struct{}

func setFlinksCode(ctx context.Context, code flinks.Code) {
	if info, ok := ctx.Value(requestInfoKey{}).(*requestInfo); ok {
		info.code = code
	}
}

// noteCancelled records that the client went away before the answer.
func noteCancelled(ctx context.Context) {
	if info, ok := ctx.Value(requestInfoKey{}).(*requestInfo); ok {
		info.cancelled = true
	}
}

func setLoginID(ctx context.Context, id string) {
	if info, ok := ctx.Value(requestInfoKey{}).(*requestInfo); ok {
		info.loginID = id
	}
}

func setRequestID(ctx context.Context, id string) {
	if info, ok := ctx.Value(requestInfoKey{}).(*requestInfo); ok {
		info.requestID = id
	}
}

// recorder remembers the status written, for the log.
type recorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.ResponseWriter.Write(b)
}

// probeWriter captures the status and headers of the mux's 404/405 handler.
type probeWriter struct {
	header http.Header
	status int
}

func (p *probeWriter) Header() http.Header { return p.header }
func (p *probeWriter) WriteHeader(code int) {
	if p.status == 0 {
		p.status = code
	}
}
func (p *probeWriter) Write(b []byte) (int, error) {
	if p.status == 0 {
		p.status = http.StatusOK
	}
	return len(b), nil
}
