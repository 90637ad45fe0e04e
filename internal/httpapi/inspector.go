package httpapi

import (
	"errors"
	"net/http"
	"strings"

	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/inspector"
	"github.com/bankfeed/bankfeed/internal/tenants"
)

// handleInspectorPage serves the inspector's page and its files. They are
// served without the admin key, which a browser's page load cannot send:
// they hold nothing but code, and every call the page makes carries the
// key the person gives it. They exist where the control surface does.
func (s *Server) handleInspectorPage(assets http.Handler) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if !s.sandbox && s.adminKey == "" {
			return &flinks.Error{HttpStatusCode: http.StatusNotFound, FlinksCode: flinks.CodeMethodNotAvailable,
				Message: "No endpoint at " + r.URL.Path + "."}
		}
		if name := r.PathValue("file"); name != "" && !inspector.Has(name) {
			return &flinks.Error{HttpStatusCode: http.StatusNotFound, FlinksCode: flinks.CodeMethodNotAvailable,
				Message: "No endpoint at " + r.URL.Path + "."}
		}
		u := *r.URL
		r2 := r.Clone(r.Context())
		r2.URL = &u
		r2.URL.Path = "/" + strings.TrimPrefix(r.URL.Path, "/sandbox/assets/")
		if r.URL.Path == "/sandbox/" {
			r2.URL.Path = "/"
		}
		r2.URL.RawPath = ""
		assets.ServeHTTP(w, r2)
		return nil
	}
}

// LoginsResponse is the body of GET /sandbox/v1/logins.
type LoginsResponse struct {
	Logins []inspector.Login `json:"logins"`
}

// handleLogins lists the saved logins, newest first, with their state and
// last refresh.
func (s *Server) handleLogins(w http.ResponseWriter, r *http.Request) error {
	if s.inspector == nil {
		return errNoInspector
	}
	limit, err := queryInt(r, "limit", 100)
	if err != nil {
		return err
	}
	if limit < 1 || limit > 1000 {
		return clientError(flinks.CodeInvalidRequest, "limit must be between 1 and 1000.")
	}
	ls, err := s.inspector.Logins(r.Context(), r.URL.Query().Get("customer_id"), limit)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, LoginsResponse{Logins: ls})
}

// handleLogin shows one login with its sessions and latest data; the
// customer is the public sandbox customer unless customer_id names
// another.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) error {
	if s.inspector == nil {
		return errNoInspector
	}
	customer := strings.TrimSpace(r.URL.Query().Get("customer_id"))
	if customer == "" {
		customer = tenants.SandboxCustomerID
	}
	d, err := s.inspector.Login(r.Context(), customer, r.PathValue("id"))
	if errors.Is(err, inspector.ErrNoLogin) {
		return &flinks.Error{HttpStatusCode: http.StatusNotFound, FlinksCode: flinks.CodeInvalidRequest,
			Message: "Customer " + strings.ToLower(customer) + " has no login " + r.PathValue("id") + "."}
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, d)
}

var errNoInspector = &flinks.Error{HttpStatusCode: http.StatusNotFound, FlinksCode: flinks.CodeMethodNotAvailable,
	Message: "The saved-login views are not configured on this server."}
