package httpapi

import (
	"net/http"
	"strings"

	"github.com/bankfeed/bankfeed/flinks"
)

// handleAuthorize serves POST /Authorize: a live login, an MFA answer, or a
// cached or live reopen of a saved login.
func (s *Server) handleAuthorize(w http.ResponseWriter, r *http.Request) error {
	var req flinks.AuthorizeRequest
	if err := decodeBody(w, r, &req); err != nil {
		return err
	}
	resp, err := s.auth.Authorize(r.Context(), customerID(r), &req)
	if err != nil {
		return err
	}
	setRequestID(r.Context(), resp.RequestId)
	return writeJSON(w, resp.HttpStatusCode, resp)
}

// handleHealth answers 200 while the database answers.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) error {
	if s.health != nil {
		if err := s.health.Ping(r.Context()); err != nil {
			s.log.Error("health check failed", "err", err)
			return &flinks.Error{HttpStatusCode: http.StatusServiceUnavailable, FlinksCode: flinks.CodeRetryLater,
				Message: "The database does not answer."}
		}
	}
	return writeJSON(w, http.StatusOK, struct {
		HttpStatusCode int
		Status         string
	}{http.StatusOK, "ok"})
}

// customerID is the {customerId} of the path, as sent.
func customerID(r *http.Request) string {
	return strings.TrimSpace(r.PathValue("customerId"))
}
