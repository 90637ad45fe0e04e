package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/bankfeed/bankfeed/flinks"
)

func TestSetScheduledRefresh(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	ctx := context.Background()
	resp, err := s.client.Authorize(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "greatday_nomfa", Password: "Everyday", Save: true})
	if err != nil {
		t.Fatal(err)
	}
	id := resp.Login.Id
	msg, err := s.client.SetScheduledRefresh(ctx, id, true)
	if err != nil || msg != "LoginId "+id+" has now been activated for automatic refresh" {
		t.Fatalf("activate: %q, %v", msg, err)
	}
	if cached, err := s.client.AuthorizeCached(ctx, id); err != nil || !cached.Login.IsScheduledRefresh {
		t.Fatalf("after activation: %+v, %v", cached, err)
	}
	// The docs' own example: camelCase keys, and the flag as a string.
	r := s.do("PATCH", "/v3/"+sandboxCustomer+"/BankingServices/SetScheduledRefresh", `{"loginId":"`+id+`","isActivated":"false"}`)
	if r.status != 200 || !strings.Contains(string(r.body), "has now been deactivated for automatic refresh") || r.body[0] != '"' {
		t.Fatalf("deactivate: %d %s", r.status, r.body)
	}
	if cached, err := s.client.AuthorizeCached(ctx, id); err != nil || cached.Login.IsScheduledRefresh {
		t.Fatalf("after deactivation: %+v, %v", cached, err)
	}
	for _, tt := range []struct{ body, code string }{
		{`{"LoginId":"00000000-0000-4000-8000-000000000000","IsActivated":true}`, "INVALID_LOGIN"},
		{`{"IsActivated":true}`, "INVALID_REQUEST"},
		{`{"LoginId":"` + startForeignLogin(t, s) + `","IsActivated":true}`, "INVALID_LOGIN"},
	} {
		r := s.do("PATCH", "/v3/"+sandboxCustomer+"/BankingServices/SetScheduledRefresh", tt.body)
		checkFlinksShape(t, r)
		if str(r.json, "FlinksCode") != tt.code {
			t.Errorf("%s: %d %s", tt.body, r.status, r.body)
		}
	}
}

// TestScheduledRefreshOtherForms covers the forms of SetScheduledRefresh
// that older and other clients send: the query string with an empty body
// (names in any case), and PATCH /ActivateScheduledRefresh/{loginId} and
// /DeactivateScheduledRefresh/{loginId}.
func TestScheduledRefreshOtherForms(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	ctx := context.Background()
	resp, err := s.client.Authorize(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "greatday_nomfa", Password: "Everyday", Save: true})
	if err != nil {
		t.Fatal(err)
	}
	id := resp.Login.Id
	scheduled := func() bool {
		t.Helper()
		cached, err := s.client.AuthorizeCached(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return cached.Login.IsScheduledRefresh
	}
	path := "/v3/" + sandboxCustomer + "/BankingServices/"
	r := s.do("PATCH", path+"SetScheduledRefresh?LOGINID="+id+"&isactivated=True", "")
	if r.status != 200 || strings.TrimSpace(string(r.body)) != `"LoginId `+id+` has now been activated for automatic refresh"` || !scheduled() {
		t.Fatalf("query string, on: %d %s", r.status, r.body)
	}
	if r := s.do("PATCH", path+"SetScheduledRefresh?loginId="+id+"&isActivated=false", ""); r.status != 200 || scheduled() {
		t.Fatalf("query string, off: %d %s", r.status, r.body)
	}
	// A body that names the login wins over the query string.
	r = s.do("PATCH", path+"SetScheduledRefresh?loginId="+id+"&isActivated=false", `{"LoginId":"`+id+`","IsActivated":true}`)
	if r.status != 200 || !scheduled() {
		t.Fatalf("body and query: %d %s", r.status, r.body)
	}
	if msg, err := s.client.ActivateScheduledRefresh(ctx, id, false); err != nil || msg != "LoginId "+id+" has now been deactivated for automatic refresh" || scheduled() {
		t.Fatalf("DeactivateScheduledRefresh: %q, %v", msg, err)
	}
	if msg, err := s.client.ActivateScheduledRefresh(ctx, id, true); err != nil || msg != "LoginId "+id+" has now been activated for automatic refresh" || !scheduled() {
		t.Fatalf("ActivateScheduledRefresh: %q, %v", msg, err)
	}
	for _, tt := range []struct{ method, op, code string }{
		{"PATCH", "SetScheduledRefresh?loginId=" + id + "&isActivated=maybe", "INVALID_REQUEST"},
		{"PATCH", "SetScheduledRefresh?isActivated=true", "INVALID_REQUEST"},
		{"PATCH", "SetScheduledRefresh?loginId=00000000-0000-4000-8000-000000000000&isActivated=true", "INVALID_LOGIN"},
		{"PATCH", "ActivateScheduledRefresh/00000000-0000-4000-8000-000000000000", "INVALID_LOGIN"},
		{"PATCH", "deactivatescheduledrefresh/" + startForeignLogin(t, s), "INVALID_LOGIN"},
	} {
		r := s.do(tt.method, path+tt.op, "")
		checkFlinksShape(t, r)
		if str(r.json, "FlinksCode") != tt.code {
			t.Errorf("%s %s: %d %s, want %s", tt.method, tt.op, r.status, r.body, tt.code)
		}
	}
}

// TestRoutingNumber looks institutions up by routing number: a Canadian EFT
// routing number 0IIITTTTT or its institution number III, in the shape of
// /Institutions.
func TestRoutingNumber(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	ctx := context.Background()
	for _, n := range []string{"003", "000312345"} {
		resp, err := s.client.InstitutionsByRoutingNumber(ctx, n)
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		if resp.Count != 1 || len(resp.Data) != 1 || resp.Data[0].Country != "CA" || resp.Data[0].Localizations[0].Name != "RBC Royal Bank" ||
			len(resp.Data[0].RoutingNumbers) != 1 || resp.Data[0].RoutingNumbers[0] != "003" {
			t.Errorf("%s: %+v", n, resp)
		}
	}
	// The path's words in any case, as elsewhere.
	if r := s.do("GET", "/v3/"+sandboxCustomer+"/bankingservices/institutions/routingnumber/004", ""); r.status != 200 {
		t.Errorf("lowercase path: %d %s", r.status, r.body)
	}
	for _, tt := range []struct {
		n      string
		status int
	}{{"123456789", 404}, {"12ab", 400}, {"0123", 400}, {"100312345", 404}} {
		_, err := s.client.InstitutionsByRoutingNumber(ctx, tt.n)
		if e := apiErr(t, err); e.StatusCode != tt.status || e.Body.FlinksCode != flinks.CodeInvalidRequest {
			t.Errorf("%s: %d %s, want %d INVALID_REQUEST", tt.n, e.StatusCode, e.Body.FlinksCode, tt.status)
		}
	}
}

// TestEnhancedMFA walks the Enhanced MFA flow: a live Authorize with
// WithMfaQuestions records the login's questions, GetMFAQuestions lists
// those without an answer, AnswerMFAQuestions answers them ahead of time,
// and the next live reopen uses the answers, erasing a wrong one.
func TestEnhancedMFA(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	ctx := context.Background()
	resp, err := s.client.AuthorizeWithMFA(ctx, flinks.AuthorizeRequest{
		Institution: "FlinksCapital", Username: "greatday_rotating", Password: "Everyday", Save: true, WithMfaQuestions: true,
	}, answerSandbox)
	if err != nil {
		t.Fatal(err)
	}
	id := resp.Login.Id
	qs, err := s.client.GetMFAQuestions(ctx, id)
	if err != nil || qs.Message != "SUCCESS" || len(qs.Questions) != 2 ||
		qs.Questions[0].Question != "What city were you born in?" || qs.Questions[1].Question != "What is the best country on earth?" {
		t.Fatalf("questions: %+v, %v", qs, err)
	}
	// Answer the city right and the country wrong.
	if err := s.client.AnswerMFAQuestions(ctx, id, []flinks.MFAQuestion{
		{Question: "what city were you born in", Answer: "Montreal"},
		{Question: "What is the best country on earth?", Answer: "France"},
	}); err != nil {
		t.Fatal(err)
	}
	if qs, err := s.client.GetMFAQuestions(ctx, id); err != nil || len(qs.Questions) != 0 {
		t.Fatalf("after answering: %+v, %v", qs, err)
	}
	// The next reopen asks the city: answered from storage, a 200.
	if live, err := s.client.AuthorizeLive(ctx, id, true); err != nil || live.Challenged() {
		t.Fatalf("reopen with the city answered: %+v, %v", live, err)
	}
	// The one after asks the country: the stored answer is wrong, so it is
	// erased and the question asked.
	live, err := s.client.AuthorizeLive(ctx, id, true)
	if err != nil || !live.Challenged() || live.SecurityChallenges[0].Prompt != "What is the best country on earth?" {
		t.Fatalf("reopen with a wrong stored answer: %+v, %v", live, err)
	}
	if qs, err := s.client.GetMFAQuestions(ctx, id); err != nil || len(qs.Questions) != 1 {
		t.Fatalf("after the wrong answer was erased: %+v, %v", qs, err)
	}

	// Errors.
	for _, tt := range []struct {
		name, method, path, body, code string
	}{
		{"unknown question", "PATCH", "AnswerMFAQuestions", `{"LoginId":"` + id + `","Questions":[{"Question":"What is your name?","Answer":"x"}]}`, "INVALID_REQUEST"},
		{"empty answer", "PATCH", "AnswerMFAQuestions", `{"LoginId":"` + id + `","Questions":[{"Question":"What city were you born in?","Answer":" "}]}`, "INVALID_REQUEST"},
		{"no questions", "PATCH", "AnswerMFAQuestions", `{"LoginId":"` + id + `"}`, "INVALID_REQUEST"},
		{"unknown login", "GET", "GetMFAQuestions/00000000-0000-4000-8000-000000000000", ``, "INVALID_LOGIN"},
	} {
		r := s.do(tt.method, "/v3/"+sandboxCustomer+"/BankingServices/"+tt.path, tt.body)
		checkFlinksShape(t, r)
		if str(r.json, "FlinksCode") != tt.code {
			t.Errorf("%s: %d %s", tt.name, r.status, r.body)
		}
	}
	// A login authorized without WithMfaQuestions has no recorded questions.
	plain, err := s.client.Authorize(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "greatday_nomfa", Password: "Everyday", Save: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.client.GetMFAQuestions(ctx, plain.Login.Id); apiErr(t, err).Body.FlinksCode != flinks.CodeInvalidRequest {
		t.Errorf("questions never recorded: %v", err)
	}
}

func TestInstitutions(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	ctx := context.Background()
	all, err := s.client.Institutions(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if all.Count != 6 || len(all.Data) != 6 {
		t.Fatalf("%d institutions listed of %d", len(all.Data), all.Count)
	}
	byID := map[int]flinks.Institution{}
	for _, inst := range all.Data {
		byID[inst.Id] = inst
		if inst.Status != "Enabled" || inst.Country != "CA" || len(inst.Localizations) != 2 {
			t.Errorf("%+v", inst)
		}
	}
	if byID[14].Localizations[0].Name != "Flinks Capital" {
		t.Errorf("FlinksCapital: %+v", byID[14])
	}
	page, err := s.client.Institutions(ctx, 2, 3)
	if err != nil || page.Count != 6 || len(page.Data) != 3 || page.Data[0].Id != all.Data[2].Id {
		t.Fatalf("page: %+v, %v", page, err)
	}
	if past, err := s.client.Institutions(ctx, 10, 5); err != nil || len(past.Data) != 0 {
		t.Fatalf("past the end: %+v, %v", past, err)
	}
	r := s.do("GET", "/v3/"+sandboxCustomer+"/BankingServices/Institutions?take=-1", "")
	checkFlinksShape(t, r)
	if r.status != 400 {
		t.Errorf("negative take: %d %s", r.status, r.body)
	}
}
