package app_test

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/bankfeed/bankfeed/client"
	"github.com/bankfeed/bankfeed/flinks"
)

// asyncPending checks that err is the 202 of an AuthorizeAsync and returns
// its RequestId.
func asyncPending(t *testing.T, err error) string {
	t.Helper()
	e := apiErr(t, err)
	if e.StatusCode != http.StatusAccepted || e.Body.FlinksCode != flinks.CodeOperationPending || e.Body.RequestId == "" {
		t.Fatalf("AuthorizeAsync: %v, want a 202 OPERATION_PENDING with a RequestId", err)
	}
	return e.Body.RequestId
}

// TestAuthorizeAsync walks /AuthorizeAsync as reference 5.3 has it: 202,
// then 203 on the poll, the answer acknowledged by a 202, then 200; with a
// customer's token, which every call of the session sends.
func TestAuthorizeAsync(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	c := s.clientFor("5ad0e2a4-24a7-4c54-9a54-7b7f4d3ad0f1")
	ctx := context.Background()
	_, err := c.AuthorizeAsync(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "greatday_allquestions", Password: "Everyday", Save: true})
	requestID := asyncPending(t, err)
	for _, tc := range []struct{ prompt, answer string }{
		{"What shape do people like most?", "Triangle"},
		{"What city were you born in?", "Montreal"},
		{"What is the best country on earth?", "Canada"},
	} {
		poll, err := c.AuthorizeAsync(ctx, flinks.AuthorizeRequest{RequestId: requestID})
		if err != nil || poll.HttpStatusCode != 203 || len(poll.SecurityChallenges) != 1 || poll.SecurityChallenges[0].Prompt != tc.prompt {
			t.Fatalf("poll: %+v, %v; want the 203 of %q", poll, err, tc.prompt)
		}
		_, err = c.AuthorizeAsync(ctx, flinks.AuthorizeRequest{RequestId: requestID, SecurityResponses: flinks.SecurityResponses{tc.prompt: {tc.answer}}})
		if got := asyncPending(t, err); got != requestID {
			t.Fatalf("the answer's 202 names %s, want %s", got, requestID)
		}
	}
	done, err := c.AuthorizeAsync(ctx, flinks.AuthorizeRequest{RequestId: requestID})
	if err != nil || done.HttpStatusCode != 200 || done.Login == nil || done.RequestId != requestID {
		t.Fatalf("the last poll: %+v, %v; want the 200", done, err)
	}
	if d, err := c.AccountsDetailReady(ctx, flinks.DataRequest{RequestId: requestID}, fastPoll...); err != nil || len(d.Accounts) == 0 {
		t.Fatalf("GetAccountsDetail after AuthorizeAsync: %v", err)
	}
	// A wrong answer is the 401 it is on Authorize, at once.
	_, err = c.AuthorizeAsync(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "Greatday", Password: "Everyday"})
	other := asyncPending(t, err)
	_, err = c.AuthorizeAsync(ctx, flinks.AuthorizeRequest{RequestId: other, SecurityResponses: flinks.SecurityResponses{"What shape do people like most?": {"Circle"}}})
	if client.Code(err) != flinks.CodeInvalidSecurityResponse {
		t.Errorf("a wrong answer: %v", err)
	}
	// An unknown RequestId (of the sandbox customer, which needs no token).
	if _, err := s.client.AuthorizeAsync(ctx, flinks.AuthorizeRequest{RequestId: "5ad0e2a4-0000-4c54-9a54-7b7f4d3ad0f1"}); client.Code(err) != flinks.CodeSessionNonexistent {
		t.Errorf("an unknown RequestId: %v", err)
	}
}

// TestConnectResume finishes in the widget (?requestId=) a session the
// back end began with AuthorizeAsync (Mid-Session Reconnect): the person
// answers the MFA there, and the back end's poll then has the 200 of the
// login the REDIRECT names.
func TestConnectResume(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	keys := s.addCustomer()
	c := s.clientWith(keys)
	ctx := context.Background()
	token, err := c.GenerateAuthorizeToken(ctx, keys.Secret)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.AuthorizeAsync(ctx, flinks.AuthorizeRequest{Institution: "TD", Username: "Greatday", Password: "Everyday", Save: true, AuthorizeToken: token})
	requestID := asyncPending(t, err)
	if poll, err := c.AuthorizeAsync(ctx, flinks.AuthorizeRequest{RequestId: requestID}); err != nil || poll.HttpStatusCode != 203 {
		t.Fatalf("poll: %+v, %v", poll, err)
	}

	w := openWidget(t, s.url, "requestId="+requestID+"&authorizeToken="+token+"&customerId="+keys.CustomerID+"&jsRedirect=true", 420)
	w.screen("mfa")
	w.click("mfa-phone-0-2")
	w.click("mfa-method-0-call")
	w.click("mfa-submit")
	w.waitSteps([]string{"APP_MOUNTED", "COMPONENT_LOAD_MFA", "SUBMIT_MFA", "COMPONENT_LOAD_MFA"})
	w.screen("mfa")
	w.typeIn("mfa-answer-0", "123456")
	w.click("mfa-submit")
	evs := w.wantSteps("APP_MOUNTED", "COMPONENT_LOAD_MFA", "SUBMIT_MFA", "COMPONENT_LOAD_MFA", "SUBMIT_MFA", "REDIRECT")
	loginID, q := redirectLogin(t, evs)
	if q.Get("institution") != "TD" || !slices.ContainsFunc(evs, func(e event) bool { return e.field("requestId") == requestID }) {
		t.Errorf("REDIRECT %v: want institution TD and the session's RequestId", evs[len(evs)-1])
	}
	done, err := c.AuthorizeAsync(ctx, flinks.AuthorizeRequest{RequestId: requestID})
	if err != nil || done.Login == nil || done.Login.Id != loginID {
		t.Fatalf("the back end's poll after the widget: %+v, %v; want login %s", done, err, loginID)
	}
	cached, err := c.AuthorizeCached(ctx, loginID)
	if err != nil {
		t.Fatal(err)
	}
	if d, err := c.AccountsDetailReady(ctx, flinks.DataRequest{RequestId: cached.RequestId}, fastPoll...); err != nil || len(d.Accounts) == 0 {
		t.Fatalf("GetAccountsDetail of the resumed login: %v", err)
	}

	// Resuming a RequestId that no longer waits: the session's error.
	late := openWidget(t, s.url, "requestId="+requestID+"&authorizeToken="+token+"&customerId="+keys.CustomerID, 420)
	late.screen("error")
	late.wantSteps("APP_MOUNTED", "ALREADY_AUTHORIZED")
}
