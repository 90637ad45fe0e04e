package httpapi

import (
	"errors"
	"net/http"
	"strings"

	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/accounts"
	"github.com/bankfeed/bankfeed/internal/authorize"
)

// handleAuthorize serves POST /Authorize: a live login, an MFA answer, or a
// cached or live reopen of a saved login.
func (s *Server) handleAuthorize(w http.ResponseWriter, r *http.Request) error {
	res, _, err := s.authorizeCall(w, r, func(req *flinks.AuthorizeRequest) (*authorize.Result, error) {
		return s.auth.Authorize(r.Context(), customerID(r), req)
	})
	if err != nil {
		return err
	}
	resp := authorizeResponse(res)
	return writeJSON(w, resp.HttpStatusCode, resp)
}

// handleAuthorizeAsync serves POST /AuthorizeAsync (reference 5.3), the
// Authorize of clients that poll: a login, a reopen or an answer is
// acknowledged with a 202 and its RequestId, and the RequestId alone
// (no SecurityResponses) then answers where the session stands: its 203
// round, its 200, or its error. bankfeed runs the step before the 202, so
// the first poll has its outcome; a client written for a slower bank
// polls the same way.
func (s *Server) handleAuthorizeAsync(w http.ResponseWriter, r *http.Request) error {
	res, req, err := s.authorizeCall(w, r, func(req *flinks.AuthorizeRequest) (*authorize.Result, error) {
		if req.RequestId != "" && len(req.SecurityResponses) == 0 {
			return s.auth.Status(r.Context(), customerID(r), req.RequestId)
		}
		return s.auth.Authorize(r.Context(), customerID(r), req)
	})
	if err != nil {
		return err
	}
	if req.RequestId != "" && len(req.SecurityResponses) == 0 {
		resp := authorizeResponse(res)
		return writeJSON(w, resp.HttpStatusCode, resp)
	}
	return &flinks.Error{FlinksCode: flinks.CodeOperationPending, RequestId: res.RequestID, Institution: res.Institution.Name, Tag: res.Tag,
		Message: "The Authorize is in progress: call AuthorizeAsync again with this RequestId and no SecurityResponses for its outcome."}
}

// authorizeCall decodes an Authorize body, checks its authorize token,
// runs it, and binds a token it used to the session it opened.
func (s *Server) authorizeCall(w http.ResponseWriter, r *http.Request, run func(req *flinks.AuthorizeRequest) (*authorize.Result, error)) (*authorize.Result, *flinks.AuthorizeRequest, error) {
	var req flinks.AuthorizeRequest
	token := strings.TrimSpace(r.Header.Get("flinks-auth-key"))
	if err := s.decodeBody(w, r, &req); err != nil {
		if refusal := s.tenants.BodyRefusal(r.Context(), customerID(r), token); refusal != nil {
			return nil, nil, refusal
		}
		return nil, nil, err
	}
	if token == "" {
		token = strings.TrimSpace(req.AuthorizeToken)
	}
	use, err := s.tenants.UseToken(r.Context(), customerID(r), token, req.RequestId)
	if err != nil {
		return nil, nil, err
	}
	res, err := run(&req)
	var refused *flinks.Error
	if use != nil && errors.As(err, &refused) && refused.RequestId == "" &&
		(refused.FlinksCode == flinks.CodeInvalidPassword || refused.FlinksCode == flinks.CodeInvalidUsername) {
		// A mistyped password opened nothing: the person may type it
		// again with the same token (tenants.TokenRefusals).
		if rerr := use.Refused(r.Context()); rerr != nil {
			s.log.Warn("authorize token not given back after refused credentials", "err", rerr)
		}
	} else if use != nil {
		// The token opened a session: its follow-up rounds may send it
		// again. An error with a RequestId (a cached replay of a failed
		// refresh) opened one too.
		id := ""
		var fe *flinks.Error
		if err == nil {
			id = res.RequestID
		} else if errors.As(err, &fe) {
			id = fe.RequestId
		}
		if id != "" {
			if berr := use.Bind(r.Context(), id); berr != nil {
				s.log.Warn("authorize token not bound to its session", "request_id", id, "err", berr)
			}
		}
	}
	if err != nil {
		return nil, nil, err
	}
	setRequestID(r.Context(), res.RequestID)
	return res, &req, nil
}

// authorizeResponse is the body of an Authorize that did not fail: a 203
// with the round to answer, or a 200 with the login.
func authorizeResponse(res *authorize.Result) *flinks.AuthorizeResponse {
	if !res.Authorized() {
		resp := &flinks.AuthorizeResponse{
			Links: flinks.AuthorizationLinks, HttpStatusCode: 203, Institution: res.Institution.Name,
			RequestId: res.RequestID, Tag: res.Tag,
			SecurityChallenges: make([]flinks.SecurityChallenge, len(res.Challenges)),
		}
		for i, ch := range res.Challenges {
			resp.SecurityChallenges[i] = flinks.SecurityChallenge{Type: ch.Type, Prompt: ch.Prompt, Iterables: ch.Iterables}
		}
		return resp
	}
	return &flinks.AuthorizeResponse{
		Links: flinks.SessionLinks, HttpStatusCode: http.StatusOK, Login: accounts.Login(res.Login),
		Institution: res.Institution.Name, InstitutionName: res.Institution.Name, InstitutionId: res.Institution.ID,
		RequestId: res.RequestID, Tag: res.Tag,
	}
}

// handleAuthorizeMultiple serves POST /AuthorizeMultiple.
func (s *Server) handleAuthorizeMultiple(w http.ResponseWriter, r *http.Request) error {
	var req flinks.AuthorizeMultipleRequest
	if err := s.decodeBody(w, r, &req); err != nil {
		return err
	}
	res, err := s.auth.AuthorizeMultiple(r.Context(), customerID(r), &req)
	if err != nil {
		return err
	}
	resp := &flinks.AuthorizeMultipleResponse{HttpStatusCode: http.StatusOK,
		ValidLoginIds: make([]flinks.LoginRequest, len(res.Valid)), InvalidLoginIds: res.Invalid}
	for i, v := range res.Valid {
		resp.ValidLoginIds[i] = flinks.LoginRequest{LoginId: v.LoginID, RequestId: v.RequestID}
	}
	return writeJSON(w, http.StatusOK, resp)
}

// handleGenerateAuthorizeToken serves POST /GenerateAuthorizeToken: a new
// single-use authorize token, for a request admitted with the secret key.
func (s *Server) handleGenerateAuthorizeToken(w http.ResponseWriter, r *http.Request) error {
	token, err := s.tenants.GenerateToken(r.Context(), customerID(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, &flinks.AuthorizeTokenResponse{HttpStatusCode: http.StatusOK, Token: token})
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
