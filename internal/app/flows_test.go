package app_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/bankfeed/bankfeed/client"
	"github.com/bankfeed/bankfeed/flinks"
)

// End-to-end tests of every embedded sandbox flow (the seed's "Special
// Authorize Flows"), through the real server. Each top-level test runs its
// own server; its subtests run one after the other, since some of them move
// the server's clock.

// The seed's request bodies for the special flows, verbatim. The seed's
// examples all use seedDocRequestID; the tests replace it, and only it.
const (
	seedDocRequestID = "2b000833-0bf4-4705-9ef8-80d4572af4c4"

	// Case 1 (RBC): the response to the triple MFA.
	seedTripleAnswerBody = `{
"RequestId" : "2b000833-0bf4-4705-9ef8-80d4572af4c4",
"SecurityResponses" : {
"What is the name of your mother" : [ "Louise" ],
"What is the name of your father" : [ "Paul" ],
"What is the name of your dog" : [ "Wouf" ]
}
}`

	// Case 5 (Scotia): "Example: Step 2 Response". The seed's body lacks
	// the comma between its two keys.
	seedScotiaStep2Body = `{
"RequestId" : "2b000833-0bf4-4705-9ef8-80d4572af4c4",
"SecurityResponses" : {
"Choose one of the following:" : [
"None of the above"
]
"What purchases did you make over the last 10 days?" : [
"Purchase 1: $10.35",
"Purchase 3: $143.86"
]
}
}`

	// Case 6 (TD): Step 1, 2 and 3 requests.
	seedTDStep1Body = `{
"Institution" : "TD",
"Username" : "{username}",
"Password" : "{password}",
"save" : true
}`
	seedTDStep2Body = `{
"RequestId" : "2b000833-0bf4-4705-9ef8-80d4572af4c4",
"SecurityResponses" : {
"PhoneNumber #2" : [ "Text" ]
}
}`
	seedTDStep3Body = `{
"RequestId" : "2b000833-0bf4-4705-9ef8-80d4572af4c4",
"SecurityResponses" : {
"Enter the security code" : [ "123456" ]
}
}`

	// Case 7 (RBC): trusted device, Step 1 and Step 2 API calls.
	seedDeviceStep1Body = `{
"LoginId": "{LoginId}",
"MostRecentCached": false,
"Save": true
}`
	seedDeviceStep2Body = `{
"RequestId": "{RequestId}",
"SecurityResponses": {
"Please verify your identity on your trusted device": [
"VERIFIED"
]
}
}`
)

// The prompts of the embedded scenarios, in English and French.
const (
	promptShape   = "What shape do people like most?"
	promptCity    = "What city were you born in?"
	promptCountry = "What is the best country on earth?"
	promptMother  = "What is the name of your mother"
	promptFather  = "What is the name of your father"
	promptDog     = "What is the name of your dog"
	promptPVQ     = "Personal Verification Question " // + 1, 2, 3
	promptImage   = "Select an image"
	promptSecurID = "Enter your SecurID"
	promptChoose  = "Choose one of the following:"
	promptBuys    = "What purchases did you make over the last 10 days?"
	promptPhone   = "Choose a phone number"
	promptCode    = "Enter the security code"
	promptDevice  = "Please verify your identity on your trusted device"

	promptShapeFr  = "Quelle forme les gens préfèrent-ils?"
	promptMotherFr = "Quel est le nom de votre mère"
	promptFatherFr = "Quel est le nom de votre père"
	promptDogFr    = "Quel est le nom de votre chien"
	promptPVQFr    = "Question de vérification personnelle "
	promptChooseFr = "Choisissez l'une des options suivantes :"
	promptBuysFr   = "Quels achats avez-vous faits au cours des 10 derniers jours?"
	promptPhoneFr  = "Choisissez un numéro de téléphone"
	promptCodeFr   = "Entrez le code de sécurité"
)

// The options of the embedded scenarios.
var (
	newQuestions = []string{
		"What is the name of my mother", "What is the name of my dog", "What is the name of my father",
		"What was the make of my first car", "What is my favourite colour", "In what city did I meet my spouse",
	}
	newQuestionsFr = []string{
		"Quel est le nom de ma mère", "Quel est le nom de mon chien", "Quel est le nom de mon père",
		"Quelle était la marque de ma première voiture", "Quelle est ma couleur préférée", "Dans quelle ville ai-je rencontré mon conjoint",
	}
	scotiaChoices   = []string{"I have a car loan with Scotiabank", "I have a mortgage with Scotiabank", "I have a line of credit with Scotiabank", "None of the above"}
	scotiaChoicesFr = []string{"J'ai un prêt auto à la Banque Scotia", "J'ai un prêt hypothécaire à la Banque Scotia", "J'ai une marge de crédit à la Banque Scotia", "Aucune de ces réponses"}
	scotiaBuys      = []string{"Purchase 1: $10.35", "Purchase 2: $73.42", "Purchase 3: $143.86", "None of the above"}
	scotiaBuysFr    = []string{"Achat 1 : 10,35 $", "Achat 2 : 73,42 $", "Achat 3 : 143,86 $", "Aucune de ces réponses"}
	tdPhones        = []string{"514-555-0101", "514-555-0134", "438-555-0199"}
	// imageNames are the images of the ImageSelection challenge, in order;
	// the user's is the 6th, dog.
	imageNames = []string{"apple", "boat", "car", "cat", "cloud", "dog", "fish", "flower", "heart", "house", "key", "moon", "star", "sun", "tree", "umbrella"}
)

// deviceApproval is the trusted device's approval delay of the scenarios.
const deviceApproval = 5 * time.Second

// chal is a challenge's Type and Prompt, what a round is compared on.
type chal struct {
	Type   flinks.ChallengeType
	Prompt string
}

func qa(prompt string) chal { return chal{flinks.QuestionAndAnswer, prompt} }

// startFlowServer starts a server whose SDK client (s.client) checks every
// response it receives, as checkFlinksShape does for raw ones, and fails on
// any 5xx. The checks report on t, the top-level test.
func startFlowServer(t *testing.T) *server {
	t.Helper()
	s := startServer(t, "", nil)
	c, err := client.New(s.url, sandboxCustomer, client.WithHTTPClient(&http.Client{Transport: shapeCheckingTransport{t}}))
	if err != nil {
		t.Fatal(err)
	}
	s.client = c
	return s
}

// shapeCheckingTransport runs checkFlinksShape on every response, after
// validating it against the OpenAPI document.
type shapeCheckingTransport struct{ t *testing.T }

func (tr shapeCheckingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := validatingTransport(tr.t, nil).RoundTrip(req)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	res.Body = io.NopCloser(bytes.NewReader(data))
	r := rawResponse{status: res.StatusCode, header: res.Header, body: data}
	if err := json.Unmarshal(data, &r.json); err != nil {
		tr.t.Errorf("%s %s: body is not a JSON object: %v\n%.300s", req.Method, req.URL.Path, err, data)
		return res, nil
	}
	checkFlinksShape(tr.t, r)
	if res.StatusCode >= 500 {
		tr.t.Errorf("%s %s: HTTP %d: %.300s", req.Method, req.URL.Path, res.StatusCode, data)
	}
	return res, nil
}

// postAuthorize sends body verbatim to /Authorize and checks the response's
// shape; a 5xx fails the test.
func postAuthorize(t *testing.T, s *server, body string) rawResponse {
	t.Helper()
	r := s.post("Authorize", body)
	checkFlinksShape(t, r)
	if r.status >= 500 {
		t.Errorf("HTTP %d: %s", r.status, r.body)
	}
	return r
}

// withRequestID replaces the seed's RequestId in body by rid.
func withRequestID(t *testing.T, body, rid string) string {
	t.Helper()
	for _, placeholder := range []string{seedDocRequestID, "{RequestId}"} {
		if strings.Contains(body, placeholder) {
			return strings.Replace(body, placeholder, rid, 1)
		}
	}
	t.Fatalf("body holds no RequestId to replace: %s", body)
	return ""
}

// decodeAuthorize reads a raw 200 or 203 into an AuthorizeResponse.
func decodeAuthorize(t *testing.T, r rawResponse) *flinks.AuthorizeResponse {
	t.Helper()
	if r.status != 200 && r.status != 203 {
		t.Fatalf("HTTP %d, want 200 or 203: %s", r.status, r.body)
	}
	var resp flinks.AuthorizeResponse
	if err := json.Unmarshal(r.body, &resp); err != nil {
		t.Fatalf("%v: %s", err, r.body)
	}
	return &resp
}

// describe summarises a response without the images' kilobytes.
func describe(resp *flinks.AuthorizeResponse) string {
	if resp == nil {
		return "no response"
	}
	if !resp.Challenged() {
		login := "no Login"
		if resp.Login != nil {
			login = "LoginId " + resp.Login.Id
		}
		return fmt.Sprintf("HTTP %d from %s, %s", resp.HttpStatusCode, resp.Institution, login)
	}
	var parts []string
	for _, c := range resp.SecurityChallenges {
		parts = append(parts, fmt.Sprintf("%s %q (%d options)", c.Type, c.Prompt, len(c.Iterables)))
	}
	return "203 asking " + strings.Join(parts, ", ")
}

// wantRound checks that resp is a 203 asking exactly the challenges want, in
// order, with the Links of a 203.
func wantRound(t *testing.T, resp *flinks.AuthorizeResponse, err error, want ...chal) *flinks.AuthorizeResponse {
	t.Helper()
	if err != nil {
		t.Fatalf("got %v, want a 203 asking %v", err, want)
	}
	if !resp.Challenged() {
		t.Fatalf("got %s, want a 203 asking %v", describe(resp), want)
	}
	got := make([]chal, len(resp.SecurityChallenges))
	for i, c := range resp.SecurityChallenges {
		got[i] = chal{c.Type, c.Prompt}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("203 asks %v, want %v", got, want)
	}
	if resp.RequestId == "" || resp.Login != nil {
		t.Errorf("203 with RequestId %q and Login %v", resp.RequestId, resp.Login)
	}
	if len(resp.Links) != 1 || resp.Links[0].Rel != "Authorization" || resp.Links[0].Href != "/Authorize" {
		t.Errorf("203 Links = %+v, want the Authorization link", resp.Links)
	}
	return resp
}

// wantAuthorized checks that resp is a 200 of institution with a LoginId.
func wantAuthorized(t *testing.T, resp *flinks.AuthorizeResponse, err error, institution string) *flinks.AuthorizeResponse {
	t.Helper()
	if err != nil {
		t.Fatalf("got %v, want a 200", err)
	}
	if resp.HttpStatusCode != 200 || resp.Login == nil || resp.Login.Id == "" || len(resp.SecurityChallenges) > 0 {
		t.Fatalf("got %s, want a 200 with a Login", describe(resp))
	}
	if resp.Institution != institution {
		t.Errorf("Institution = %q, want %q", resp.Institution, institution)
	}
	if resp.Login.Username == "" {
		t.Error("Login.Username is empty")
	}
	return resp
}

// wantError checks that err is the API error status/code.
func wantError(t *testing.T, resp *flinks.AuthorizeResponse, err error, status int, code flinks.Code) *client.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("got %s, want %d %s", describe(resp), status, code)
	}
	e := apiErr(t, err)
	if e.StatusCode != status || e.Body.FlinksCode != code {
		t.Fatalf("got %v, want %d %s", err, status, code)
	}
	return e
}

// wantRawError checks a raw response for an error status/code.
func wantRawError(t *testing.T, r rawResponse, status int, code flinks.Code) {
	t.Helper()
	if r.status != status || str(r.json, "FlinksCode") != string(code) {
		t.Fatalf("got %d %s, want %d %s: %.500s", r.status, str(r.json, "FlinksCode"), status, code, r.body)
	}
}

// begin starts a live login and returns its first round, which must be a
// 203.
func begin(t *testing.T, s *server, institution, username, language string, save bool) *flinks.AuthorizeResponse {
	t.Helper()
	resp, err := s.client.Authorize(context.Background(), flinks.AuthorizeRequest{
		Institution: institution, Username: username, Password: "Everyday", Language: language, Save: flinks.Bool(save),
	})
	if err != nil {
		t.Fatalf("login %s/%s: %v", institution, username, err)
	}
	if !resp.Challenged() {
		t.Fatalf("login %s/%s: %s, want a 203", institution, username, describe(resp))
	}
	return resp
}

// sandboxAnswer holds the right answers of the embedded scenarios' plain
// questions, by prompt in both languages.
var sandboxAnswer = map[string]string{
	promptShape: "Triangle", promptShapeFr: "Triangle",
	promptCity: "Montréal", "Dans quelle ville êtes-vous né?": "Montreal",
	promptCountry: "Canada", "Quel est le meilleur pays au monde?": "Canada",
	promptMother: "Louise", promptMotherFr: "Louise",
	promptFather: "Paul", promptFatherFr: "Paul",
	promptDog: "Wouf", promptDogFr: "Wouf",
	promptSecurID: "482913", "Entrez votre SecurID": "482913",
	promptCode: "123456", promptCodeFr: "123456",
}

// solveRound answers any round of the embedded scenarios right, in either
// language. For a trusted device it first advances the clock past the
// approval delay.
func solveRound(t *testing.T, s *server, cs []flinks.SecurityChallenge) flinks.SecurityResponses {
	t.Helper()
	out := flinks.SecurityResponses{}
	for _, c := range cs {
		switch c.Type {
		case flinks.QuestionAndAnswer:
			if len(c.Iterables) > 0 {
				// "Personal Verification Question N": choose the Nth question.
				n := int(c.Prompt[len(c.Prompt)-1] - '1')
				if n < 0 || n >= len(c.Iterables) {
					t.Fatalf("cannot choose a question for %q", c.Prompt)
				}
				out[c.Prompt] = []string{c.Iterables[n], "Answer " + c.Prompt[len(c.Prompt)-1:]}
				continue
			}
			a, ok := sandboxAnswer[c.Prompt]
			if !ok {
				t.Fatalf("no answer for %q", c.Prompt)
			}
			out[c.Prompt] = []string{a}
		case flinks.MultipleChoice:
			out[c.Prompt] = []string{c.Iterables[len(c.Iterables)-1]} // None of the above
		case flinks.MultipleChoiceMultipleAnswers:
			out[c.Prompt] = []string{c.Iterables[0], c.Iterables[2]} // purchases 1 and 3
		case flinks.ImageSelection:
			out[c.Prompt] = []string{c.Iterables[5]} // the dog
		case flinks.TextOrCall:
			out[c.Iterables[1]] = []string{"Text"} // the seed's way: keyed by the phone
		case flinks.WaitUntilEUAccept:
			s.clock.Advance(deviceApproval)
			out[c.Prompt] = []string{"VERIFIED"}
		default:
			t.Fatalf("no answer for a %s challenge", c.Type)
		}
	}
	return out
}

// walk answers every round from resp on with solveRound (the first one
// wrong when wrongFirst) and returns the rounds asked, and the final
// response or error.
func walk(t *testing.T, s *server, resp *flinks.AuthorizeResponse, err error, wrongFirst bool) ([][]flinks.SecurityChallenge, *flinks.AuthorizeResponse, error) {
	t.Helper()
	var rounds [][]flinks.SecurityChallenge
	for i := 0; err == nil && resp.Challenged(); i++ {
		if i == 10 {
			t.Fatalf("still challenged after %d rounds", i)
		}
		rounds = append(rounds, resp.SecurityChallenges)
		responses := solveRound(t, s, resp.SecurityChallenges)
		if wrongFirst && i == 0 {
			if len(responses) != 1 {
				t.Fatalf("wrongFirst on a round of %d challenges", len(responses))
			}
			for k := range responses {
				responses[k] = []string{"Circle"}
			}
		}
		resp, err = s.client.Answer(context.Background(), resp.RequestId, responses)
	}
	return rounds, resp, err
}

// saveLogin runs a saved login of institution/username through every round
// (the first answered wrong when wrongFirst) and returns its LoginId.
func saveLogin(t *testing.T, s *server, institution, username string, wrongFirst bool) string {
	t.Helper()
	first := begin(t, s, institution, username, "", true)
	_, resp, err := walk(t, s, first, nil, wrongFirst)
	return wantAuthorized(t, resp, err, institution).Login.Id
}

// TestRBCTripleMFA is the seed's Case 1: a wrong answer to RBC's question
// leads to three questions at once.
func TestRBCTripleMFA(t *testing.T) {
	t.Parallel()
	s := startFlowServer(t)
	ctx := context.Background()
	// toTriple starts an RBC login and answers its question wrong, which
	// must lead to the triple round.
	toTriple := func(t *testing.T, language string) *flinks.AuthorizeResponse {
		t.Helper()
		first := begin(t, s, "RBC", "Greatday", language, false)
		prompt := first.SecurityChallenges[0].Prompt
		resp, err := s.client.Answer(ctx, first.RequestId, flinks.SecurityResponses{prompt: {"Circle"}})
		if language == "fr" {
			wantRound(t, resp, err, qa(promptMotherFr), qa(promptFatherFr), qa(promptDogFr))
		} else {
			wantRound(t, resp, err, qa(promptMother), qa(promptFather), qa(promptDog))
		}
		if resp.RequestId != first.RequestId {
			t.Errorf("the triple round has RequestId %q, the session %q", resp.RequestId, first.RequestId)
		}
		for _, c := range resp.SecurityChallenges {
			if len(c.Iterables) != 0 {
				t.Errorf("%q has Iterables %v", c.Prompt, c.Iterables)
			}
		}
		return resp
	}
	right := flinks.SecurityResponses{promptMother: {"Louise"}, promptFather: {"Paul"}, promptDog: {"Wouf"}}
	with := func(changes flinks.SecurityResponses, drop ...string) flinks.SecurityResponses {
		out := flinks.SecurityResponses{}
		for k, v := range right {
			out[k] = v
		}
		for k, v := range changes {
			out[k] = v
		}
		for _, k := range drop {
			delete(out, k)
		}
		return out
	}

	t.Run("right answer", func(t *testing.T) {
		first := wantRound(t, begin(t, s, "RBC", "Greatday", "", false), nil, qa(promptShape))
		if len(first.SecurityChallenges[0].Iterables) != 0 || first.Institution != "RBC" {
			t.Errorf("first round: %+v", first)
		}
		resp, err := s.client.Answer(ctx, first.RequestId, flinks.SecurityResponses{promptShape: {"Triangle"}})
		resp = wantAuthorized(t, resp, err, "RBC")
		if resp.Login.Username != "Greatday" || resp.RequestId != first.RequestId || resp.InstitutionId != 8 {
			t.Errorf("200: %+v, Login %+v", resp, resp.Login)
		}
	})

	t.Run("wrong answer, triple answered with the seed's body", func(t *testing.T) {
		triple := toTriple(t, "")
		r := postAuthorize(t, s, withRequestID(t, seedTripleAnswerBody, triple.RequestId))
		if r.status != 200 || str(r.json, "RequestId") != triple.RequestId || str(r.json, "Institution") != "RBC" || str(r.json, "Login", "Id") == "" {
			t.Fatalf("seed's triple answer: %d %s", r.status, r.body)
		}
	})

	t.Run("failures keep the round open", func(t *testing.T) {
		triple := toTriple(t, "")
		rid := triple.RequestId
		steps := []struct {
			name      string
			responses flinks.SecurityResponses
			status    int
			code      flinks.Code
		}{
			{"two of three answered", with(nil, promptDog), 401, flinks.CodeSecurityResponsesIncomplete},
			{"an extra key", with(flinks.SecurityResponses{"What is the name of your cat": {"Felix"}}), 401, flinks.CodeUnknownChallengeKey},
			{"one wrong", with(flinks.SecurityResponses{promptFather: {"Pierre"}}), 401, flinks.CodeInvalidSecurityResponse},
			{"two answers for one question", with(flinks.SecurityResponses{promptMother: {"Louise", "Paul"}}), 401, flinks.CodeInvalidSecurityResponse},
		}
		for _, st := range steps {
			resp, err := s.client.Answer(ctx, rid, st.responses)
			e := wantError(t, resp, err, st.status, st.code)
			if e.Body.RequestId != rid || e.Body.Institution != "RBC" {
				t.Errorf("%s: error body RequestId %q, Institution %q", st.name, e.Body.RequestId, e.Body.Institution)
			}
		}
		// Two wrong answers so far: the round is still open, unchanged.
		again, err := s.client.Answer(ctx, rid, nil)
		wantRound(t, again, err, qa(promptMother), qa(promptFather), qa(promptDog))
		resp, err := s.client.Answer(ctx, rid, right)
		wantAuthorized(t, resp, err, "RBC")
	})

	t.Run("each failure on its own session", func(t *testing.T) {
		for _, tc := range []struct {
			name      string
			responses flinks.SecurityResponses
			code      flinks.Code
		}{
			{"two of three answered", with(nil, promptFather), flinks.CodeSecurityResponsesIncomplete},
			{"one answered", flinks.SecurityResponses{promptMother: {"Louise"}}, flinks.CodeSecurityResponsesIncomplete},
			{"one wrong", with(flinks.SecurityResponses{promptDog: {"Rex"}}), flinks.CodeInvalidSecurityResponse},
			{"all wrong", flinks.SecurityResponses{promptMother: {"a"}, promptFather: {"b"}, promptDog: {"c"}}, flinks.CodeInvalidSecurityResponse},
			{"an extra key", with(flinks.SecurityResponses{"What is the name of your cat": {"Felix"}}), flinks.CodeUnknownChallengeKey},
			{"the first round's question", with(flinks.SecurityResponses{promptShape: {"Triangle"}}), flinks.CodeUnknownChallengeKey},
			{"two answers for one question", with(flinks.SecurityResponses{promptMother: {"Louise", "Paul"}}), flinks.CodeInvalidSecurityResponse},
		} {
			t.Run(tc.name, func(t *testing.T) {
				triple := toTriple(t, "")
				resp, err := s.client.Answer(ctx, triple.RequestId, tc.responses)
				wantError(t, resp, err, 401, tc.code)
			})
		}
	})

	t.Run("French", func(t *testing.T) {
		wantRound(t, begin(t, s, "RBC", "Greatday", "fr", false), nil, qa(promptShapeFr))
		triple := toTriple(t, "fr")
		resp, err := s.client.Answer(ctx, triple.RequestId, flinks.SecurityResponses{
			promptMotherFr: {"louise"}, promptFatherFr: {"PAUL"}, promptDogFr: {"Wouf"},
		})
		wantAuthorized(t, resp, err, "RBC")
	})
}

// TestRBCTrustedDevice is the seed's Case 7: a live reopen of a saved RBC
// login waits for the user's trusted device.
func TestRBCTrustedDevice(t *testing.T) {
	t.Parallel()
	s := startFlowServer(t)
	ctx := context.Background()
	device := chal{flinks.WaitUntilEUAccept, promptDevice}

	t.Run("approval after 5s", func(t *testing.T) {
		loginID := saveLogin(t, s, "RBC", "Greatday", false)
		resp, err := s.client.AuthorizeLive(ctx, loginID, true)
		wantRound(t, resp, err, device)
		if len(resp.SecurityChallenges[0].Iterables) != 0 {
			t.Errorf("WaitUntilEUAccept has Iterables %v", resp.SecurityChallenges[0].Iterables)
		}
		rid := resp.RequestId
		seedAnswer := withRequestID(t, seedDeviceStep2Body, rid)

		// Not approved yet: the same 203, again and again.
		for _, wait := range []time.Duration{0, 4 * time.Second, 999 * time.Millisecond} {
			s.clock.Advance(wait)
			r := postAuthorize(t, s, seedAnswer)
			again := decodeAuthorize(t, r)
			wantRound(t, again, nil, device)
			if again.RequestId != rid {
				t.Errorf("pending 203 RequestId %q, want %q", again.RequestId, rid)
			}
		}
		// 5s after the challenge was shown, the device has approved.
		s.clock.Advance(time.Millisecond)
		r := postAuthorize(t, s, seedAnswer)
		done := decodeAuthorize(t, r)
		done = wantAuthorized(t, done, nil, "RBC")
		if done.Login.Id != loginID || done.RequestId != rid {
			t.Errorf("200 LoginId %q RequestId %q, want %q and %q", done.Login.Id, done.RequestId, loginID, rid)
		}
		// Approvals are one-time: the next reopen asks again.
		resp, err = s.client.AuthorizeLive(ctx, loginID, true)
		wantRound(t, resp, err, device)
	})

	t.Run("seed's Step 1 body reopens", func(t *testing.T) {
		loginID := saveLogin(t, s, "RBC", "Greatday", false)
		r := postAuthorize(t, s, strings.Replace(seedDeviceStep1Body, "{LoginId}", loginID, 1))
		resp := wantRound(t, decodeAuthorize(t, r), nil, device)
		s.clock.Advance(deviceApproval)
		r = postAuthorize(t, s, withRequestID(t, seedDeviceStep2Body, resp.RequestId))
		if done := wantAuthorized(t, decodeAuthorize(t, r), nil, "RBC"); done.Login.Id != loginID {
			t.Errorf("LoginId %q, want %q", done.Login.Id, loginID)
		}
	})

	t.Run("an answer other than VERIFIED", func(t *testing.T) {
		loginID := saveLogin(t, s, "RBC", "Greatday", false)
		resp, err := s.client.AuthorizeLive(ctx, loginID, true)
		resp = wantRound(t, resp, err, device)
		// Two wrong answers: a third would end the session.
		for _, answer := range []string{"APPROVED", "yes"} {
			got, err := s.client.Answer(ctx, resp.RequestId, flinks.SecurityResponses{promptDevice: {answer}})
			wantError(t, got, err, 401, flinks.CodeInvalidSecurityResponse)
		}
		s.clock.Advance(deviceApproval)
		got, err := s.client.Answer(ctx, resp.RequestId, flinks.SecurityResponses{promptDevice: {"verified"}})
		wantAuthorized(t, got, err, "RBC")
	})

	t.Run("device denies", func(t *testing.T) {
		loginID := saveLogin(t, s, "RBC", "greatday_device_denied", false)
		resp, err := s.client.AuthorizeLive(ctx, loginID, true)
		resp = wantRound(t, resp, err, device)
		r := postAuthorize(t, s, withRequestID(t, seedDeviceStep2Body, resp.RequestId))
		wantRawError(t, r, 401, flinks.CodeUnauthorized)
		if str(r.json, "RequestId") != resp.RequestId {
			t.Errorf("error RequestId %q, want %q", str(r.json, "RequestId"), resp.RequestId)
		}
		// The refusal ended the session.
		got, err := s.client.Answer(ctx, resp.RequestId, flinks.SecurityResponses{promptDevice: {"VERIFIED"}})
		wantError(t, got, err, 400, flinks.CodeSessionNonexistent)
	})

	t.Run("a first login is not asked for the device", func(t *testing.T) {
		first := wantRound(t, begin(t, s, "RBC", "greatday_device_denied", "", true), nil, qa(promptShape))
		resp, err := s.client.Answer(ctx, first.RequestId, flinks.SecurityResponses{promptShape: {"Triangle"}})
		wantAuthorized(t, resp, err, "RBC")
	})
}

// TestRBCNewQuestions is the seed's Case 2: three lists of questions, from
// each of which the user chooses one and answers it.
func TestRBCNewQuestions(t *testing.T) {
	t.Parallel()
	s := startFlowServer(t)
	ctx := context.Background()
	pvq := func(n int) string { return fmt.Sprint(promptPVQ, n) }
	start := func(t *testing.T) *flinks.AuthorizeResponse {
		t.Helper()
		resp := wantRound(t, begin(t, s, "RBC", "greatday_newquestions", "", false), nil, qa(pvq(1)), qa(pvq(2)), qa(pvq(3)))
		for _, c := range resp.SecurityChallenges {
			if !reflect.DeepEqual(c.Iterables, newQuestions) {
				t.Fatalf("%q Iterables = %q, want %q", c.Prompt, c.Iterables, newQuestions)
			}
		}
		return resp
	}

	t.Run("three questions chosen and answered", func(t *testing.T) {
		resp := start(t)
		done, err := s.client.Answer(ctx, resp.RequestId, flinks.SecurityResponses{
			pvq(1): {"What is the name of my mother", "Louise"},
			pvq(2): {"what is the name of my DOG", "Wouf"}, // options compare on letters and digits
			pvq(3): {"In what city did I meet my spouse", "Montreal"},
		})
		wantAuthorized(t, done, err, "RBC")
	})

	for _, tc := range []struct {
		name      string
		responses flinks.SecurityResponses
	}{
		{"a question not in the list", flinks.SecurityResponses{
			pvq(1): {"What is the name of my cat", "Felix"},
			pvq(2): {"What is the name of my dog", "Wouf"},
			pvq(3): {"What is the name of my father", "Paul"}}},
		{"the same question chosen twice", flinks.SecurityResponses{
			pvq(1): {"What is the name of my mother", "Louise"},
			pvq(2): {"What is the name of my mother", "Louise"},
			pvq(3): {"What is the name of my father", "Paul"}}},
		{"a question without its answer", flinks.SecurityResponses{
			pvq(1): {"What is the name of my mother"},
			pvq(2): {"What is the name of my dog", "Wouf"},
			pvq(3): {"What is the name of my father", "Paul"}}},
		{"an empty answer", flinks.SecurityResponses{
			pvq(1): {"What is the name of my mother", ""},
			pvq(2): {"What is the name of my dog", "Wouf"},
			pvq(3): {"What is the name of my father", "Paul"}}},
		{"a blank answer", flinks.SecurityResponses{
			pvq(1): {"What is the name of my mother", "Louise"},
			pvq(2): {"What is the name of my dog", "  "},
			pvq(3): {"What is the name of my father", "Paul"}}},
		{"an answer without a question", flinks.SecurityResponses{
			pvq(1): {"Louise"},
			pvq(2): {"What is the name of my dog", "Wouf"},
			pvq(3): {"What is the name of my father", "Paul"}}},
		{"three values", flinks.SecurityResponses{
			pvq(1): {"What is the name of my mother", "Louise", "Paul"},
			pvq(2): {"What is the name of my dog", "Wouf"},
			pvq(3): {"What is the name of my father", "Paul"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := start(t)
			got, err := s.client.Answer(ctx, resp.RequestId, tc.responses)
			wantError(t, got, err, 401, flinks.CodeInvalidSecurityResponse)
		})
	}

	t.Run("a bare string", func(t *testing.T) {
		// A bare string is a one-element list: a question without its answer.
		resp := start(t)
		r := postAuthorize(t, s, `{"RequestId":"`+resp.RequestId+`","SecurityResponses":{`+
			`"Personal Verification Question 1":"What is the name of my mother",`+
			`"Personal Verification Question 2":["What is the name of my dog","Wouf"],`+
			`"Personal Verification Question 3":["What is the name of my father","Paul"]}}`)
		wantRawError(t, r, 401, flinks.CodeInvalidSecurityResponse)
	})

	t.Run("French", func(t *testing.T) {
		resp := begin(t, s, "RBC", "greatday_newquestions", "fr", false)
		p := func(n int) string { return fmt.Sprint(promptPVQFr, n) }
		wantRound(t, resp, nil, qa(p(1)), qa(p(2)), qa(p(3)))
		for _, c := range resp.SecurityChallenges {
			if !reflect.DeepEqual(c.Iterables, newQuestionsFr) {
				t.Fatalf("%q Iterables = %q, want %q", c.Prompt, c.Iterables, newQuestionsFr)
			}
		}
		done, err := s.client.Answer(ctx, resp.RequestId, flinks.SecurityResponses{
			p(1): {newQuestionsFr[0], "Louise"}, p(2): {newQuestionsFr[1], "Wouf"}, p(3): {newQuestionsFr[4], "Bleu"},
		})
		wantAuthorized(t, done, err, "RBC")
	})
}

// TestLaurentienneImageSelection is the seed's Case 3: a question, then the
// user's image among 16.
func TestLaurentienneImageSelection(t *testing.T) {
	t.Parallel()
	s := startFlowServer(t)
	ctx := context.Background()
	toImages := func(t *testing.T, city string) *flinks.AuthorizeResponse {
		t.Helper()
		first := wantRound(t, begin(t, s, "Laurentienne", "Greatday", "", false), nil, qa(promptCity))
		resp, err := s.client.Answer(ctx, first.RequestId, flinks.SecurityResponses{promptCity: {city}})
		return wantRound(t, resp, err, chal{flinks.ImageSelection, promptImage})
	}

	// The images as the scenario files hold them.
	files := make([]string, len(imageNames))
	for i, name := range imageNames {
		data, err := os.ReadFile(filepath.Join("..", "..", "connectors", "sandbox", "scenarios", "images", name+".png"))
		if err != nil {
			t.Fatal(err)
		}
		files[i] = base64.StdEncoding.EncodeToString(data)
	}

	t.Run("16 base64 PNG images, the dog passes", func(t *testing.T) {
		resp := toImages(t, "Montreal")
		images := resp.SecurityChallenges[0].Iterables
		if len(images) != 16 {
			t.Fatalf("%d images, want 16", len(images))
		}
		seen := map[string]int{}
		for i, img := range images {
			if n := len(img); n < 3600 || n > 4400 {
				t.Errorf("image %d is %d characters long, want about 4,000", i+1, n)
			}
			data, err := base64.StdEncoding.DecodeString(img)
			if err != nil {
				t.Errorf("image %d is not standard base64: %v", i+1, err)
				continue
			}
			cfg, err := png.DecodeConfig(bytes.NewReader(data))
			if err != nil {
				t.Errorf("image %d is not a PNG: %v", i+1, err)
				continue
			}
			if _, err := png.Decode(bytes.NewReader(data)); err != nil || cfg.Width == 0 || cfg.Height == 0 {
				t.Errorf("image %d does not decode: %v (%dx%d)", i+1, err, cfg.Width, cfg.Height)
			}
			if j, dup := seen[img]; dup {
				t.Errorf("images %d and %d are the same", j+1, i+1)
			}
			seen[img] = i
			if img != files[i] {
				t.Errorf("image %d is not %s.png", i+1, imageNames[i])
			}
		}
		if images[5] != files[5] || imageNames[5] != "dog" {
			t.Fatal("the 6th image is not dog.png")
		}
		done, err := s.client.Answer(ctx, resp.RequestId, flinks.SecurityResponses{promptImage: {files[5]}})
		wantAuthorized(t, done, err, "Laurentienne")
	})

	t.Run("French city name", func(t *testing.T) {
		resp := toImages(t, "montréal")
		done, err := s.client.Answer(ctx, resp.RequestId, flinks.SecurityResponses{promptImage: {resp.SecurityChallenges[0].Iterables[5]}})
		wantAuthorized(t, done, err, "Laurentienne")
	})

	t.Run("wrong city", func(t *testing.T) {
		first := begin(t, s, "Laurentienne", "Greatday", "", false)
		resp, err := s.client.Answer(ctx, first.RequestId, flinks.SecurityResponses{promptCity: {"Toronto"}})
		wantError(t, resp, err, 401, flinks.CodeInvalidSecurityResponse)
	})

	for i, name := range imageNames {
		if name == "dog" {
			continue
		}
		t.Run("image "+name, func(t *testing.T) {
			resp := toImages(t, "Montreal")
			got, err := s.client.Answer(ctx, resp.RequestId, flinks.SecurityResponses{promptImage: {files[i]}})
			wantError(t, got, err, 401, flinks.CodeInvalidSecurityResponse)
		})
	}

	t.Run("not an image", func(t *testing.T) {
		resp := toImages(t, "Montreal")
		rid := resp.RequestId
		for _, answer := range []string{"dog", "6"} {
			got, err := s.client.Answer(ctx, rid, flinks.SecurityResponses{promptImage: {answer}})
			wantError(t, got, err, 401, flinks.CodeInvalidSecurityResponse)
		}
		// Two wrong answers: the round is still open.
		got, err := s.client.Answer(ctx, rid, flinks.SecurityResponses{promptImage: {files[5]}})
		wantAuthorized(t, got, err, "Laurentienne")
	})

	t.Run("two images", func(t *testing.T) {
		resp := toImages(t, "Montreal")
		got, err := s.client.Answer(ctx, resp.RequestId, flinks.SecurityResponses{promptImage: {files[5], files[0]}})
		wantError(t, got, err, 401, flinks.CodeInvalidSecurityResponse)
	})
}

// TestNationalSecurID is the seed's Case 4: a six-digit SecurID, then a
// question.
func TestNationalSecurID(t *testing.T) {
	t.Parallel()
	s := startFlowServer(t)
	ctx := context.Background()
	start := func(t *testing.T, save bool) *flinks.AuthorizeResponse {
		t.Helper()
		resp := wantRound(t, begin(t, s, "National", "Greatday", "", save), nil, qa(promptSecurID))
		if len(resp.SecurityChallenges[0].Iterables) != 0 {
			t.Errorf("SecurID has Iterables")
		}
		return resp
	}

	for _, code := range []string{"000000", "482913"} {
		t.Run("SecurID "+code, func(t *testing.T) {
			first := start(t, false)
			resp, err := s.client.Answer(ctx, first.RequestId, flinks.SecurityResponses{promptSecurID: {code}})
			wantRound(t, resp, err, qa(promptCountry))
			done, err := s.client.Answer(ctx, first.RequestId, flinks.SecurityResponses{promptCountry: {"Canada"}})
			wantAuthorized(t, done, err, "National")
		})
	}

	for _, code := range []string{"12345", "1234567", "12a456", ""} {
		t.Run(fmt.Sprintf("SecurID %q", code), func(t *testing.T) {
			first := start(t, false)
			resp, err := s.client.Answer(ctx, first.RequestId, flinks.SecurityResponses{promptSecurID: {code}})
			wantError(t, resp, err, 401, flinks.CodeInvalidSecurityResponse)
		})
	}

	t.Run("no SecurID", func(t *testing.T) {
		first := start(t, false)
		r := postAuthorize(t, s, `{"RequestId":"`+first.RequestId+`","SecurityResponses":{"Enter your SecurID":[]}}`)
		wantRawError(t, r, 401, flinks.CodeSecurityResponsesIncomplete)
		// null is no answer either.
		r = postAuthorize(t, s, `{"RequestId":"`+first.RequestId+`","SecurityResponses":{"Enter your SecurID":null}}`)
		wantRawError(t, r, 401, flinks.CodeSecurityResponsesIncomplete)
		// A SecurID sent as a JSON number is its digits.
		r = postAuthorize(t, s, `{"RequestId":"`+first.RequestId+`","SecurityResponses":{"Enter your SecurID":[482913]}}`)
		wantRound(t, decodeAuthorize(t, r), nil, qa(promptCountry))
	})

	t.Run("wrong country", func(t *testing.T) {
		first := start(t, false)
		resp, err := s.client.Answer(ctx, first.RequestId, flinks.SecurityResponses{promptSecurID: {"111111"}})
		wantRound(t, resp, err, qa(promptCountry))
		got, err := s.client.Answer(ctx, first.RequestId, flinks.SecurityResponses{promptCountry: {"France"}})
		wantError(t, got, err, 401, flinks.CodeInvalidSecurityResponse)
	})

	t.Run("a live reopen asks the SecurID only", func(t *testing.T) {
		first := start(t, true)
		resp, err := s.client.Answer(ctx, first.RequestId, flinks.SecurityResponses{promptSecurID: {"000000"}})
		wantRound(t, resp, err, qa(promptCountry))
		done, err := s.client.Answer(ctx, first.RequestId, flinks.SecurityResponses{promptCountry: {"Canada"}})
		loginID := wantAuthorized(t, done, err, "National").Login.Id
		for i, code := range []string{"654321", "000000"} {
			live, err := s.client.AuthorizeLive(ctx, loginID, true)
			wantRound(t, live, err, qa(promptSecurID))
			done, err := s.client.Answer(ctx, live.RequestId, flinks.SecurityResponses{promptSecurID: {code}})
			if done = wantAuthorized(t, done, err, "National"); done.Login.Id != loginID {
				t.Errorf("reopen %d: LoginId %q, want %q", i+1, done.Login.Id, loginID)
			}
		}
		// The SecurID is still checked on a reopen.
		live, err := s.client.AuthorizeLive(ctx, loginID, true)
		wantRound(t, live, err, qa(promptSecurID))
		got, err := s.client.Answer(ctx, live.RequestId, flinks.SecurityResponses{promptSecurID: {"12345"}})
		wantError(t, got, err, 401, flinks.CodeInvalidSecurityResponse)
	})
}

// TestScotiaResetQuestions is the seed's Case 5: multiple choice questions,
// then new security questions.
func TestScotiaResetQuestions(t *testing.T) {
	t.Parallel()
	s := startFlowServer(t)
	ctx := context.Background()
	mc := chal{flinks.MultipleChoice, promptChoose}
	mcma := chal{flinks.MultipleChoiceMultipleAnswers, promptBuys}
	pvq := func(n int) string { return fmt.Sprint(promptPVQ, n) }
	start := func(t *testing.T) *flinks.AuthorizeResponse {
		t.Helper()
		resp := wantRound(t, begin(t, s, "Scotia", "Greatday", "", false), nil, mc, mcma)
		if got := resp.SecurityChallenges[0].Iterables; !reflect.DeepEqual(got, scotiaChoices) {
			t.Errorf("MultipleChoice Iterables = %q, want %q", got, scotiaChoices)
		}
		if got := resp.SecurityChallenges[1].Iterables; !reflect.DeepEqual(got, scotiaBuys) {
			t.Errorf("MultipleChoiceMultipleAnswers Iterables = %q, want %q", got, scotiaBuys)
		}
		return resp
	}
	newQuestionsRound := func(t *testing.T, resp *flinks.AuthorizeResponse, err error) {
		t.Helper()
		wantRound(t, resp, err, qa(pvq(1)), qa(pvq(2)), qa(pvq(3)))
		for _, c := range resp.SecurityChallenges {
			if !reflect.DeepEqual(c.Iterables, newQuestions) {
				t.Errorf("%q Iterables = %q", c.Prompt, c.Iterables)
			}
		}
	}
	chosen := flinks.SecurityResponses{
		pvq(1): {"What was the make of my first car", "Lada"},
		pvq(2): {"What is my favourite colour", "Blue"},
		pvq(3): {"What is the name of my dog", "Wouf"},
	}

	t.Run("seed's Step 2 body, then corrected", func(t *testing.T) {
		first := start(t)
		seedBody := withRequestID(t, seedScotiaStep2Body, first.RequestId)
		// The seed's body is not JSON, on purpose: only the answer is
		// validated against the OpenAPI document.
		r := s.postBad("Authorize", seedBody)
		checkFlinksShape(t, r)
		wantRawError(t, r, 400, flinks.CodeInvalidRequest)
		corrected := strings.Replace(seedBody, "]\n\"What purchases", "],\n\"What purchases", 1)
		if corrected == seedBody {
			t.Fatal("could not correct the seed's body")
		}
		r = postAuthorize(t, s, corrected)
		resp := decodeAuthorize(t, r)
		newQuestionsRound(t, resp, nil)
		if resp.RequestId != first.RequestId {
			t.Errorf("RequestId %q, want %q", resp.RequestId, first.RequestId)
		}
		// The seed's Step 3 Response answers the triple MFA's prompts, which
		// this round does not ask.
		r = postAuthorize(t, s, withRequestID(t, seedTripleAnswerBody, first.RequestId))
		wantRawError(t, r, 401, flinks.CodeUnknownChallengeKey)
		done, err := s.client.Answer(ctx, first.RequestId, chosen)
		wantAuthorized(t, done, err, "Scotia")
	})

	t.Run("purchases in another order", func(t *testing.T) {
		first := start(t)
		resp, err := s.client.Answer(ctx, first.RequestId, flinks.SecurityResponses{
			promptChoose: {"none of the above"}, promptBuys: {"Purchase 3: $143.86", "purchase 1: $10.35"},
		})
		newQuestionsRound(t, resp, err)
	})

	t.Run("new questions failures", func(t *testing.T) {
		first := start(t)
		resp, err := s.client.Answer(ctx, first.RequestId, flinks.SecurityResponses{
			promptChoose: {"None of the above"}, promptBuys: {"Purchase 1: $10.35", "Purchase 3: $143.86"},
		})
		newQuestionsRound(t, resp, err)
		got, err := s.client.Answer(ctx, first.RequestId, flinks.SecurityResponses{
			pvq(1): {"What is my favourite colour", "Blue"}, pvq(2): {"What is my favourite colour", "Red"}, pvq(3): {"What is the name of my dog", "Wouf"},
		})
		wantError(t, got, err, 401, flinks.CodeInvalidSecurityResponse)
		got, err = s.client.Answer(ctx, first.RequestId, flinks.SecurityResponses{pvq(1): {"What is my favourite colour", "Blue"}})
		wantError(t, got, err, 401, flinks.CodeSecurityResponsesIncomplete)
		got, err = s.client.Answer(ctx, first.RequestId, chosen)
		wantAuthorized(t, got, err, "Scotia")
	})

	for _, tc := range []struct {
		name    string
		choice  []string
		buys    []string
		wantKey bool // the failure is a missing answer, not a wrong one
	}{
		{name: "two answers to the multiple choice", choice: []string{"None of the above", "I have a car loan with Scotiabank"}, buys: []string{"Purchase 1: $10.35", "Purchase 3: $143.86"}},
		{name: "an option not offered", choice: []string{"Something else"}, buys: []string{"Purchase 1: $10.35", "Purchase 3: $143.86"}},
		{name: "a wrong option", choice: []string{"I have a mortgage with Scotiabank"}, buys: []string{"Purchase 1: $10.35", "Purchase 3: $143.86"}},
		{name: "only purchase 1", choice: []string{"None of the above"}, buys: []string{"Purchase 1: $10.35"}},
		{name: "purchases 1, 3 and 2", choice: []string{"None of the above"}, buys: []string{"Purchase 1: $10.35", "Purchase 3: $143.86", "Purchase 2: $73.42"}},
		{name: "the same purchase twice", choice: []string{"None of the above"}, buys: []string{"Purchase 1: $10.35", "Purchase 3: $143.86", "Purchase 3: $143.86"}},
		{name: "purchase 1 twice", choice: []string{"None of the above"}, buys: []string{"Purchase 1: $10.35", "Purchase 1: $10.35"}},
		{name: "a purchase not offered", choice: []string{"None of the above"}, buys: []string{"Purchase 1: $10.35", "Purchase 4: $1.00"}},
		{name: "none of the purchases", choice: []string{"None of the above"}, buys: []string{"None of the above"}},
		{name: "no purchase", choice: []string{"None of the above"}, buys: []string{}, wantKey: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			first := start(t)
			resp, err := s.client.Answer(ctx, first.RequestId, flinks.SecurityResponses{promptChoose: tc.choice, promptBuys: tc.buys})
			if tc.wantKey {
				wantError(t, resp, err, 401, flinks.CodeSecurityResponsesIncomplete)
				return
			}
			wantError(t, resp, err, 401, flinks.CodeInvalidSecurityResponse)
		})
	}

	t.Run("French", func(t *testing.T) {
		resp := begin(t, s, "Scotia", "Greatday", "fr", false)
		wantRound(t, resp, nil, chal{flinks.MultipleChoice, promptChooseFr}, chal{flinks.MultipleChoiceMultipleAnswers, promptBuysFr})
		if got := resp.SecurityChallenges[0].Iterables; !reflect.DeepEqual(got, scotiaChoicesFr) {
			t.Errorf("MultipleChoice Iterables = %q, want %q", got, scotiaChoicesFr)
		}
		if got := resp.SecurityChallenges[1].Iterables; !reflect.DeepEqual(got, scotiaBuysFr) {
			t.Errorf("MultipleChoiceMultipleAnswers Iterables = %q, want %q", got, scotiaBuysFr)
		}
		next, err := s.client.Answer(ctx, resp.RequestId, flinks.SecurityResponses{
			promptChooseFr: {"Aucune de ces réponses"}, promptBuysFr: {"Achat 1 : 10,35 $", "Achat 3 : 143,86 $"},
		})
		p := func(n int) string { return fmt.Sprint(promptPVQFr, n) }
		wantRound(t, next, err, qa(p(1)), qa(p(2)), qa(p(3)))
		done, err := s.client.Answer(ctx, resp.RequestId, flinks.SecurityResponses{
			p(1): {newQuestionsFr[3], "Lada"}, p(2): {newQuestionsFr[4], "Bleu"}, p(3): {newQuestionsFr[1], "Wouf"},
		})
		wantAuthorized(t, done, err, "Scotia")
	})

	t.Run("French, a wrong purchase", func(t *testing.T) {
		resp := begin(t, s, "Scotia", "Greatday", "fr", false)
		got, err := s.client.Answer(ctx, resp.RequestId, flinks.SecurityResponses{
			promptChooseFr: {"Aucune de ces réponses"}, promptBuysFr: {"Achat 1 : 10,35 $", "Achat 2 : 73,42 $"},
		})
		wantError(t, got, err, 401, flinks.CodeInvalidSecurityResponse)
	})
}

// TestTDTextOrCall is the seed's Case 6: a phone number and a way to receive
// a security code, then the code.
func TestTDTextOrCall(t *testing.T) {
	t.Parallel()
	s := startFlowServer(t)
	ctx := context.Background()
	phone := chal{flinks.TextOrCall, promptPhone}
	start := func(t *testing.T, language string) *flinks.AuthorizeResponse {
		t.Helper()
		resp := begin(t, s, "TD", "Greatday", language, false)
		if language == "fr" {
			wantRound(t, resp, nil, chal{flinks.TextOrCall, promptPhoneFr})
		} else {
			wantRound(t, resp, nil, phone)
		}
		if got := resp.SecurityChallenges[0].Iterables; !reflect.DeepEqual(got, tdPhones) {
			t.Fatalf("phones = %q, want %q", got, tdPhones)
		}
		return resp
	}

	t.Run("seed's bodies", func(t *testing.T) {
		body := strings.NewReplacer("{username}", "Greatday", "{password}", "Everyday").Replace(seedTDStep1Body)
		first := wantRound(t, decodeAuthorize(t, postAuthorize(t, s, body)), nil, phone)
		phones := first.SecurityChallenges[0].Iterables
		if !reflect.DeepEqual(phones, tdPhones) {
			t.Fatalf("phones = %q, want %q", phones, tdPhones)
		}
		step2 := strings.Replace(withRequestID(t, seedTDStep2Body, first.RequestId), "PhoneNumber #2", phones[1], 1)
		second := wantRound(t, decodeAuthorize(t, postAuthorize(t, s, step2)), nil, qa(promptCode))
		if second.RequestId != first.RequestId {
			t.Errorf("RequestId %q, want %q", second.RequestId, first.RequestId)
		}
		r := postAuthorize(t, s, withRequestID(t, seedTDStep3Body, first.RequestId))
		done := wantAuthorized(t, decodeAuthorize(t, r), nil, "TD")
		if done.Login.Username != "Greatday" || done.RequestId != first.RequestId {
			t.Errorf("200: RequestId %q, Login %+v", done.RequestId, done.Login)
		}

		// The seed's Step 1 saves the login: a live reopen asks the phone
		// and the code again, since one-time answers are never stored.
		loginID := done.Login.Id
		for range 2 {
			live, err := s.client.AuthorizeLive(ctx, loginID, true)
			wantRound(t, live, err, phone)
			next, err := s.client.Answer(ctx, live.RequestId, flinks.SecurityResponses{tdPhones[2]: {"Call"}})
			wantRound(t, next, err, qa(promptCode))
			fin, err := s.client.Answer(ctx, live.RequestId, flinks.SecurityResponses{promptCode: {"123456"}})
			if fin = wantAuthorized(t, fin, err, "TD"); fin.Login.Id != loginID {
				t.Errorf("reopen LoginId %q, want %q", fin.Login.Id, loginID)
			}
		}
	})

	for _, tc := range []struct {
		name      string
		responses flinks.SecurityResponses
	}{
		{"call", flinks.SecurityResponses{"514-555-0101": {"Call"}}},
		{"text, lower case", flinks.SecurityResponses{"438-555-0199": {"text"}}},
		{"keyed by the prompt", flinks.SecurityResponses{promptPhone: {"514-555-0134", "Text"}}},
		{"phone written without dashes", flinks.SecurityResponses{"5145550134": {"Call"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			first := start(t, "")
			resp, err := s.client.Answer(ctx, first.RequestId, tc.responses)
			wantRound(t, resp, err, qa(promptCode))
			done, err := s.client.Answer(ctx, first.RequestId, flinks.SecurityResponses{promptCode: {"123456"}})
			wantAuthorized(t, done, err, "TD")
		})
	}

	t.Run("a phone not offered", func(t *testing.T) {
		first := start(t, "")
		resp, err := s.client.Answer(ctx, first.RequestId, flinks.SecurityResponses{"514-555-9999": {"Text"}})
		wantError(t, resp, err, 401, flinks.CodeUnknownChallengeKey)
		// Keyed by the prompt, a phone not offered is a wrong answer.
		resp, err = s.client.Answer(ctx, first.RequestId, flinks.SecurityResponses{promptPhone: {"514-555-9999", "Text"}})
		wantError(t, resp, err, 401, flinks.CodeInvalidSecurityResponse)
	})

	for _, tc := range []struct {
		name      string
		responses flinks.SecurityResponses
	}{
		{"method Email", flinks.SecurityResponses{"514-555-0134": {"Email"}}},
		{"no method", flinks.SecurityResponses{promptPhone: {"514-555-0134"}}},
		{"two methods", flinks.SecurityResponses{"514-555-0134": {"Text", "Call"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			first := start(t, "")
			resp, err := s.client.Answer(ctx, first.RequestId, tc.responses)
			wantError(t, resp, err, 401, flinks.CodeInvalidSecurityResponse)
		})
	}

	t.Run("wrong code", func(t *testing.T) {
		first := start(t, "")
		resp, err := s.client.Answer(ctx, first.RequestId, flinks.SecurityResponses{"514-555-0134": {"Text"}})
		wantRound(t, resp, err, qa(promptCode))
		for _, code := range []string{"654321", "12345"} {
			got, err := s.client.Answer(ctx, first.RequestId, flinks.SecurityResponses{promptCode: {code}})
			wantError(t, got, err, 401, flinks.CodeInvalidSecurityResponse)
		}
		done, err := s.client.Answer(ctx, first.RequestId, flinks.SecurityResponses{promptCode: {"123456"}})
		wantAuthorized(t, done, err, "TD")
	})

	t.Run("French", func(t *testing.T) {
		first := start(t, "fr")
		resp, err := s.client.Answer(ctx, first.RequestId, flinks.SecurityResponses{"514-555-0134": {"Text"}})
		wantRound(t, resp, err, qa(promptCodeFr))
		done, err := s.client.Answer(ctx, first.RequestId, flinks.SecurityResponses{promptCodeFr: {"123456"}})
		wantAuthorized(t, done, err, "TD")
	})
}

// TestFlinksCapitalTriggers checks that each FlinksCapital trigger username
// plays the flow of its institution counterpart: the same rounds, the same
// outcome.
func TestFlinksCapitalTriggers(t *testing.T) {
	t.Parallel()
	s := startFlowServer(t)
	ctx := context.Background()
	pvq := []chal{qa(promptPVQ + "1"), qa(promptPVQ + "2"), qa(promptPVQ + "3")}
	device := chal{flinks.WaitUntilEUAccept, promptDevice}

	// reopenOf saves a login of an RBC user and returns its live reopen.
	reopenOf := func(username string) func(t *testing.T) (*flinks.AuthorizeResponse, error) {
		return func(t *testing.T) (*flinks.AuthorizeResponse, error) {
			loginID := saveLogin(t, s, "RBC", username, false)
			return s.client.AuthorizeLive(ctx, loginID, true)
		}
	}
	loginOf := func(institution, username string) func(t *testing.T) (*flinks.AuthorizeResponse, error) {
		return func(t *testing.T) (*flinks.AuthorizeResponse, error) {
			return s.client.Authorize(ctx, flinks.AuthorizeRequest{Institution: institution, Username: username, Password: "Everyday"})
		}
	}

	for _, tc := range []struct {
		user        string
		first       []chal
		then        [][]chal // the rounds after the first
		wrongFirst  bool
		counterpart func(t *testing.T) (*flinks.AuthorizeResponse, error)
		end         flinks.Code // "" for a 200
	}{
		{user: "mfa_triple", first: []chal{qa(promptShape)}, then: [][]chal{{qa(promptMother), qa(promptFather), qa(promptDog)}},
			wrongFirst: true, counterpart: loginOf("RBC", "Greatday")},
		{user: "mfa_newquestions", first: pvq, counterpart: loginOf("RBC", "greatday_newquestions")},
		{user: "mfa_image", first: []chal{qa(promptCity)}, then: [][]chal{{{flinks.ImageSelection, promptImage}}},
			counterpart: loginOf("Laurentienne", "Greatday")},
		{user: "mfa_securid", first: []chal{qa(promptSecurID)}, then: [][]chal{{qa(promptCountry)}},
			counterpart: loginOf("National", "Greatday")},
		{user: "mfa_reset", first: []chal{{flinks.MultipleChoice, promptChoose}, {flinks.MultipleChoiceMultipleAnswers, promptBuys}}, then: [][]chal{pvq},
			counterpart: loginOf("Scotia", "Greatday")},
		{user: "mfa_textorcall", first: []chal{{flinks.TextOrCall, promptPhone}}, then: [][]chal{{qa(promptCode)}},
			counterpart: loginOf("TD", "Greatday")},
		{user: "mfa_device", first: []chal{device}, counterpart: reopenOf("Greatday")},
		{user: "mfa_device_denied", first: []chal{device}, counterpart: reopenOf("greatday_device_denied"), end: flinks.CodeUnauthorized},
	} {
		t.Run(tc.user, func(t *testing.T) {
			resp, err := s.client.Authorize(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: tc.user, Password: "Everyday"})
			wantRound(t, resp, err, tc.first...)
			if tc.user == "mfa_device" {
				// The approval delay holds on a first login too.
				s.clock.Advance(deviceApproval - time.Second)
				again, err := s.client.Answer(ctx, resp.RequestId, flinks.SecurityResponses{promptDevice: {"VERIFIED"}})
				wantRound(t, again, err, device)
			}
			rounds, final, err := walk(t, s, resp, err, tc.wrongFirst)
			if tc.end == "" {
				wantAuthorized(t, final, err, "FlinksCapital")
			} else {
				wantError(t, final, err, 401, tc.end)
			}
			var got [][]chal
			for _, r := range rounds[1:] {
				var cs []chal
				for _, c := range r {
					cs = append(cs, chal{c.Type, c.Prompt})
				}
				got = append(got, cs)
			}
			if !reflect.DeepEqual(got, tc.then) && (len(got) > 0 || len(tc.then) > 0) {
				t.Errorf("rounds after the first: %v, want %v", got, tc.then)
			}

			// The counterpart plays the same rounds, to the same end.
			cresp, cerr := tc.counterpart(t)
			crounds, cfinal, cerr := walk(t, s, cresp, cerr, tc.wrongFirst)
			if !reflect.DeepEqual(rounds, crounds) {
				t.Errorf("FlinksCapital %s asked %d rounds, its counterpart %d, or they differ", tc.user, len(rounds), len(crounds))
			}
			if tc.end == "" {
				if cerr != nil {
					t.Fatalf("counterpart: %v", cerr)
				}
				wantAuthorized(t, cfinal, cerr, cfinal.Institution)
			} else {
				wantError(t, cfinal, cerr, 401, tc.end)
			}
		})
	}

	t.Run("mfa_device before approval, then a wrong answer", func(t *testing.T) {
		resp, err := s.client.Authorize(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "mfa_device", Password: "Everyday"})
		wantRound(t, resp, err, device)
		got, err := s.client.Answer(ctx, resp.RequestId, flinks.SecurityResponses{promptDevice: {"VERIFIED"}})
		wantRound(t, got, err, device)
		got, err = s.client.Answer(ctx, resp.RequestId, flinks.SecurityResponses{promptDevice: {"DENIED"}})
		wantError(t, got, err, 401, flinks.CodeInvalidSecurityResponse)
		s.clock.Advance(deviceApproval)
		got, err = s.client.Answer(ctx, resp.RequestId, flinks.SecurityResponses{promptDevice: {"VERIFIED"}})
		wantAuthorized(t, got, err, "FlinksCapital")
	})

	t.Run("mfa_triple right first", func(t *testing.T) {
		resp, err := s.client.AuthorizeWithMFA(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "mfa_triple", Password: "Everyday"}, answerSandbox)
		wantAuthorized(t, resp, err, "FlinksCapital")
	})
}

// TestFlowSessionRules checks the session rules on the special flows: expiry
// and answers to challenges not asked.
func TestFlowSessionRules(t *testing.T) {
	t.Parallel()
	s := startFlowServer(t)
	ctx := context.Background()

	t.Run("an answer after the session expired", func(t *testing.T) {
		first := begin(t, s, "RBC", "Greatday", "", false)
		triple, err := s.client.Answer(ctx, first.RequestId, flinks.SecurityResponses{promptShape: {"Circle"}})
		wantRound(t, triple, err, qa(promptMother), qa(promptFather), qa(promptDog))
		s.clock.Advance(8 * time.Minute)
		r := postAuthorize(t, s, withRequestID(t, seedTripleAnswerBody, first.RequestId))
		wantRawError(t, r, 400, flinks.CodeSessionNonexistent)
		if !strings.Contains(str(r.json, "Message"), "expired") {
			t.Errorf("Message = %q, want it to say the RequestId expired", str(r.json, "Message"))
		}
	})

	t.Run("a trusted device round expires too", func(t *testing.T) {
		resp, err := s.client.Authorize(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "mfa_device", Password: "Everyday"})
		wantRound(t, resp, err, chal{flinks.WaitUntilEUAccept, promptDevice})
		s.clock.Advance(8 * time.Minute)
		got, err := s.client.Answer(ctx, resp.RequestId, flinks.SecurityResponses{promptDevice: {"VERIFIED"}})
		wantError(t, got, err, 400, flinks.CodeSessionNonexistent)
	})

	t.Run("an answer to a later round's challenge", func(t *testing.T) {
		for _, tc := range []struct {
			institution string
			asked       string
			later       flinks.SecurityResponses
		}{
			{"National", promptSecurID, flinks.SecurityResponses{promptCountry: {"Canada"}}},
			{"Laurentienne", promptCity, flinks.SecurityResponses{promptImage: {"x"}}},
			{"TD", promptPhone, flinks.SecurityResponses{promptCode: {"123456"}}},
			{"RBC", promptShape, flinks.SecurityResponses{promptMother: {"Louise"}}},
		} {
			first := begin(t, s, tc.institution, "Greatday", "", false)
			got, err := s.client.Answer(ctx, first.RequestId, tc.later)
			wantError(t, got, err, 401, flinks.CodeUnknownChallengeKey)
			// Alongside the right answer, it is still an unknown key.
			with := solveRound(t, s, first.SecurityChallenges)
			for k, v := range tc.later {
				with[k] = v
			}
			got, err = s.client.Answer(ctx, first.RequestId, with)
			wantError(t, got, err, 401, flinks.CodeUnknownChallengeKey)
			// Neither moved the session.
			again, err := s.client.Answer(ctx, first.RequestId, nil)
			if err != nil || !again.Challenged() || again.SecurityChallenges[0].Prompt != tc.asked {
				t.Errorf("%s: after unknown keys: %s, %v", tc.institution, describe(again), err)
			}
		}
	})

	t.Run("PascalCased keys", func(t *testing.T) {
		first := begin(t, s, "Scotia", "Greatday", "", false)
		resp, err := s.client.Answer(ctx, first.RequestId, flinks.SecurityResponses{
			pascal(promptChoose): {"None of the above"}, pascal(promptBuys): {"Purchase 1: $10.35", "Purchase 3: $143.86"},
		})
		wantRound(t, resp, err, qa(promptPVQ+"1"), qa(promptPVQ+"2"), qa(promptPVQ+"3"))
	})
}

// pascal rewrites a prompt as one Node client does: "What shape do people
// like most?" becomes "WhatShapeDoPeopleLikeMost?".
func pascal(s string) string {
	var b strings.Builder
	for _, w := range strings.Fields(s) {
		r := []rune(w)
		r[0] = unicode.ToUpper(r[0])
		b.WriteString(string(r))
	}
	return b.String()
}
