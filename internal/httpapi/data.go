package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/accounts"
)

// handleAccountsDetail serves GetAccountsDetail and, async, its *Async twin.
func (s *Server) handleAccountsDetail(async bool) handlerFunc {
	return s.dataHandler(accounts.OpAccountsDetail, async, func(ctx context.Context, customerID string, call accounts.Call) (*accounts.Data, any, error) {
		d, accts, err := s.accounts.AccountsDetail(ctx, customerID, call)
		if err != nil {
			return nil, nil, err
		}
		resp := &flinks.AccountsDetailResponse{
			HttpStatusCode: http.StatusOK, Accounts: accts,
			InstitutionName: d.Institution.Name, Login: accounts.Login(d.Login), InstitutionId: d.Institution.ID,
			Institution: d.Institution.Name, RequestId: d.RequestID, Tag: d.Tag,
		}
		if d.AccountsJSON != nil {
			return d, &detailBody{resp: resp, accounts: d.AccountsJSON}, nil
		}
		return d, resp, nil
	})
}

// summaryLinks are the Links of a GetAccountsSummary 200.
var summaryLinks = []flinks.Link{
	{Rel: "AccountsDetail", Href: "/GetAccountsDetail"},
	{Rel: "Statements", Href: "/GetStatements"},
}

// handleAccountsSummary serves GetAccountsSummary and, async, its *Async
// twin.
func (s *Server) handleAccountsSummary(async bool) handlerFunc {
	return s.dataHandler(accounts.OpAccountsSummary, async, func(ctx context.Context, customerID string, call accounts.Call) (*accounts.Data, any, error) {
		d, accts, err := s.accounts.AccountsSummary(ctx, customerID, call)
		if err != nil {
			return nil, nil, err
		}
		return d, &flinks.AccountsSummaryResponse{
			HttpStatusCode: http.StatusOK, Accounts: accts, Links: summaryLinks,
			InstitutionName: d.Institution.Name, Login: accounts.Login(d.Login), InstitutionId: d.Institution.ID,
			Institution: d.Institution.Name, RequestId: d.RequestID, Tag: d.Tag,
		}, nil
	})
}

// handleStatements serves GetStatements and, async, its *Async twin.
func (s *Server) handleStatements(async bool) handlerFunc {
	return s.dataHandler(accounts.OpStatements, async, func(ctx context.Context, customerID string, call accounts.Call) (*accounts.Data, any, error) {
		d, byAccount, err := s.accounts.Statements(ctx, customerID, call)
		if err != nil {
			return nil, nil, err
		}
		return d, &flinks.StatementsResponse{
			HttpStatusCode: http.StatusOK, StatementsByAccount: byAccount, Login: accounts.Login(d.Login),
			Institution: d.Institution.Name, RequestId: d.RequestID, Tag: d.Tag,
		}, nil
	})
}

// dataBody serves one data call and builds its 200 body.
type dataBody func(ctx context.Context, customerID string, call accounts.Call) (*accounts.Data, any, error)

// dataHandler serves one data endpoint, direct (POST with a body) or *Async
// (GET, or POST with a body, and the RequestId in the path).
func (s *Server) dataHandler(op accounts.Op, async bool, serve dataBody) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		call := accounts.Call{Op: op, Async: async, RequestID: r.PathValue("requestId")}
		if r.Method != http.MethodGet {
			call.Request = &flinks.DataRequest{}
			if err := s.decodeBody(w, r, call.Request); err != nil {
				return err
			}
		}
		d, resp, err := serve(r.Context(), customerID(r), call)
		if err != nil {
			return withAsyncLink(err, op)
		}
		// A 200 answers for the session the call named, and its login.
		id := call.RequestID
		if id == "" {
			id = call.Request.RequestId
		}
		setRequestID(r.Context(), strings.TrimSpace(id))
		setLoginID(r.Context(), d.Login.ID)
		return writeJSON(w, http.StatusOK, resp)
	}
}

// withAsyncLink points a 202 at the *Async endpoint that continues it.
func withAsyncLink(err error, op accounts.Op) error {
	var fe *flinks.Error
	if errors.As(err, &fe) && fe.RequestId != "" &&
		(fe.FlinksCode == flinks.CodeOperationPending || fe.FlinksCode == flinks.CodeOperationDispatched) {
		fe.Links = []flinks.Link{{Rel: string(op) + "Async", Href: "/" + string(op) + "Async/" + fe.RequestId}}
	}
	return err
}
