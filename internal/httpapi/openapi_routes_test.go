package httpapi_test

import (
	"net/http"

	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/enrich"
	"github.com/bankfeed/bankfeed/internal/httpapi"
	"github.com/bankfeed/bankfeed/internal/inspector"
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
	// OrToken: an unused authorize token (or the one the RequestId began
	// with) may stand for the x-api-key, as the Connect widget sends it.
	OrToken bool
	Body    any // a value of the request body's type; nil for none
	Query   []query
	OK      map[int]any // success statuses, each with a value of its body's type (or a schemaOnly)
	Errors  errs        // error statuses, each with the FlinksCodes it carries
	Refine  map[int]obj // constraints a success status adds to its body's schema
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
	"customerId":    "The customer (tenant); the public sandbox customer is 43387ca6-0391-4c82-857d-70d95f087ecb.",
	"loginId":       "A LoginId, from Login.Id of an Authorize 200.",
	"requestId":     "A RequestId of an authorized session.",
	"id":            "A webhook delivery's id.",
	"routingNumber": "A nine-digit routing number (ABA, or a Canadian EFT 0IIITTTTT), or a three-digit Canadian institution number.",
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

// readyBody is the body of /readyz, whatever its status.
type readyBody struct {
	HttpStatusCode int
	FlinksCode     flinks.Code `json:",omitempty"`
	Message        string      `json:",omitempty"`
	Status         string
	Version        string
	Checks         map[string]string
}

// scheduledOK is the 200 of the scheduled-refresh switches.
var scheduledOK = map[int]any{200: schemaOnly{"type": "string",
	"description": "\"LoginId <id> has now been activated for automatic refresh\" (or deactivated), a bare JSON string as on Flinks."}}

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

// attributeOps are the attribute packages, each its card of computed
// attributes (docs/enrich.md lists which package holds which).
func attributeOps() []operation {
	var out []operation
	for _, pkg := range enrich.Packages {
		out = append(out, operation{Pattern: "GET /v3/{customerId}/insight/login/{loginId}/attributes/{requestId}/" + string(pkg),
			ID: string(pkg), Tag: "Enrichment", Summary: "The package's attributes, computed from the session's data",
			Security: secAPIKey, OK: map[int]any{200: flinks.AttributesResponse{}}, Errors: with(apiKey, session, bank)})
	}
	return out
}

// authorizeErrors are what /Authorize and /AuthorizeAsync refuse with.
var authorizeErrors = with(admitted, body, bank, errs{
	http.StatusBadRequest: {flinks.CodeSessionNonexistent, flinks.CodeAlreadyAuthorized, flinks.CodeConcurrentSession},
	http.StatusUnauthorized: {flinks.CodeAccessDenied, flinks.CodeInvalidLogin, flinks.CodeUnknownChallengeKey,
		flinks.CodeSecurityResponsesIncomplete},
})

// authorizeRefine tells a 200 from a 203 of /Authorize.
var authorizeRefine = map[int]obj{
	200: {"required": []string{"Login", "InstitutionName", "InstitutionId"}, "not": obj{"required": []string{"SecurityChallenges"}}},
	203: {"required": []string{"SecurityChallenges"}, "not": obj{"required": []string{"Login"}}},
}

// operations lists every route bankfeed serves.
func operations() []operation {
	ops := []operation{
		{Pattern: "POST " + bs + "Authorize", ID: "Authorize", Tag: "Authorize", Security: secAuthKey,
			Summary: "Log in with credentials, answer an MFA round, or reopen a saved login (cached or live)",
			Description: "203 asks the SecurityChallenges of a round: answer them with the RequestId and SecurityResponses. " +
				"200 opens the session whose RequestId the data endpoints take.",
			Body: flinks.AuthorizeRequest{}, OK: map[int]any{200: flinks.AuthorizeResponse{}, 203: flinks.AuthorizeResponse{}},
			Refine: authorizeRefine, Errors: authorizeErrors},
		{Pattern: "POST " + bs + "AuthorizeAsync", ID: "AuthorizeAsync", Tag: "Authorize", Security: secAuthKey,
			Summary: "Authorize, answered 202 OPERATION_PENDING with the RequestId; the RequestId alone then answers its outcome",
			Description: "The body of /Authorize. 202 OPERATION_PENDING carries the RequestId; sent again with that RequestId and " +
				"no SecurityResponses, it answers the 203, the 200 or the error of the step (reference 5.3).",
			Body: flinks.AuthorizeRequest{}, OK: map[int]any{200: flinks.AuthorizeResponse{}, 203: flinks.AuthorizeResponse{}},
			Refine: authorizeRefine, Errors: with(authorizeErrors, errs{http.StatusAccepted: {flinks.CodeOperationPending}})},
		{Pattern: "POST " + bs + "GenerateAuthorizeToken", ID: "GenerateAuthorizeToken", Tag: "Authorize", Security: secAuthKey, Required: true,
			Summary: "A single-use authorize token for /Authorize, given the secret key",
			OK:      map[int]any{200: flinks.AuthorizeTokenResponse{}},
			Errors:  with(admitted, errs{http.StatusUnauthorized: {flinks.CodeUnauthorized, flinks.CodeAccessDenied}})},
		{Pattern: "POST " + bs + "AuthorizeMultiple", ID: "AuthorizeMultiple", Tag: "Authorize", Security: secAPIKey,
			Summary: "Open a cached session on each of several saved logins",
			Body:    flinks.AuthorizeMultipleRequest{}, OK: map[int]any{200: flinks.AuthorizeMultipleResponse{}},
			Errors: with(apiKey, body)},
		{Pattern: "PATCH " + bs + "SetScheduledRefresh", ID: "SetScheduledRefresh", Tag: "Logins", Security: secAPIKey,
			Summary:     "Turn the nightly refresh of a saved login on or off",
			Description: "With an empty body, loginId and isActivated may come in the query string (names in any case).",
			Body:        flinks.SetScheduledRefreshRequest{},
			Query: []query{{"loginId", "string", "the LoginId, when the body names none"},
				{"isActivated", "string", "true or false, when the body names no LoginId"}},
			OK: scheduledOK, Errors: with(apiKey, body, errs{http.StatusUnauthorized: {flinks.CodeInvalidLogin}})},
		{Pattern: "PATCH " + bs + "ActivateScheduledRefresh/{loginId}", ID: "ActivateScheduledRefresh", Tag: "Logins",
			Security: secAPIKey, Summary: "Turn the nightly refresh of a saved login on (the form SetScheduledRefresh superseded)",
			OK: scheduledOK, Errors: with(apiKey, errs{http.StatusUnauthorized: {flinks.CodeInvalidLogin}})},
		{Pattern: "PATCH " + bs + "DeactivateScheduledRefresh/{loginId}", ID: "DeactivateScheduledRefresh", Tag: "Logins",
			Security: secAPIKey, Summary: "Turn the nightly refresh of a saved login off (the form SetScheduledRefresh superseded)",
			OK: scheduledOK, Errors: with(apiKey, errs{http.StatusUnauthorized: {flinks.CodeInvalidLogin}})},
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
		{Pattern: "GET " + bs + "Institutions/RoutingNumber/{routingNumber}", ID: "InstitutionsByRoutingNumber", Tag: "Authorize",
			Security: secAPIKey, Summary: "The institutions a routing number belongs to, with their RoutingNumbers",
			OK:     map[int]any{200: flinks.InstitutionsResponse{}},
			Errors: with(apiKey, errs{http.StatusBadRequest: {flinks.CodeInvalidRequest}, http.StatusNotFound: {flinks.CodeInvalidRequest}})},
		{Pattern: "GET " + bs + "Institutions", ID: "Institutions", Tag: "Authorize", Security: secAPIKey, OrToken: true,
			Summary: "The institutions served, a page at a time",
			Query: []query{{"skip", "integer", "institutions to skip (0 by default)"},
				{"take", "integer", "institutions to list, at most 1000 (the default)"}},
			OK:     map[int]any{200: flinks.InstitutionsResponse{}},
			Errors: with(apiKey, errs{http.StatusBadRequest: {flinks.CodeInvalidRequest}})},
		{Pattern: "POST " + bs + "FieldMatch", ID: "FieldMatch", Tag: "Enrichment", Security: secAPIKey,
			Summary: "Score identity fields against the holders of a saved login's latest data",
			Body:    flinks.FieldMatchRequest{}, OK: map[int]any{200: flinks.FieldMatchResponse{}},
			Errors: with(apiKey, body, errs{http.StatusUnauthorized: {flinks.CodeInvalidLogin},
				http.StatusBadRequest: {flinks.CodeSessionNonexistent}})},
		{Pattern: "GET /v3/{customerId}/categorization/login/{loginId}/requestid/{requestId}", ID: "Categorization",
			Tag: "Enrichment", Summary: "Every transaction of the session's data with its category", Security: secAPIKey,
			OK: map[int]any{200: flinks.CategorizationResponse{}}, Errors: with(apiKey, session, bank)},

		{Pattern: "GET /healthz", ID: "Health", Tag: "Server", Summary: "200 while the server runs and its database answers",
			OK: map[int]any{200: struct {
				HttpStatusCode int
				Status         string
			}{}},
			Errors: server},
		{Pattern: "GET /readyz", ID: "Ready", Tag: "Server",
			Summary: "200 while the database answers, the migrations are applied and the job workers run; 503 naming the failing check",
			// The 503 is the Flinks error with the checks' outcomes: a
			// body of its own, described as a success's is.
			OK: map[int]any{200: readyBody{}, 503: readyBody{}},
			Refine: map[int]obj{
				200: {"not": obj{"required": []string{"FlinksCode"}}},
				503: {"required": []string{"FlinksCode", "Message"}},
			},
			Errors: errs{http.StatusInternalServerError: {flinks.CodeAggregationError}}},
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
	ops = append(ops, []operation{
		{Pattern: "GET /sandbox/v1/clock", ID: "GetClock", Tag: "Sandbox control", Security: secAdmin,
			Summary: "The virtual clock: its time and its offset from the wall clock",
			OK:      map[int]any{200: httpapi.ClockResponse{}}, Errors: control},
		{Pattern: "POST /sandbox/v1/clock", ID: "MoveClock", Tag: "Sandbox control", Security: secAdmin,
			Summary: "Move the virtual clock forward: advance by a duration, or set a time; never backwards",
			Body:    httpapi.ClockRequest{}, OK: map[int]any{200: httpapi.ClockResponse{}},
			Errors: with(control, body, errs{http.StatusConflict: {flinks.CodeInvalidRequest}})},
		{Pattern: "POST /sandbox/v1/reset", ID: "Reset", Tag: "Sandbox control", Security: secAdmin,
			Summary: "Delete a customer's logins, sessions, data, tokens, jobs and deliveries (every customer's without a body)",
			Body:    httpapi.ResetRequest{}, OK: map[int]any{200: httpapi.ResetResponse{}},
			Errors: with(control, body, errs{http.StatusNotFound: {flinks.CodeInvalidRequest}})},
		{Pattern: "POST /sandbox/v1/logins", ID: "CreateLogin", Tag: "Sandbox control", Security: secAdmin,
			Summary: "Save a login, its MFA answered and its data fetched, without a UI",
			Body:    httpapi.CreateLoginRequest{}, OK: map[int]any{200: httpapi.CreateLoginResponse{}},
			Errors: with(control, body, bank, errs{http.StatusNotFound: {flinks.CodeInvalidRequest},
				http.StatusUnauthorized: {flinks.CodeInvalidLogin}})},
	}...)
	// Faults, the journal and the saved logins: served in every build, 404
	// METHOD_NOT_AVAILABLE where the control surface has none of them.
	off := errs{http.StatusNotFound: {flinks.CodeMethodNotAvailable}}
	ops = append(ops, []operation{
		{Pattern: "POST /sandbox/v1/faults", ID: "AddFault", Tag: "Sandbox control", Security: secAdmin,
			Summary: "Add a fault rule: a status, a FlinksCode or a latency for the matching API requests",
			Body:    httpapi.FaultRequest{}, OK: map[int]any{201: httpapi.FaultView{}},
			Errors: with(control, body, off)},
		{Pattern: "GET /sandbox/v1/faults", ID: "Faults", Tag: "Sandbox control", Security: secAdmin,
			Summary: "The fault rules, in the order they apply, with how often each matched and fired",
			OK:      map[int]any{200: httpapi.FaultsResponse{}}, Errors: with(control, off)},
		{Pattern: "DELETE /sandbox/v1/faults/{id}", ID: "RemoveFault", Tag: "Sandbox control", Security: secAdmin,
			Summary: "Remove one fault rule",
			OK:      map[int]any{200: httpapi.RemovedResponse{}},
			Errors:  with(control, off, errs{http.StatusNotFound: {flinks.CodeInvalidRequest}})},
		{Pattern: "DELETE /sandbox/v1/faults", ID: "ClearFaults", Tag: "Sandbox control", Security: secAdmin,
			Summary: "Remove every fault rule, or one customer's",
			Query:   []query{{"customer_id", "string", "only this customer's rules"}},
			OK:      map[int]any{200: httpapi.RemovedResponse{}}, Errors: with(control, off)},
		{Pattern: "GET /sandbox/v1/journal", ID: "Journal", Tag: "Sandbox control", Security: secAdmin,
			Summary: "The request journal, newest first, with every secret redacted",
			Query: []query{{"customer_id", "string", "only this customer's"}, {"login_id", "string", "only this login's"},
				{"request_id", "string", "only this RequestId's"},
				{"since", "string", "entries after this entry id, or after this RFC 3339 time"},
				{"limit", "integer", "entries to list, 1 to 1000"}},
			OK:     map[int]any{200: httpapi.JournalResponse{}},
			Errors: with(control, off, errs{http.StatusBadRequest: {flinks.CodeInvalidRequest}})},
		{Pattern: "GET /sandbox/v1/logins", ID: "SavedLogins", Tag: "Sandbox control", Security: secAdmin,
			Summary: "The saved logins, newest first, with their state and last refresh",
			Query: []query{{"customer_id", "string", "only this customer's"},
				{"limit", "integer", "logins to list, 1 to 1000"}},
			OK:     map[int]any{200: httpapi.LoginsResponse{}},
			Errors: with(control, off, errs{http.StatusBadRequest: {flinks.CodeInvalidRequest}})},
		{Pattern: "GET /sandbox/v1/logins/{id}", ID: "SavedLogin", Tag: "Sandbox control", Security: secAdmin,
			Summary: "One saved login with its newest sessions and its latest data",
			Query:   []query{{"customer_id", "string", "the login's customer (the public sandbox customer by default)"}},
			OK:      map[int]any{200: inspector.Detail{}},
			Errors:  with(control, off, errs{http.StatusNotFound: {flinks.CodeInvalidRequest}})},
	}...)
	ops = append(ops, dataOps("GetAccountsDetail", "The accounts of the session with their transactions", flinks.AccountsDetailResponse{})...)
	ops = append(ops, dataOps("GetAccountsSummary", "The accounts of the session, without transactions", flinks.AccountsSummaryResponse{})...)
	ops = append(ops, dataOps("GetStatements", "Monthly PDF statements of the session's accounts", flinks.StatementsResponse{})...)
	ops = append(ops, attributeOps()...)
	for i := range ops {
		// The Connect widget reads its session's accounts with the token.
		if ops[i].Pattern == "GET "+bs+"GetAccountsSummaryAsync/{requestId}" {
			ops[i].OrToken = true
		}
	}
	return ops
}
