package httpapi

import (
	"github.com/bankfeed/bankfeed/internal/enrich"
	"github.com/bankfeed/bankfeed/internal/tenants"
)

// base is the prefix of every Flinks route.
const base = "/v3/{customerId}/BankingServices/"

// operations are the BankingServices operations bankfeed serves, for the
// case-insensitive routing of canonicalizePath.
var operations = []string{"Authorize", "GenerateAuthorizeToken", "SetScheduledRefresh", "GetMFAQuestions", "AnswerMFAQuestions",
	"Institutions", "GetAccountsDetail", "GetAccountsDetailAsync", "GetAccountsSummary", "GetAccountsSummaryAsync",
	"GetStatements", "GetStatementsAsync", "DeleteCard", "AuthorizeMultiple", "GetNightlyRefreshStatus", "FieldMatch",
	"ActivateScheduledRefresh", "DeactivateScheduledRefresh"}

// routes lists every route bankfeed serves, one to a line, each with the
// credential it takes (reference section 2): the authorize token for
// /Authorize, the secret key for /GenerateAuthorizeToken, and as a Bearer
// token for /GetNightlyRefreshStatus, the x-api-key for the rest. The
// *Async twins of the data endpoints: GET continues the call answered 202;
// POST, as some clients send it, may carry the options again.
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
	route("GET "+base+"Institutions/RoutingNumber/{routingNumber}", tenants.APIKey, s.handleRoutingNumber)
	route("PATCH "+base+"ActivateScheduledRefresh/{loginId}", tenants.APIKey, s.handleActivateScheduledRefresh(true))
	route("PATCH "+base+"DeactivateScheduledRefresh/{loginId}", tenants.APIKey, s.handleActivateScheduledRefresh(false))
	route("POST "+base+"AuthorizeMultiple", tenants.APIKey, s.handleAuthorizeMultiple)
	route("DELETE "+base+"DeleteCard/{loginId}", tenants.APIKey, s.handleDeleteCard)
	route("POST "+base+"FieldMatch", tenants.APIKey, s.handleFieldMatch)
	route("GET "+base+"GetNightlyRefreshStatus", tenants.Bearer, s.handleNightlyRefreshStatus)
	route("POST "+base+"GetAccountsDetail", tenants.APIKey, s.handleAccountsDetail(false))
	route("GET "+base+"GetAccountsDetailAsync/{requestId}", tenants.APIKey, s.handleAccountsDetail(true))
	route("POST "+base+"GetAccountsDetailAsync/{requestId}", tenants.APIKey, s.handleAccountsDetail(true))
	route("POST "+base+"GetAccountsSummary", tenants.APIKey, s.handleAccountsSummary(false))
	route("GET "+base+"GetAccountsSummaryAsync/{requestId}", tenants.APIKey, s.handleAccountsSummary(true))
	route("POST "+base+"GetAccountsSummaryAsync/{requestId}", tenants.APIKey, s.handleAccountsSummary(true))
	route("POST "+base+"GetStatements", tenants.APIKey, s.handleStatements(false))
	route("GET "+base+"GetStatementsAsync/{requestId}", tenants.APIKey, s.handleStatements(true))
	route("POST "+base+"GetStatementsAsync/{requestId}", tenants.APIKey, s.handleStatements(true))
	for _, pkg := range enrich.Packages {
		route("GET /v3/{customerId}/insight/login/{loginId}/attributes/{requestId}/"+string(pkg), tenants.APIKey, s.handleAttributes(pkg))
	}
	route("GET /v3/{customerId}/categorization/login/{loginId}/requestid/{requestId}", tenants.APIKey, s.handleCategorization)
	s.mux.Handle("GET /healthz", s.adapt(s.handleHealth))

	// The sandbox control surface (docs/sandbox-control.md): open in sandbox
	// mode, behind the admin key outside it.
	control := func(pattern string, h handlerFunc) { s.mux.Handle(pattern, s.adapt(s.control(h))) }
	control("GET "+sandboxBase+"webhooks/deliveries", s.handleDeliveries)
	control("GET "+sandboxBase+"webhooks/deliveries/{id}", s.handleDelivery)
	control("POST "+sandboxBase+"webhooks/deliveries/{id}/replay", s.handleReplay)
	control("POST "+sandboxBase+"webhooks/test", s.handleTestDelivery)
}
