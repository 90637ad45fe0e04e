package httpapi

import (
	"errors"
	"net/http"
	"strings"

	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/provision"
	"github.com/bankfeed/bankfeed/internal/tenants"
)

// CreateLoginRequest is the body of POST /sandbox/v1/logins.
type CreateLoginRequest struct {
	// CustomerID is the customer the login is saved for; the public
	// sandbox customer when empty.
	CustomerID  string `json:"customer_id"`
	Institution string `json:"institution"`
	Username    string `json:"username"`
	Password    string `json:"password"`
	// Answers answers the bank's challenges by prompt; the sandbox bank
	// answers those it knows itself.
	Answers         map[string][]string `json:"answers"`
	ScheduleRefresh flinks.Bool         `json:"schedule_refresh"`
}

// CreateLoginResponse is its answer: the saved login, and a RequestId whose
// data is already fetched.
type CreateLoginResponse struct {
	LoginId   string
	RequestId string
}

// handleCreateLogin saves a login through the conversation a live
// /Authorize runs, and answers once its data is fetched.
func (s *Server) handleCreateLogin(w http.ResponseWriter, r *http.Request) error {
	var req CreateLoginRequest
	if err := s.decodeBody(w, r, &req); err != nil {
		return err
	}
	id := strings.ToLower(strings.TrimSpace(req.CustomerID))
	if id == "" {
		id = tenants.SandboxCustomerID
	}
	login, err := s.provision.Create(r.Context(), provision.Request{CustomerID: id, Institution: req.Institution,
		Username: req.Username, Password: req.Password, Answers: req.Answers, ScheduleRefresh: bool(req.ScheduleRefresh)})
	if errors.Is(err, provision.ErrNoCustomer) {
		return &flinks.Error{HttpStatusCode: http.StatusNotFound, FlinksCode: flinks.CodeInvalidRequest,
			Message: "No customer " + id + "."}
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, CreateLoginResponse{LoginId: login.LoginID, RequestId: login.RequestID})
}
