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
	r := s.doBad("GET", "/v3/"+sandboxCustomer+"/BankingServices/Institutions?take=-1", "", nil)
	checkFlinksShape(t, r)
	if r.status != 400 {
		t.Errorf("negative take: %d %s", r.status, r.body)
	}
}
