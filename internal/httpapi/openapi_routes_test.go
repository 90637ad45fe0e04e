package httpapi_test

import (
	"net/http"

	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/httpapi"
	"github.com/bankfeed/bankfeed/internal/webhooks"
)

// This table is the one place the OpenAPI document's operations are
// described: one entry per route of routes.go, with the same pattern. To add
// a route to the document, add its entry here and run
//
//	go test ./internal/httpapi -run TestOpenAPIDocument -update
//
// TestOpenAPIRoutes fails while a route of the server has no entry, or an
// entry no route; the end-to-end tests fail while a status, a FlinksCode or
// a body the server answers is not the one described here.

// operation describes one route.
type operation struct {
	Pattern     string // as registered in routes.go: "METHOD /path/{param}"
	ID          string // operationId
	Tag         string
	Summary     string
	Description string
	Security    scheme
	// Required: the credential is required of every customer, the public
	// sandbox one too (the secret key is); otherwise that one needs none.
	Required bool
	Body     any // a value of the request body's type; nil for none
	Query    []query
	OK       map[int]any // success statuses, each with a value of its body's type (or a schemaOnly)
	Errors   errs        // error statuses, each with the FlinksCodes it carries
	Refine   map[int]obj // constraints a success status adds to its body's schema
}

// query is a query parameter.
type query struct{ Name, Type, Text string }

// scheme names the credential of an operation.
type scheme string

const (
	secNone       scheme = ""
	schemeAuthKey        = "flinksAuthKey"
	schemeAPIKey         = "apiKey"
	schemeBearer         = "secretBearer"
	schemeAdmin          = "adminBearer"
	secAuthKey    scheme = schemeAuthKey
	secAPIKey     scheme = schemeAPIKey
	secBearer     scheme = schemeBearer
	secAdmin      scheme = schemeAdmin
)

// errs maps an HTTP status to the FlinksCodes an operation answers it with.
type errs map[int][]flinks.Code

// with merges error tables.
func with(tables ...errs) errs {
	out := errs{}
	for _, t := range tables {
		for status, codes := range t {
			out[status] = append(out[status], codes...)
		}
	}
	return out
}

// The error groups the operations share.
var (
	// server: a bug or a connector failure, and a database that is down
	// or too slow (docs/errors.md, choice 11).
	server = errs{http.StatusInternalServerError: {flinks.CodeAggregationError},
		http.StatusServiceUnavailable: {flinks.CodeRetryLater}}
	// admitted: a route behind a customer's credential, rate limited.
	admitted = with(server, errs{http.StatusForbidden: {flinks.CodeTooManyRequests}})
	// apiKey: the x-api-key refusal, and an unknown customerId.
	apiKey = with(admitted, errs{http.StatusUnauthorized: {flinks.CodeAccessDenied}})
	// body: a route that reads a JSON body.
	body = errs{http.StatusBadRequest: {flinks.CodeInvalidRequest},
		http.StatusRequestEntityTooLarge: {flinks.CodeInvalidRequest}}
	// bank: what a connector answers a login with, and a cached reopen
	// replays (docs/errors.md, choice 9).
	bank = errs{http.StatusUnauthorized: {flinks.CodeInvalidUsername, flinks.CodeInvalidPassword, flinks.CodeInvalidSecurityResponse,
		flinks.CodeQuestionNotFound, flinks.CodeRetryLater, flinks.CodeDisabledLogin, flinks.CodeNewAccount, flinks.CodeUnauthorized},
		http.StatusMethodNotAllowed: {flinks.CodeDisabledInstitution}}
	// session: a data call on a RequestId.
	session = errs{http.StatusBadRequest: {flinks.CodeSessionNonexistent},
		http.StatusUnauthorized: {flinks.CodeUnauthorized, flinks.CodeInvalidLogin},
		http.StatusAccepted:     {flinks.CodeOperationPending}}
	// control: the sandbox control surface.
	control = with(server, errs{http.StatusUnauthorized: {flinks.CodeUnauthorized},
		http.StatusNotFound: {flinks.CodeMethodNotAvailable}})
)

// Path parameters' descriptions.
var pathParamText = map[string]string{
	"customerId": "The customer (tenant); the public sandbox customer is 43387ca6-0391-4c82-857d-70d95f087ecb.",
	"loginId":    "A LoginId, from Login.Id of an Authorize 200.",
	"requestId":  "A RequestId of an authorized session.",
	"id":         "A webhook delivery's id.",
}

var tags = []any{
	obj{"name": "Authorize", "description": "Logging in, MFA and sessions (docs/sessions.md)."},
	obj{"name": "Data", "description": "Accounts, transactions and statements of a session (docs/data.md)."},
	obj{"name": "Logins", "description": "Saved logins: MFA answers, scheduled refresh, deletion."},
	obj{"name": "Enrichment", "description": "Attributes, categorization and FieldMatch (docs/enrich.md)."},
	obj{"name": "Sandbox control", "description": "The sandbox control surface (docs/sandbox-control.md)."},
	obj{"name": "Server", "description": "The server itself."},
}

const bs = "/v3/{customerId}/BankingServices/"

// dataOps are a data endpoint and its two *Async twins.
func dataOps(op, summary string, ok any) []operation {
	direct := with(apiKey, body, session, bank, errs{http.StatusAccepted: {flinks.CodeOperationDispatched}})
	async := with(apiKey, session, bank, errs{http.StatusBadRequest: {flinks.CodeInvalidRequest}})
	return []operation{
		{Pattern: "POST " + bs + op, ID: op, Tag: "Data", Summary: summary, Security: secAPIKey,
			Body: flinks.DataRequest{}, OK: map[int]any{200: ok}, Errors: direct,
			Description: "202 while the session's data is being fetched: poll " + op + "Async/{requestId}. " +
				"A fetch that failed answers the FlinksCode it failed with."},
		{Pattern: "GET " + bs + op + "Async/{requestId}", ID: op + "Async", Tag: "Data",
			Summary: summary + ", continuing a call answered 202", Security: secAPIKey,
			OK: map[int]any{200: ok}, Errors: async},
		{Pattern: "POST " + bs + op + "Async/{requestId}", ID: op + "AsyncPost", Tag: "Data",
			Summary: summary + ", continuing a call answered 202, with the options again", Security: secAPIKey,
			Body: flinks.DataRequest{}, OK: map[int]any{200: ok}, Errors: with(async, body)},
	}
}

// attributeOps are the attribute packages, which answer the same card.
func attributeOps() []operation {
	var out []operation
	for _, pkg := range []string{"GetAllAttributes", "GetIncomeAttributes", "GetLendingAttributes", "GetCreditRiskAttributes",
		"GetUserAnalysisAttributes", "GetBusinessAnalysisAttributes"} {
		out = append(out, operation{Pattern: "GET /v3/{customerId}/insight/login/{loginId}/attributes/{requestId}/" + pkg,
			ID: pkg, Tag: "Enrichment", Summary: "The computed attributes of the session's data (every package answers the same card)",
			Security: secAPIKey, OK: map[int]any{200: flinks.AttributesResponse{}}, Errors: with(apiKey, session, bank)})
	}
	return out
}

// operations lists every route bankfeed serves.
func operations() []operation {
	ops := []operation{
		{Pattern: "POST " + bs + "Authorize", ID: "Authorize", Tag: "Authorize", Security: secAuthKey,
			Summary: "Log in with credentials, answer an MFA round, or reopen a saved login (cached or live)",
			Description: "203 asks the SecurityChallenges of a round: answer them with the RequestId and SecurityResponses. " +
				"200 opens the session whose RequestId the data endpoints take.",
			Body: flinks.AuthorizeRequest{}, OK: map[int]any{200: flinks.AuthorizeResponse{}, 203: flinks.AuthorizeResponse{}},
			Refine: map[int]obj{
				200: {"required": []string{"Login", "InstitutionName", "InstitutionId"}, "not": obj{"required": []string{"SecurityChallenges"}}},
				203: {"required": []string{"SecurityChallenges"}, "not": obj{"required": []string{"Login"}}},
			},
			Errors: with(admitted, body, bank, errs{
				http.StatusBadRequest: {flinks.CodeSessionNonexistent, flinks.CodeAlreadyAuthorized, flinks.CodeConcurrentSession},
				http.StatusUnauthorized: {flinks.CodeAccessDenied, flinks.CodeInvalidLogin, flinks.CodeUnknownChallengeKey,
					flinks.CodeSecurityResponsesIncomplete},
			})},
		{Pattern: "POST " + bs + "GenerateAuthorizeToken", ID: "GenerateAuthorizeToken", Tag: "Authorize", Security: secAuthKey, Required: true,
			Summary: "A single-use authorize token for /Authorize, given the secret key",
			OK:      map[int]any{200: flinks.AuthorizeTokenResponse{}},
			Errors:  with(admitted, errs{http.StatusUnauthorized: {flinks.CodeUnauthorized, flinks.CodeAccessDenied}})},
		{Pattern: "POST " + bs + "AuthorizeMultiple", ID: "AuthorizeMultiple", Tag: "Authorize", Security: secAPIKey,
			Summary: "Open a cached session on each of several saved logins",
			Body:    flinks.AuthorizeMultipleRequest{}, OK: map[int]any{200: flinks.AuthorizeMultipleResponse{}},
			Errors: with(apiKey, body)},
		{Pattern: "PATCH " + bs + "SetScheduledRefresh", ID: "SetScheduledRefresh", Tag: "Logins", Security: secAPIKey,
			Summary: "Turn the nightly refresh of a saved login on or off",
			Body:    flinks.SetScheduledRefreshRequest{},
			OK: map[int]any{200: schemaOnly{"type": "string",
				"description": "\"LoginId <id> has now been activated for automatic refresh\" (or deactivated), a bare JSON string as on Flinks."}},
			Errors: with(apiKey, body, errs{http.StatusUnauthorized: {flinks.CodeInvalidLogin}})},
		{Pattern: "GET " + bs + "GetMFAQuestions/{loginId}", ID: "GetMFAQuestions", Tag: "Logins", Security: secAPIKey,
			Summary: "The security questions a saved login has met, for answering them ahead of a refresh",
			OK:      map[int]any{200: flinks.MFAQuestionsResponse{}},
			Errors:  with(apiKey, errs{http.StatusBadRequest: {flinks.CodeInvalidRequest}, http.StatusUnauthorized: {flinks.CodeInvalidLogin}})},
		{Pattern: "PATCH " + bs + "AnswerMFAQuestions", ID: "AnswerMFAQuestions", Tag: "Logins", Security: secAPIKey,
			Summary: "Store answers to a saved login's security questions",
			Body:    flinks.AnswerMFAQuestionsRequest{}, OK: map[int]any{200: flinks.MessageResponse{}},
			Errors: with(apiKey, body, errs{http.StatusUnauthorized: {flinks.CodeInvalidLogin}})},
		{Pattern: "DELETE " + bs + "DeleteCard/{loginId}", ID: "DeleteCard", Tag: "Logins", Security: secAPIKey,
			Summary: "Remove everything about a saved login",
			OK:      map[int]any{200: flinks.MessageResponse{}},
			Errors: with(apiKey, errs{http.StatusBadRequest: {flinks.CodeCardInUse, flinks.CodeInvalidRequest},
				http.StatusUnauthorized: {flinks.CodeInvalidLogin}})},
		{Pattern: "GET " + bs + "GetNightlyRefreshStatus", ID: "GetNightlyRefreshStatus", Tag: "Logins", Security: secBearer, Required: true,
			Summary: "The saved logins with scheduled refresh that the nightly refresh skips, and why",
			OK:      map[int]any{200: flinks.NightlyRefreshStatusResponse{}},
			Errors:  with(admitted, errs{http.StatusUnauthorized: {flinks.CodeUnauthorized, flinks.CodeAccessDenied}})},
		{Pattern: "GET " + bs + "Institutions", ID: "Institutions", Tag: "Authorize", Security: secAPIKey,
			Summary: "The institutions served, a page at a time",
			Query: []query{{"skip", "integer", "institutions to skip (0 by default)"},
				{"take", "integer", "institutions to list, at most 1000 (the default)"}},
			OK:     map[int]any{200: flinks.InstitutionsResponse{}},
			Errors: with(apiKey, errs{http.StatusBadRequest: {flinks.CodeInvalidRequest}})},
		{Pattern: "POST " + bs + "FieldMatch", ID: "FieldMatch", Tag: "Enrichment", Security: secAPIKey,
			Summary: "Score identity fields against the holders of a saved login's latest data",
			Body:    flinks.FieldMatchRequest{}, OK: map[int]any{200: flinks.FieldMatchResponse{}},
			Errors: with(apiKey, body, errs{http.StatusUnauthorized: {flinks.CodeInvalidLogin}})},
		{Pattern: "GET /v3/{customerId}/categorization/login/{loginId}/requestid/{requestId}", ID: "Categorization",
			Tag: "Enrichment", Summary: "Every transaction of the session's data with its category", Security: secAPIKey,
			OK: map[int]any{200: flinks.CategorizationResponse{}}, Errors: with(apiKey, session, bank)},

		{Pattern: "GET /healthz", ID: "Health", Tag: "Server", Summary: "200 while the server runs and its database answers",
			OK: map[int]any{200: struct {
				HttpStatusCode int
				Status         string
			}{}},
			Errors: server},
		{Pattern: "GET /openapi.json", ID: "OpenAPI", Tag: "Server", Summary: "This document",
			OK: map[int]any{200: schemaOnly{"type": "object"}}, Errors: errs{http.StatusInternalServerError: {flinks.CodeAggregationError}}},

		{Pattern: "GET /sandbox/v1/webhooks/deliveries", ID: "ListWebhookDeliveries", Tag: "Sandbox control", Security: secAdmin,
			Summary: "The webhook delivery log, newest first",
			Query: []query{{"limit", "integer", "deliveries to list, 1 to 1000 (100 by default)"},
				{"customer_id", "string", "only this customer's"}, {"login_id", "string", "only this login's"}},
			OK:     map[int]any{200: httpapi.DeliveriesResponse{}},
			Errors: with(control, errs{http.StatusBadRequest: {flinks.CodeInvalidRequest}})},
		{Pattern: "GET /sandbox/v1/webhooks/deliveries/{id}", ID: "GetWebhookDelivery", Tag: "Sandbox control", Security: secAdmin,
			Summary: "One webhook delivery with its attempts",
			OK:      map[int]any{200: webhooks.View{}},
			Errors:  with(control, errs{http.StatusNotFound: {flinks.CodeInvalidRequest}})},
		{Pattern: "POST /sandbox/v1/webhooks/deliveries/{id}/replay", ID: "ReplayWebhookDelivery", Tag: "Sandbox control",
			Security: secAdmin, Summary: "Queue a webhook delivery to be sent again",
			OK: map[int]any{200: webhooks.View{}},
			Errors: with(control, errs{http.StatusNotFound: {flinks.CodeInvalidRequest},
				http.StatusConflict: {flinks.CodeInvalidRequest}})},
		{Pattern: "POST /sandbox/v1/webhooks/test", ID: "TestWebhook", Tag: "Sandbox control", Security: secAdmin,
			Summary: "Queue a signed test delivery to a customer's webhook",
			Body:    httpapi.TestRequest{}, OK: map[int]any{200: webhooks.View{}},
			Errors: with(control, body, errs{http.StatusNotFound: {flinks.CodeInvalidRequest}})},
	}
	ops = append(ops, dataOps("GetAccountsDetail", "The accounts of the session with their transactions", flinks.AccountsDetailResponse{})...)
	ops = append(ops, dataOps("GetAccountsSummary", "The accounts of the session, without transactions", flinks.AccountsSummaryResponse{})...)
	ops = append(ops, dataOps("GetStatements", "Monthly PDF statements of the session's accounts", flinks.StatementsResponse{})...)
	ops = append(ops, attributeOps()...)
	return ops
}
