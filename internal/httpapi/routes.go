package httpapi

import (
	"github.com/bankfeed/bankfeed/internal/authorize"
	"github.com/bankfeed/bankfeed/internal/tenants"
)

// base is the prefix of every Flinks route.
const base = "/v3/{customerId}/BankingServices/"

// operations are the BankingServices operations bankfeed serves, for the
// case-insensitive routing of canonicalizePath.
var operations = []string{"Authorize", "GenerateAuthorizeToken", "SetScheduledRefresh", "GetMFAQuestions", "AnswerMFAQuestions",
	"Institutions", "GetAccountsDetail", "GetAccountsDetailAsync", "GetAccountsSummary", "GetAccountsSummaryAsync",
	"GetStatements", "GetStatementsAsync", "DeleteCard", "AuthorizeMultiple", "GetNightlyRefreshStatus"}

// routes lists every route bankfeed serves, each with the credential it
// takes (reference section 2): the authorize token for /Authorize, the
// secret key for /GenerateAuthorizeToken, and as a Bearer token for
// /GetNightlyRefreshStatus, the x-api-key for the rest.
func (s *Server) routes() {
	route := func(pattern string, cred tenants.Credential, h handlerFunc) {
		s.mux.Handle(pattern, s.adapt(s.guard(cred, h)))
	}
	route("POST "+base+"Authorize", tenants.AuthorizeToken, s.handleAuthorize)
	route("POST "+base+"GenerateAuthorizeToken", tenants.Secret, s.handleGenerateAuthorizeToken)
	route("PATCH "+base+"SetScheduledRefresh", tenants.APIKey, s.handleSetScheduledRefresh)
	route("GET "+base+"GetMFAQuestions/{loginId}", tenants.APIKey, s.handleGetMFAQuestions)
	route("PATCH "+base+"AnswerMFAQuestions", tenants.APIKey, s.handleAnswerMFAQuestions)
	route("GET "+base+"Institutions", tenants.APIKey, s.handleInstitutions)
	route("POST "+base+"AuthorizeMultiple", tenants.APIKey, s.handleAuthorizeMultiple)
	route("DELETE "+base+"DeleteCard/{loginId}", tenants.APIKey, s.handleDeleteCard)
	route("GET "+base+"GetNightlyRefreshStatus", tenants.Bearer, s.handleNightlyRefreshStatus)
	for op, serve := range map[authorize.Op]dataFunc{
		authorize.OpAccountsDetail:  erase(s.data.AccountsDetail),
		authorize.OpAccountsSummary: erase(s.data.AccountsSummary),
		authorize.OpStatements:      erase(s.data.Statements),
	} {
		name := string(op)
		route("POST "+base+name, tenants.APIKey, s.dataHandler(op, serve, false))
		// The *Async twins: GET continues the call answered 202; POST, as
		// some clients send it, may carry the options again.
		route("GET "+base+name+"Async/{requestId}", tenants.APIKey, s.dataHandler(op, serve, true))
		route("POST "+base+name+"Async/{requestId}", tenants.APIKey, s.dataHandler(op, serve, true))
	}
	s.mux.Handle("GET /healthz", s.adapt(s.handleHealth))
}
