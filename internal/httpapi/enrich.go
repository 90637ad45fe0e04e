package httpapi

import (
	"net/http"
	"strings"

	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/accounts"
	"github.com/bankfeed/bankfeed/internal/enrich"
)

// enrichData reads the login's accounts through the accounts service, so
// that an enrichment call gets exactly GetAccountsDetail's session check:
// the same 202 while the data is fetched and the same errors for unknown,
// foreign and expired RequestIds. The LoginId of the path must be the
// session's: another customer's or another login's is refused.
func (s *Server) enrichData(r *http.Request) (*accounts.Data, []flinks.AccountDetail, error) {
	call := accounts.Call{Op: accounts.OpAccountsDetail, Async: true, RequestID: r.PathValue("requestId")}
	d, accts, err := s.accounts.AccountsDetail(r.Context(), customerID(r), call)
	if err != nil {
		return nil, nil, err
	}
	if !strings.EqualFold(strings.TrimSpace(r.PathValue("loginId")), d.Login.ID) {
		return nil, nil, &flinks.Error{FlinksCode: flinks.CodeInvalidLogin, RequestId: d.RequestID,
			Message: "The LoginId of the path is not the login of this RequestId."}
	}
	return d, accts, nil
}

// handleAttributes serves one attributes package: the card computed from
// the session's snapshot, as of the live login that fetched it, so that one
// snapshot always answers the same card.
func (s *Server) handleAttributes(pkg enrich.Package) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		d, accts, err := s.enrichData(r)
		if err != nil {
			return err
		}
		setRequestID(r.Context(), d.RequestID)
		return writeJSON(w, http.StatusOK, &flinks.AttributesResponse{HttpStatusCode: http.StatusOK,
			Card: enrich.Card(pkg, d.Login.ID, accts, d.Login.LastRefresh), Login: accounts.Login(d.Login), RequestId: d.RequestID})
	}
}

// handleCategorization serves the categorization of every transaction.
func (s *Server) handleCategorization(w http.ResponseWriter, r *http.Request) error {
	d, accts, err := s.enrichData(r)
	if err != nil {
		return err
	}
	out := []flinks.CategorizedTransaction{}
	for _, a := range accts {
		for _, t := range a.Transactions {
			out = append(out, flinks.CategorizedTransaction{AccountId: a.Id, Category: enrich.Categorize(t), Transaction: t})
		}
	}
	setRequestID(r.Context(), d.RequestID)
	return writeJSON(w, http.StatusOK, &flinks.CategorizationResponse{HttpStatusCode: http.StatusOK,
		Transactions: out, Login: accounts.Login(d.Login), RequestId: d.RequestID})
}
