package app_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/client"
	"github.com/bankfeed/bankfeed/flinks"
)

// The seed's example request bodies, verbatim.
const (
	seedAuthorizeBody = `{
"Institution":"FlinksCapital",
"username": "Greatday",
"Password": "Everyday",
"MostRecentCached":false,
"Save": true
}`
	seedAnswerBody = `{
"RequestId": "006fd2f3-055b-4ef6-a9fc-c1261cd76ec6",
"SecurityResponses": {
"What shape do people like most?": [
"Triangle"
]
}
}`
	seedRequestID = "006fd2f3-055b-4ef6-a9fc-c1261cd76ec6"
)

// TestSeedExample walks the seed's FlinksCapital example over raw HTTP:
// credentials, 203, answer, 200, then a cached reopen through the SDK.
func TestSeedExample(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)

	first := s.post("Authorize", seedAuthorizeBody)
	checkFlinksShape(t, first)
	if first.status != http.StatusNonAuthoritativeInfo {
		t.Fatalf("first call: status %d, want 203: %s", first.status, first.body)
	}
	want203 := fmt.Sprintf(`{"Links":[{"rel":"Authorization","href":"/Authorize","example":null}],"HttpStatusCode":203,`+
		`"SecurityChallenges":[{"Type":"QuestionAndAnswer","Prompt":"What shape do people like most?"}],`+
		`"Institution":"FlinksCapital","RequestId":%q}`, str(first.json, "RequestId"))
	if got := string(bytes.TrimSpace(first.body)); got != want203 {
		t.Errorf("203 body:\n got %s\nwant %s", got, want203)
	}
	requestID := str(first.json, "RequestId")

	second := s.post("Authorize", strings.Replace(seedAnswerBody, seedRequestID, requestID, 1))
	checkFlinksShape(t, second)
	if second.status != http.StatusOK {
		t.Fatalf("answer: status %d, want 200: %s", second.status, second.body)
	}
	if got := str(second.json, "RequestId"); got != requestID {
		t.Errorf("200 RequestId = %q, want the 203's %q", got, requestID)
	}
	for field, want := range map[string]string{"Institution": "FlinksCapital", "InstitutionName": "FlinksCapital"} {
		if got := str(second.json, field); got != want {
			t.Errorf("%s = %q, want %q", field, got, want)
		}
	}
	if got, _ := second.json["InstitutionId"].(float64); got != 14 {
		t.Errorf("InstitutionId = %v, want 14", second.json["InstitutionId"])
	}
	if got := str(second.json, "Login", "Username"); got != "Greatday" {
		t.Errorf("Login.Username = %q", got)
	}
	if got := str(second.json, "Login", "Type"); got != "Personal" {
		t.Errorf("Login.Type = %q", got)
	}
	if _, err := time.Parse(flinks.TimeLayout, str(second.json, "Login", "LastRefresh")); err != nil {
		t.Errorf("Login.LastRefresh: %v", err)
	}
	links := fmt.Sprint(second.json["Links"])
	for _, rel := range []string{"AccountsDetail", "AccountsSummary", "Statements"} {
		if !strings.Contains(links, rel) {
			t.Errorf("Links lack %s: %s", rel, links)
		}
	}
	loginID := str(second.json, "Login", "Id")
	if loginID == "" {
		t.Fatal("200 has no Login.Id")
	}

	cached, err := s.client.AuthorizeCached(context.Background(), loginID)
	if err != nil {
		t.Fatal(err)
	}
	if cached.HttpStatusCode != 200 || cached.Login.Id != loginID || cached.RequestId == requestID {
		t.Errorf("cached reopen: status %d, LoginId %q, RequestId %q (first %q)", cached.HttpStatusCode, cached.Login.Id, cached.RequestId, requestID)
	}
}

// answerSandbox answers the FlinksCapital sandbox questions.
func answerSandbox(ctx context.Context, cs []flinks.SecurityChallenge) (flinks.SecurityResponses, error) {
	answers := map[string]string{
		"What shape do people like most?":    "Triangle",
		"What city were you born in?":        "Montreal",
		"What is the best country on earth?": "Canada",
	}
	out := flinks.SecurityResponses{}
	for _, c := range cs {
		a, ok := answers[c.Prompt]
		if !ok {
			return nil, fmt.Errorf("unexpected prompt %q", c.Prompt)
		}
		out[c.Prompt] = []string{a}
	}
	return out, nil
}

func TestSDKFlows(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	ctx := context.Background()

	t.Run("MFA loop, cached and live reopen", func(t *testing.T) {
		var rounds int
		resp, err := s.client.AuthorizeWithMFA(ctx, flinks.AuthorizeRequest{
			Institution: "FlinksCapital", Username: "greatday_allquestions", Password: "Everyday", Save: true, Tag: "sdk",
		}, func(ctx context.Context, cs []flinks.SecurityChallenge) (flinks.SecurityResponses, error) {
			rounds++
			return answerSandbox(ctx, cs)
		})
		if err != nil {
			t.Fatal(err)
		}
		if rounds != 3 || resp.Tag != "sdk" || resp.Login == nil {
			t.Fatalf("rounds %d, Tag %q, Login %v", rounds, resp.Tag, resp.Login)
		}
		loginID := resp.Login.Id

		cached, err := s.client.AuthorizeCached(ctx, loginID)
		if err != nil || cached.Challenged() || cached.Login.Id != loginID {
			t.Fatalf("cached: %+v, %v", cached, err)
		}
		// Every answer was stored: a live reopen answers all three rounds
		// itself and never returns a 203.
		live, err := s.client.AuthorizeLive(ctx, loginID, true)
		if err != nil || live.Challenged() || live.Login.Id != loginID {
			t.Fatalf("live reopen: %+v, %v", live, err)
		}
	})

	t.Run("live reopen asks a question with no stored answer", func(t *testing.T) {
		resp, err := s.client.AuthorizeWithMFA(ctx, flinks.AuthorizeRequest{
			Institution: "FlinksCapital", Username: "greatday_rotating", Password: "Everyday", Save: true,
		}, answerSandbox)
		if err != nil {
			t.Fatal(err)
		}
		loginID := resp.Login.Id
		prompts := []string{"What city were you born in?", "What is the best country on earth?"}
		for _, prompt := range prompts {
			live, err := s.client.AuthorizeLive(ctx, loginID, true)
			if err != nil {
				t.Fatal(err)
			}
			if !live.Challenged() || len(live.SecurityChallenges) != 1 || live.SecurityChallenges[0].Prompt != prompt {
				t.Fatalf("live reopen: %+v, want a 203 asking %q", live, prompt)
			}
			responses, _ := answerSandbox(ctx, live.SecurityChallenges)
			done, err := s.client.Answer(ctx, live.RequestId, responses)
			if err != nil || done.Login.Id != loginID {
				t.Fatalf("answer: %+v, %v", done, err)
			}
		}
		// The bank asks the first question again: its answer was stored.
		// (A reopen without Save also moves the bank's rotation on: what
		// the bank remembers is kept whether or not the client saves.)
		live, err := s.client.AuthorizeLive(ctx, loginID, true)
		if err != nil || live.Challenged() {
			t.Fatalf("fourth live reopen: %+v, %v; want a 200 from the stored answer", live, err)
		}
	})

	t.Run("same username keeps its LoginId", func(t *testing.T) {
		req := flinks.AuthorizeRequest{Institution: "flinkscapital", Username: "greatday_nomfa", Password: "everyday", Save: true}
		a, err := s.client.Authorize(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		req.Username = "GREATDAY_NOMFA"
		b, err := s.client.Authorize(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if a.Login.Id != b.Login.Id || a.RequestId == b.RequestId {
			t.Errorf("LoginIds %q and %q, RequestIds %q and %q", a.Login.Id, b.Login.Id, a.RequestId, b.RequestId)
		}
		if a.Institution != "FlinksCapital" {
			t.Errorf("Institution = %q, want the canonical FlinksCapital", a.Institution)
		}
	})

	t.Run("ScheduleRefresh on a new login", func(t *testing.T) {
		resp, err := s.clientFor("5c7f1f0e-0000-4000-8000-000000000001").Authorize(ctx, flinks.AuthorizeRequest{
			Institution: "FlinksCapital", Username: "greatday_nomfa", Password: "Everyday", Save: true, ScheduleRefresh: true,
		})
		if err != nil || !resp.Login.IsScheduledRefresh {
			t.Fatalf("%+v, %v", resp, err)
		}
	})

	t.Run("French prompts", func(t *testing.T) {
		resp, err := s.client.Authorize(ctx, flinks.AuthorizeRequest{
			Institution: "FlinksCapital", Username: "Greatday", Password: "Everyday", Language: "fr",
		})
		if err != nil {
			t.Fatal(err)
		}
		if !resp.Challenged() || resp.SecurityChallenges[0].Prompt != "Quelle forme les gens préfèrent-ils?" {
			t.Fatalf("%+v", resp)
		}
		done, err := s.client.Answer(ctx, resp.RequestId, flinks.SecurityResponses{"Quelle forme les gens préfèrent-ils?": {"triangle"}})
		if err != nil || done.HttpStatusCode != 200 {
			t.Fatalf("%+v, %v", done, err)
		}
	})

	t.Run("Save false returns a LoginId that cannot be reopened", func(t *testing.T) {
		c := s.clientFor("5c7f1f0e-0000-4000-8000-000000000002")
		resp, err := c.AuthorizeWithMFA(ctx, flinks.AuthorizeRequest{
			Institution: "FlinksCapital", Username: "Greatday", Password: "Everyday",
		}, answerSandbox)
		if err != nil || resp.Login.Id == "" {
			t.Fatalf("%+v, %v", resp, err)
		}
		for _, cached := range []bool{true, false} {
			_, err := c.Authorize(ctx, flinks.AuthorizeRequest{LoginId: resp.Login.Id, MostRecentCached: flinks.Bool(cached)})
			if e := apiErr(t, err); e.StatusCode != 401 || e.Body.FlinksCode != flinks.CodeInvalidLogin {
				t.Errorf("reopen (cached %v) of an unsaved login: %v", cached, err)
			}
		}
	})
}

func TestWrongAnswers(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	ctx := context.Background()
	resp, err := s.client.Authorize(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "Greatday", Password: "Everyday", Save: true})
	if err != nil {
		t.Fatal(err)
	}
	wrong := flinks.SecurityResponses{"What shape do people like most?": {"Circle"}}

	// Two wrong answers leave the round open...
	for i := range 2 {
		_, err := s.client.Answer(ctx, resp.RequestId, wrong)
		e := apiErr(t, err)
		if e.StatusCode != 401 || e.Body.FlinksCode != flinks.CodeInvalidSecurityResponse || e.Body.RequestId != resp.RequestId {
			t.Fatalf("wrong answer %d: %v (RequestId %q)", i+1, err, e.Body.RequestId)
		}
		if left := []string{"2 attempts left", "1 attempt left"}[i]; !strings.Contains(e.Body.Message, left) {
			t.Errorf("wrong answer %d: message %q does not say %q", i+1, e.Body.Message, left)
		}
	}
	// ...and an empty answer shows it again.
	again, err := s.client.Answer(ctx, resp.RequestId, nil)
	if err != nil || !again.Challenged() || again.RequestId != resp.RequestId {
		t.Fatalf("empty answer: %+v, %v", again, err)
	}
	// The third wrong answer ends the session.
	_, err = s.client.Answer(ctx, resp.RequestId, wrong)
	if e := apiErr(t, err); e.Body.FlinksCode != flinks.CodeInvalidSecurityResponse || !strings.Contains(e.Body.Message, "no attempts") {
		t.Fatalf("third wrong answer: %v", err)
	}
	_, err = s.client.Answer(ctx, resp.RequestId, flinks.SecurityResponses{"What shape do people like most?": {"Triangle"}})
	if e := apiErr(t, err); e.StatusCode != 400 || e.Body.FlinksCode != flinks.CodeSessionNonexistent {
		t.Fatalf("answer after the session failed: %v", err)
	}

	// A retry after one wrong answer succeeds.
	resp, err = s.client.Authorize(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "Greatday", Password: "Everyday"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.client.Answer(ctx, resp.RequestId, wrong); client.Code(err) != flinks.CodeInvalidSecurityResponse {
		t.Fatalf("wrong answer: %v", err)
	}
	if done, err := s.client.Answer(ctx, resp.RequestId, flinks.SecurityResponses{"What shape do people like most?": {"Triangle"}}); err != nil || done.HttpStatusCode != 200 {
		t.Fatalf("right answer after a wrong one: %+v, %v", done, err)
	}
}

// TestErrors sends one request per error of the Authorize error table and
// checks status, FlinksCode and the Flinks body shape.
func TestErrors(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	challenged := s.post("Authorize", `{"Institution":"FlinksCapital","Username":"Greatday","Password":"Everyday","Save":true}`)
	rid := str(challenged.json, "RequestId")
	authorized := s.post("Authorize", `{"Institution":"FlinksCapital","Username":"greatday_nomfa","Password":"Everyday","Save":true}`)
	loginID := str(authorized.json, "Login", "Id")
	foreign := startForeignLogin(t, s)

	tests := []struct {
		name   string
		method string
		path   string // relative to the sandbox customer's BankingServices, or absolute when it starts with /
		body   string
		status int
		code   flinks.Code
	}{
		{"wrong password", "POST", "Authorize", `{"Institution":"FlinksCapital","Username":"Greatday","Password":"WrongPassword"}`, 401, flinks.CodeInvalidPassword},
		{"unknown user", "POST", "Authorize", `{"Institution":"FlinksCapital","Username":"nobody","Password":"Everyday"}`, 401, flinks.CodeInvalidUsername},
		{"disabled account", "POST", "Authorize", `{"Institution":"FlinksCapital","Username":"test_disabled_account","Password":"Everyday"}`, 401, flinks.CodeDisabledLogin},
		{"service unavailable", "POST", "Authorize", `{"Institution":"FlinksCapital","Username":"test_service_unavailable","Password":"Everyday"}`, 401, flinks.CodeRetryLater},
		{"new account", "POST", "Authorize", `{"Institution":"FlinksCapital","Username":"test_new_account","Password":"Everyday"}`, 401, flinks.CodeNewAccount},
		{"unknown institution", "POST", "Authorize", `{"Institution":"NoSuchBank","Username":"Greatday","Password":"Everyday"}`, 400, flinks.CodeInvalidRequest},
		{"missing password", "POST", "Authorize", `{"Institution":"FlinksCapital","Username":"Greatday"}`, 400, flinks.CodeInvalidRequest},
		{"empty body", "POST", "Authorize", ``, 400, flinks.CodeInvalidRequest},
		{"cached without LoginId", "POST", "Authorize", `{"MostRecentCached":true}`, 400, flinks.CodeInvalidRequest},
		{"malformed JSON", "POST", "Authorize", `{"Institution":`, 400, flinks.CodeInvalidRequest},
		{"not an object", "POST", "Authorize", `["Greatday"]`, 400, flinks.CodeInvalidRequest},
		{"wrong type", "POST", "Authorize", `{"Username":42}`, 400, flinks.CodeInvalidRequest},
		{"bad boolean", "POST", "Authorize", `{"Save":"sometimes"}`, 400, flinks.CodeInvalidRequest},
		{"trailing data", "POST", "Authorize", `{} {}`, 400, flinks.CodeInvalidRequest},
		{"bad language", "POST", "Authorize", `{"Institution":"FlinksCapital","Username":"Greatday","Password":"Everyday","Language":"de"}`, 400, flinks.CodeInvalidRequest},
		{"unknown RequestId", "POST", "Authorize", `{"RequestId":"11111111-2222-3333-4444-555555555555","SecurityResponses":{"a":["b"]}}`, 400, flinks.CodeSessionNonexistent},
		{"key matching no prompt", "POST", "Authorize", `{"RequestId":"` + rid + `","SecurityResponses":{"What is your name?":["x"]}}`, 401, flinks.CodeUnknownChallengeKey},
		{"answer of the wrong shape", "POST", "Authorize", `{"RequestId":"` + rid + `","SecurityResponses":{"What shape do people like most?":{"a":1}}}`, 400, flinks.CodeInvalidRequest},
		{"unknown LoginId", "POST", "Authorize", `{"LoginId":"11111111-2222-3333-4444-555555555555","MostRecentCached":true}`, 401, flinks.CodeInvalidLogin},
		{"foreign LoginId, cached", "POST", "Authorize", `{"LoginId":"` + foreign + `","MostRecentCached":true}`, 401, flinks.CodeInvalidLogin},
		{"foreign LoginId, live", "POST", "Authorize", `{"LoginId":"` + foreign + `","MostRecentCached":false}`, 401, flinks.CodeInvalidLogin},
		{"authorize an authorized session", "POST", "Authorize", `{"RequestId":"` + str(authorized.json, "RequestId") + `","SecurityResponses":{}}`, 400, flinks.CodeAlreadyAuthorized},
		{"unknown endpoint", "POST", "NoSuchOperation", `{}`, 404, flinks.CodeMethodNotAvailable},
		{"unknown path", "GET", "/nothing/here", ``, 404, flinks.CodeMethodNotAvailable},
		{"wrong method", "GET", "Authorize", ``, 405, flinks.CodeMethodNotAvailable},
		{"body over 1 MiB", "POST", "Authorize", `{"Tag":"` + strings.Repeat("x", 1<<20) + `"}`, 413, flinks.CodeInvalidRequest},
	}
	// The requests that break the OpenAPI document on purpose: only their
	// responses are validated.
	offDocument := map[string]bool{"malformed JSON": true, "not an object": true, "wrong type": true, "bad boolean": true,
		"trailing data": true, "answer of the wrong shape": true, "unknown endpoint": true, "unknown path": true, "wrong method": true}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.path
			if !strings.HasPrefix(path, "/") {
				path = "/v3/" + sandboxCustomer + "/BankingServices/" + path
			}
			send := s.doWith
			if offDocument[tt.name] {
				send = s.doBad
			}
			r := send(tt.method, path, tt.body, nil)
			checkFlinksShape(t, r)
			if r.status != tt.status || str(r.json, "FlinksCode") != string(tt.code) {
				t.Errorf("got %d %s, want %d %s: %s", r.status, str(r.json, "FlinksCode"), tt.status, tt.code, r.body)
			}
		})
	}
	// None of the errors above moved the challenged session: it still
	// takes the right answer.
	r := s.post("Authorize", `{"RequestId":"`+rid+`","SecurityResponses":{"What shape do people like most?":["Triangle"]}}`)
	if r.status != 200 {
		t.Errorf("right answer after the errors: %d %s", r.status, r.body)
	}
	if loginID == "" {
		t.Error("greatday_nomfa returned no LoginId")
	}
}

// startForeignLogin saves a login under another customer and returns its
// LoginId.
func startForeignLogin(t *testing.T, s *server) string {
	t.Helper()
	resp, err := s.clientFor("9e0bd9a4-0000-4000-8000-00000000f0f0").Authorize(context.Background(), flinks.AuthorizeRequest{
		Institution: "FlinksCapital", Username: "greatday_nomfa", Password: "Everyday", Save: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	return resp.Login.Id
}

// TestForeignLoginIsIndistinguishable checks that another customer's
// LoginId gets exactly the answer of a LoginId that does not exist.
func TestForeignLoginIsIndistinguishable(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	foreign := startForeignLogin(t, s)
	for _, cached := range []string{"true", "false"} {
		a := s.post("Authorize", `{"LoginId":"`+foreign+`","MostRecentCached":`+cached+`}`)
		b := s.post("Authorize", `{"LoginId":"00000000-0000-4000-8000-000000000000","MostRecentCached":`+cached+`}`)
		if a.status != b.status || !bytes.Equal(a.body, b.body) {
			t.Errorf("cached=%s: foreign %d %s, unknown %d %s", cached, a.status, a.body, b.status, b.body)
		}
	}
}

func TestLeniency(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)

	// Keys in any case, booleans as strings, unknown keys, a path in
	// another case.
	r := s.do("POST", "/V3/"+sandboxCustomer+"/bankingservices/authorize",
		`{"institution":"FlinksCapital","USERNAME":"GreatDay","password":"EveryDay","save":"True","mostRecentCached":"","HttpStatusCode":0,"authorizeToken":"x","Whatever":[1,2]}`)
	checkFlinksShape(t, r)
	if r.status != 203 {
		t.Fatalf("lenient first call: %d %s", r.status, r.body)
	}
	rid := str(r.json, "RequestId")
	// A PascalCased prompt key, a bare string answer, credentials repeated
	// on the answer call.
	r = s.post("Authorize", `{"requestId":"`+rid+`","securityResponses":{"WhatShapeDoPeopleLikeMost?":"Triangle"},"Username":"Greatday"}`)
	checkFlinksShape(t, r)
	if r.status != 200 {
		t.Fatalf("lenient answer: %d %s", r.status, r.body)
	}
	loginID := str(r.json, "Login", "Id")
	r = s.post("Authorize", `{"loginid":"`+loginID+`","MostRecentCached":"true","Tag":"t1"}`)
	if r.status != 200 || str(r.json, "Tag") != "t1" {
		t.Fatalf("cached with string boolean: %d %s", r.status, r.body)
	}
}

func TestSessionExpiry(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	ctx := context.Background()
	start := func() string {
		resp, err := s.client.Authorize(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "Greatday", Password: "Everyday"})
		if err != nil || !resp.Challenged() {
			t.Fatalf("%+v, %v", resp, err)
		}
		return resp.RequestId
	}
	answer := flinks.SecurityResponses{"What shape do people like most?": {"Triangle"}}

	// Just under 8 minutes idle: the answer is taken.
	rid := start()
	s.clock.Advance(8*time.Minute - time.Second)
	if _, err := s.client.Answer(ctx, rid, answer); err != nil {
		t.Fatalf("answer after 7m59s: %v", err)
	}
	// 8 minutes idle: the RequestId has expired.
	rid = start()
	s.clock.Advance(8 * time.Minute)
	_, err := s.client.Answer(ctx, rid, answer)
	if e := apiErr(t, err); e.StatusCode != 400 || e.Body.FlinksCode != flinks.CodeSessionNonexistent || !strings.Contains(e.Body.Message, "expired") {
		t.Fatalf("answer after 8m: %v", err)
	}
	// An empty answer is activity: it keeps the session alive.
	rid = start()
	for range 3 {
		s.clock.Advance(5 * time.Minute)
		if _, err := s.client.Answer(ctx, rid, nil); err != nil {
			t.Fatalf("keep-alive: %v", err)
		}
	}
	if _, err := s.client.Answer(ctx, rid, answer); err != nil {
		t.Fatalf("answer after keep-alives: %v", err)
	}
}

func TestAnswerReplayedAfter200(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	first := s.post("Authorize", seedAuthorizeBody)
	body := strings.Replace(seedAnswerBody, seedRequestID, str(first.json, "RequestId"), 1)
	if r := s.post("Authorize", body); r.status != 200 {
		t.Fatalf("answer: %d %s", r.status, r.body)
	}
	r := s.post("Authorize", body)
	checkFlinksShape(t, r)
	if r.status != 400 || str(r.json, "FlinksCode") != string(flinks.CodeAlreadyAuthorized) {
		t.Fatalf("replayed answer: %d %s", r.status, r.body)
	}
}

func TestConcurrentAnswers(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	ctx := context.Background()
	for round := range 5 {
		resp, err := s.client.Authorize(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "Greatday", Password: "Everyday", Save: true})
		if err != nil {
			t.Fatal(err)
		}
		const n = 8
		var wg sync.WaitGroup
		results := make([]error, n)
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, results[i] = s.client.Answer(ctx, resp.RequestId, flinks.SecurityResponses{"What shape do people like most?": {"Triangle"}})
			}()
		}
		close(start)
		wg.Wait()
		wins := 0
		for _, err := range results {
			switch code := client.Code(err); {
			case err == nil:
				wins++
			case code == flinks.CodeConcurrentSession || code == flinks.CodeAlreadyAuthorized:
			default:
				t.Errorf("round %d: a losing answer got %v", round, err)
			}
		}
		if wins != 1 {
			t.Fatalf("round %d: %d answers won, want exactly 1", round, wins)
		}
	}
}

func TestMFASurvivesRestart(t *testing.T) {
	t.Parallel()
	dataDir := t.TempDir()
	clk := newClock()
	s := startServer(t, dataDir, clk)
	resp, err := s.client.Authorize(context.Background(), flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "Greatday", Password: "Everyday", Save: true})
	if err != nil || !resp.Challenged() {
		t.Fatalf("%+v, %v", resp, err)
	}
	s.stop()

	s2 := startServer(t, dataDir, clk)
	done, err := s2.client.Answer(context.Background(), resp.RequestId, flinks.SecurityResponses{"What shape do people like most?": {"Triangle"}})
	if err != nil || done.RequestId != resp.RequestId || done.Login == nil {
		t.Fatalf("answer after restart: %+v, %v", done, err)
	}
	// The saved login reopens live with its sealed credentials and answer.
	live, err := s2.client.AuthorizeLive(context.Background(), done.Login.Id, true)
	if err != nil || live.Challenged() {
		t.Fatalf("live reopen after restart: %+v, %v", live, err)
	}
}

// TestNoPlaintextSecrets runs a saved MFA flow and a live reopen, then
// searches the database and its WAL for the password and the answer.
func TestNoPlaintextSecrets(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	ctx := context.Background()
	resp, err := s.client.AuthorizeWithMFA(ctx, flinks.AuthorizeRequest{
		Institution: "FlinksCapital", Username: "greatday_allquestions", Password: "Everyday", Save: true,
	}, answerSandbox)
	if err != nil {
		t.Fatal(err)
	}
	// A conversation left open holds a password too.
	if _, err := s.client.Authorize(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "Greatday", Password: "Everyday", Save: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.client.AuthorizeLive(ctx, resp.Login.Id, true); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(s.dataDir, "bankfeed.db*"))
	if len(files) < 2 {
		t.Fatalf("expected the database and its WAL, found %v", files)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lower := bytes.ToLower(data)
		// The password and the one answer that no bank data contains: the
		// other sandbox answers, "Montreal" and "Canada", are also words
		// of the stored transactions and addresses (PETRO-CANADA).
		for _, secret := range []string{"everyday", "triangle"} {
			if bytes.Contains(lower, []byte(secret)) {
				t.Errorf("%s contains %q in plaintext", filepath.Base(f), secret)
			}
		}
	}
}

func TestHealthAndCommands(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	r := s.do("GET", "/healthz", "")
	checkFlinksShape(t, r)
	if r.status != 200 {
		t.Errorf("healthz: %d %s", r.status, r.body)
	}
}

// TestRejectedAnswerIsNotStored checks that a wrong answer the bank answers
// with another round (RBC's triple MFA) is not stored: a live reopen asks
// the question again instead of replaying the wrong answer.
func TestRejectedAnswerIsNotStored(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	ctx := context.Background()
	resp, err := s.client.Authorize(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "mfa_triple", Password: "Everyday", Save: true})
	if err != nil {
		t.Fatal(err)
	}
	resp, err = s.client.Answer(ctx, resp.RequestId, flinks.SecurityResponses{"What shape do people like most?": {"Circle"}})
	if err != nil || len(resp.SecurityChallenges) != 3 {
		t.Fatalf("wrong answer: %+v, %v; want the triple round", resp, err)
	}
	done, err := s.client.Answer(ctx, resp.RequestId, flinks.SecurityResponses{
		"What is the name of your mother": {"Louise"}, "What is the name of your father": {"Paul"}, "What is the name of your dog": {"Wouf"},
	})
	if err != nil || done.Login == nil {
		t.Fatalf("triple round: %+v, %v", done, err)
	}
	live, err := s.client.AuthorizeLive(ctx, done.Login.Id, true)
	if err != nil || !live.Challenged() || live.SecurityChallenges[0].Prompt != "What shape do people like most?" {
		t.Fatalf("live reopen: %+v, %v; want the shape question asked again", live, err)
	}
	// Answered right this time, it is stored and replayed.
	if _, err := s.client.Answer(ctx, live.RequestId, flinks.SecurityResponses{"What shape do people like most?": {"Triangle"}}); err != nil {
		t.Fatal(err)
	}
	if again, err := s.client.AuthorizeLive(ctx, done.Login.Id, true); err != nil || again.Challenged() {
		t.Fatalf("second live reopen: %+v, %v; want a 200 from the stored answer", again, err)
	}
}

// TestReopenWithoutSaveKeepsBankState checks that a live reopen without
// Save stores no answer but keeps what the bank remembers of the device.
func TestReopenWithoutSaveKeepsBankState(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	ctx := context.Background()
	resp, err := s.client.AuthorizeWithMFA(ctx, flinks.AuthorizeRequest{
		Institution: "FlinksCapital", Username: "greatday_rotating", Password: "Everyday", Save: true,
	}, answerSandbox)
	if err != nil {
		t.Fatal(err)
	}
	ask := func(save bool) *flinks.AuthorizeResponse {
		t.Helper()
		live, err := s.client.AuthorizeLive(ctx, resp.Login.Id, save)
		if err != nil || !live.Challenged() {
			t.Fatalf("live reopen: %+v, %v", live, err)
		}
		responses, _ := answerSandbox(ctx, live.SecurityChallenges)
		if _, err := s.client.Answer(ctx, live.RequestId, responses); err != nil {
			t.Fatal(err)
		}
		return live
	}
	if got := ask(false).SecurityChallenges[0].Prompt; got != "What city were you born in?" {
		t.Fatalf("first reopen asked %q", got)
	}
	if got := ask(false).SecurityChallenges[0].Prompt; got != "What is the best country on earth?" {
		t.Fatalf("second reopen asked %q; the bank's rotation did not move on", got)
	}
	// Nothing was saved without Save: the city is asked again when its turn
	// comes round, after the stored shape question.
	if live, err := s.client.AuthorizeLive(ctx, resp.Login.Id, false); err != nil || live.Challenged() {
		t.Fatalf("third reopen (shape, stored): %+v, %v", live, err)
	}
	if got := ask(false).SecurityChallenges[0].Prompt; got != "What city were you born in?" {
		t.Fatalf("fourth reopen asked %q", got)
	}
}
