package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/flinks"
	"github.com/google/uuid"
)

// openLogin checks the loginId of a REDIRECT as an integrator's back end
// would use it: a cached Authorize, then GetAccountsDetail with its
// RequestId, through the Go SDK.
func openLogin(t *testing.T, s *server, loginID, username string) *flinks.AccountsDetailResponse {
	t.Helper()
	cached, err := s.client.AuthorizeCached(context.Background(), loginID)
	if err != nil {
		t.Fatalf("cached Authorize of the widget's loginId: %v", err)
	}
	if cached.Login == nil || cached.Login.Id != loginID || cached.Login.Username != username {
		t.Fatalf("cached Authorize: %+v, want login %s of %s", cached.Login, loginID, username)
	}
	d := detail(t, s, flinks.DataRequest{RequestId: cached.RequestId})
	if len(d.Accounts) == 0 || d.Login == nil || d.Login.Id != loginID {
		t.Fatalf("GetAccountsDetail: %d accounts, login %+v", len(d.Accounts), d.Login)
	}
	return d
}

func TestConnectOneQuestion(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	w := openWidget(t, s.url, "demo=true&consentEnable=true&customerName=Acme%20Lending&closeEnable=true", 420)
	w.screen("consent")
	w.shot("consent")
	w.click("consent-accept")
	w.screen("institutions")
	w.shot("institutions")
	w.typeIn("institution-search", "flinks")
	w.click("institution-FlinksCapital")
	w.screen("credentials")
	w.shot("credentials")
	w.typeIn("credential-username", "Greatday")
	w.typeIn("credential-password", "Everyday")
	w.click("credential-submit")
	w.screen("mfa")
	w.shot("mfa-question")
	w.typeIn("mfa-answer-0", "Triangle")
	w.enter("mfa-answer-0")
	evs := w.wantSteps("APP_MOUNTED", "COMPONENT_LOAD_CONSENT", "COMPONENT_ACCEPT_CONSENT", "COMPONENT_LOAD_INSTITUTION_SELECTOR",
		"INSTITUTION_SELECTED", "COMPONENT_LOAD_CREDENTIAL", "SUBMIT_CREDENTIAL", "COMPONENT_LOAD_MFA", "SUBMIT_MFA", "REDIRECT")
	w.screen("success")
	loginID, q := redirectLogin(t, evs)
	if q.Get("institution") != "FlinksCapital" {
		t.Errorf("REDIRECT url query %v", q)
	}
	openLogin(t, s, loginID, "Greatday")
}

// TestConnectTokenReads checks the two reads the widget makes with an
// authorize token instead of the x-api-key, which a browser must not hold:
// the institutions with a token still unused, and the summary of a session
// with the token that began it, and nothing else with either.
func TestConnectTokenReads(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	keys := s.addCustomer()
	c := s.clientWith(keys)
	ctx := context.Background()
	base := "/v3/" + keys.CustomerID + "/BankingServices/"
	withToken := func(tok string) http.Header { return http.Header{"Flinks-Auth-Key": {tok}} }
	newToken := func() string {
		tok, err := c.GenerateAuthorizeToken(ctx, keys.Secret)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}

	if r := s.doWith(http.MethodGet, base+"Institutions", "", nil); r.status != http.StatusUnauthorized || str(r.json, "FlinksCode") != "ACCESS_DENIED" {
		t.Errorf("Institutions with no credential: %d %s", r.status, r.body)
	}
	tok := newToken()
	r := s.doWith(http.MethodGet, base+"Institutions", "", withToken(tok))
	if r.status != http.StatusOK || !strings.Contains(string(r.body), `"Name":"FlinksCapital"`) {
		t.Fatalf("Institutions with an unused token: %d %s", r.status, r.body)
	}
	// Reading the list does not use the token up: it then opens a session.
	r = s.doWith(http.MethodPost, base+"Authorize", `{"Institution":"FlinksCapital","Username":"greatday_nomfa","Password":"Everyday","Save":true}`, withToken(tok))
	if r.status != http.StatusOK {
		t.Fatalf("Authorize with the token: %d %s", r.status, r.body)
	}
	requestID := str(r.json, "RequestId")
	if r := s.doWith(http.MethodGet, base+"Institutions", "", withToken(tok)); r.status != http.StatusUnauthorized {
		t.Errorf("Institutions with a used token: %d %s", r.status, r.body)
	}
	var summary rawResponse
	for i := 0; i < 500; i++ {
		summary = s.doWith(http.MethodGet, base+"GetAccountsSummaryAsync/"+requestID, "", withToken(tok))
		if summary.status != http.StatusAccepted {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if summary.status != http.StatusOK || len(summary.json["Accounts"].([]any)) == 0 {
		t.Fatalf("the session's summary with its token: %d %s", summary.status, summary.body)
	}
	checkFlinksShape(t, summary)
	// Another token, unused, reads no session's data; nor does the token
	// read another session's, nor the data endpoints that take the key only.
	other := newToken()
	for _, tc := range []struct {
		method, path, token, body string
	}{
		{http.MethodGet, "GetAccountsSummaryAsync/" + requestID, other, ""},
		{http.MethodGet, "GetAccountsSummaryAsync/" + uuid.NewString(), tok, ""},
		{http.MethodPost, "GetAccountsSummary", tok, `{"RequestId":"` + requestID + `"}`},
		{http.MethodGet, "GetAccountsDetailAsync/" + requestID, tok, ""},
	} {
		r := s.doWith(tc.method, base+tc.path, tc.body, withToken(tc.token))
		if r.status != http.StatusUnauthorized || str(r.json, "FlinksCode") != "ACCESS_DENIED" {
			t.Errorf("%s %s with a token: %d %s", tc.method, tc.path, r.status, r.body)
		}
	}
}
