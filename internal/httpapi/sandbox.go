package httpapi

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"

	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/store"
	"github.com/bankfeed/bankfeed/internal/webhooks"
)

// sandboxBase is the prefix of the sandbox control surface.
const sandboxBase = "/sandbox/v1/"

// control admits a request to the sandbox control surface: served in
// sandbox mode, and outside it only when an admin key is set; the admin
// key, when set, is required as a Bearer token in either mode. Outside
// sandbox mode without an admin key the surface does not exist (404).
func (s *Server) control(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if !s.sandbox && s.adminKey == "" {
			return &flinks.Error{HttpStatusCode: http.StatusNotFound, FlinksCode: flinks.CodeMethodNotAvailable,
				Message: "No endpoint at " + r.URL.Path + "."}
		}
		if s.adminKey != "" {
			auth := r.Header.Get("Authorization")
			given := ""
			if len(auth) > 7 && strings.EqualFold(auth[:7], "Bearer ") {
				given = strings.TrimSpace(auth[7:])
			}
			if subtle.ConstantTimeCompare([]byte(given), []byte(s.adminKey)) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="bankfeed sandbox control"`)
				return &flinks.Error{HttpStatusCode: http.StatusUnauthorized, FlinksCode: flinks.CodeUnauthorized,
					Message: "The sandbox control surface requires the admin key as Authorization: Bearer <key>."}
			}
		}
		return h(w, r)
	}
}

// DeliveriesResponse is the body of GET /sandbox/v1/webhooks/deliveries.
type DeliveriesResponse struct {
	Deliveries []webhooks.View `json:"deliveries"`
}

// handleDeliveries lists the delivery log, newest first.
func (s *Server) handleDeliveries(w http.ResponseWriter, r *http.Request) error {
	limit, err := queryInt(r, "limit", 100)
	if err != nil {
		return err
	}
	if limit < 1 || limit > 1000 {
		return clientError(flinks.CodeInvalidRequest, "limit must be between 1 and 1000.")
	}
	q := store.DeliveryQuery{CustomerID: strings.ToLower(strings.TrimSpace(r.URL.Query().Get("customer_id"))),
		LoginID: strings.TrimSpace(r.URL.Query().Get("login_id")), Limit: limit}
	es, err := s.webhooks.List(r.Context(), q)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, DeliveriesResponse{Deliveries: webhooks.ViewsOf(es)})
}

// handleDelivery shows one delivery with its attempts.
func (s *Server) handleDelivery(w http.ResponseWriter, r *http.Request) error {
	e, err := s.webhooks.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return deliveryError(err)
	}
	return writeJSON(w, http.StatusOK, webhooks.ViewOf(e))
}

// handleReplay queues a delivery to be sent again. The answer shows it
// queued (pending); the attempt is the job workers'.
func (s *Server) handleReplay(w http.ResponseWriter, r *http.Request) error {
	d, err := s.webhooks.Replay(r.Context(), r.PathValue("id"))
	if err != nil {
		return deliveryError(err)
	}
	return s.writeDelivery(w, r, d)
}

// TestRequest is the body of POST /sandbox/v1/webhooks/test.
type TestRequest struct {
	CustomerID string `json:"customer_id"`
}

// handleTestDelivery queues a signed test delivery to a customer's webhook.
func (s *Server) handleTestDelivery(w http.ResponseWriter, r *http.Request) error {
	var req TestRequest
	if err := s.decodeBody(w, r, &req); err != nil {
		return err
	}
	id := strings.ToLower(strings.TrimSpace(req.CustomerID))
	if id == "" {
		return clientError(flinks.CodeInvalidRequest, "customer_id is required.")
	}
	d, err := s.webhooks.Test(r.Context(), id)
	if errors.Is(err, webhooks.ErrNoWebhook) {
		return &flinks.Error{HttpStatusCode: http.StatusNotFound, FlinksCode: flinks.CodeInvalidRequest,
			Message: "Customer " + id + " has no webhook URL (bankfeed customers webhook sets one)."}
	}
	if err != nil {
		return err
	}
	return s.writeDelivery(w, r, d)
}

func (s *Server) writeDelivery(w http.ResponseWriter, r *http.Request, d *store.Delivery) error {
	e, err := s.webhooks.Get(r.Context(), d.ID)
	if err != nil {
		return deliveryError(err)
	}
	return writeJSON(w, http.StatusOK, webhooks.ViewOf(e))
}

// deliveryError turns the webhooks service's refusals into client errors.
func deliveryError(err error) error {
	if errors.Is(err, webhooks.ErrNoDelivery) {
		return &flinks.Error{HttpStatusCode: http.StatusNotFound, FlinksCode: flinks.CodeInvalidRequest, Message: "No such delivery."}
	}
	if errors.Is(err, webhooks.ErrNoBody) {
		return &flinks.Error{HttpStatusCode: http.StatusConflict, FlinksCode: flinks.CodeInvalidRequest, Message: err.Error() + "."}
	}
	return err
}
