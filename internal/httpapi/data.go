package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/authorize"
)

// Data serves the data endpoints, DeleteCard and AuthorizeMultiple;
// *authorize.Service implements it.
type Data interface {
	AccountsDetail(ctx context.Context, customerID string, call authorize.DataCall) (*flinks.AccountsDetailResponse, error)
	AccountsSummary(ctx context.Context, customerID string, call authorize.DataCall) (*flinks.AccountsSummaryResponse, error)
	Statements(ctx context.Context, customerID string, call authorize.DataCall) (*flinks.StatementsResponse, error)
	DeleteCard(ctx context.Context, customerID, loginID string) (string, error)
	AuthorizeMultiple(ctx context.Context, customerID string, req *flinks.AuthorizeMultipleRequest) (*flinks.AuthorizeMultipleResponse, error)
}

var _ Data = (*authorize.Service)(nil)

// dataFunc is one data endpoint of Data, its response type erased.
type dataFunc func(ctx context.Context, customerID string, call authorize.DataCall) (any, error)

func erase[T any](fn func(context.Context, string, authorize.DataCall) (T, error)) dataFunc {
	return func(ctx context.Context, customerID string, call authorize.DataCall) (any, error) {
		return fn(ctx, customerID, call)
	}
}

// dataHandler serves one data endpoint, direct (POST with a body) or *Async
// (GET, or POST with a body, and the RequestId in the path).
func (s *Server) dataHandler(op authorize.Op, serve dataFunc, async bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		call := authorize.DataCall{Op: op, Async: async, RequestID: r.PathValue("requestId")}
		if r.Method != http.MethodGet {
			call.Request = &flinks.DataRequest{}
			if err := s.decodeBody(w, r, call.Request); err != nil {
				return err
			}
		}
		resp, err := serve(r.Context(), customerID(r), call)
		if err != nil {
			return withAsyncLink(err, op)
		}
		// A 200 answers for the session the call named.
		id := call.RequestID
		if id == "" {
			id = call.Request.RequestId
		}
		setRequestID(r.Context(), strings.TrimSpace(id))
		return writeJSON(w, http.StatusOK, resp)
	}
}

// withAsyncLink points a 202 at the *Async endpoint that continues it.
func withAsyncLink(err error, op authorize.Op) error {
	var fe *flinks.Error
	if errors.As(err, &fe) && fe.RequestId != "" &&
		(fe.FlinksCode == flinks.CodeOperationPending || fe.FlinksCode == flinks.CodeOperationDispatched) {
		fe.Links = []flinks.Link{{Rel: string(op) + "Async", Href: "/" + string(op) + "Async/" + fe.RequestId}}
	}
	return err
}

// handleDeleteCard serves DELETE /DeleteCard/{loginId}.
func (s *Server) handleDeleteCard(w http.ResponseWriter, r *http.Request) error {
	msg, err := s.data.DeleteCard(r.Context(), customerID(r), r.PathValue("loginId"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, &flinks.MessageResponse{HttpStatusCode: http.StatusOK, Message: msg})
}

// handleAuthorizeMultiple serves POST /AuthorizeMultiple.
func (s *Server) handleAuthorizeMultiple(w http.ResponseWriter, r *http.Request) error {
	var req flinks.AuthorizeMultipleRequest
	if err := s.decodeBody(w, r, &req); err != nil {
		return err
	}
	resp, err := s.data.AuthorizeMultiple(r.Context(), customerID(r), &req)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, resp)
}
