package httpapi

import (
	"errors"
	"net/http"
	"strings"

	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/reset"
)

// ResetRequest is the body of POST /sandbox/v1/reset; no body, or no
// customer_id, resets every customer.
type ResetRequest struct {
	CustomerID *string `json:"customer_id"`
}

// ResetResponse is its answer: the customer reset (empty for every one),
// and what was deleted, by kind.
type ResetResponse struct {
	CustomerID string       `json:"customer_id,omitempty"`
	Deleted    reset.Counts `json:"deleted"`
}

// handleReset deletes a customer's state, or every customer's.
func (s *Server) handleReset(w http.ResponseWriter, r *http.Request) error {
	var req ResetRequest
	if err := s.decodeBody(w, r, &req); err != nil {
		return err
	}
	id := ""
	if req.CustomerID != nil {
		if id = strings.ToLower(strings.TrimSpace(*req.CustomerID)); id == "" {
			// An empty id is more likely a bug than a wish to reset
			// everything: that is asked with no customer_id at all.
			return clientError(flinks.CodeInvalidRequest, "customer_id is empty; send no customer_id to reset every customer.")
		}
	}
	counts, err := s.reset.Reset(r.Context(), id)
	if errors.Is(err, reset.ErrNoCustomer) {
		return &flinks.Error{HttpStatusCode: http.StatusNotFound, FlinksCode: flinks.CodeInvalidRequest,
			Message: "No customer " + id + "."}
	}
	if err != nil {
		return err
	}
	if s.faults != nil {
		// After the reset's transaction: the rules are the faults
		// service's, which keeps a copy of them in memory on SQLite.
		n, err := s.faults.Clear(r.Context(), id)
		if err != nil {
			return err
		}
		counts["faults"] = n
	}
	return writeJSON(w, http.StatusOK, ResetResponse{CustomerID: id, Deleted: counts})
}
