package app_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/bankfeed/bankfeed/client"
	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/vault"
)

// TestIsolationMatrix has one customer try every endpoint with every kind
// of id of another customer (a saved login, an authorized RequestId with
// its data, a RequestId answering MFA, a RequestId whose data is still
// being fetched) and checks that each answer is, byte for byte but the id,
// the answer to an id that does not exist; then that the other customer's
// logins, sessions and data are untouched.
func TestIsolationMatrix(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	ctx := context.Background()
	victimKeys, attackerKeys := s.addCustomer(), s.addCustomer("--request-rate", "0", "--token-rate", "0")
	victim, attacker := s.clientWith(victimKeys), s.clientWith(attackerKeys)

	saved, err := victim.AuthorizeWithMFA(ctx, flinks.AuthorizeRequest{
		Institution: "FlinksCapital", Username: "greatday_rotating", Password: "Everyday", Save: true, WithMfaQuestions: true,
	}, answerSandbox)
	if err != nil {
		t.Fatal(err)
	}
	login, authorized := saved.Login.Id, saved.RequestId
	questionsBefore, err := victim.GetMFAQuestions(ctx, login)
	if err != nil {
		t.Fatal(err)
	}
	before, err := victim.AccountsDetailReady(ctx, flinks.DataRequest{RequestId: authorized}, fastPoll...)
	if err != nil {
		t.Fatal(err)
	}
	challenged, err := victim.Authorize(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "Greatday", Password: "Everyday"})
	if err != nil || !challenged.Challenged() {
		t.Fatalf("%+v, %v", challenged, err)
	}
	pending, err := victim.Authorize(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "test_pending", Password: "Everyday", Save: true})
	if err != nil {
		t.Fatal(err)
	}

	const nobody = "0e0e0e0e-0000-4000-8000-000000000000"
	ids := map[string]string{
		"LoginId":                 login,
		"pending LoginId":         pending.Login.Id,
		"authorized RequestId":    authorized,
		"challenged RequestId":    challenged.RequestId,
		"RequestId being fetched": pending.RequestId,
	}
	type call struct{ method, op, body string }
	loginCalls := []call{
		{"POST", "Authorize", `{"LoginId":"ID","MostRecentCached":true}`},
		{"POST", "Authorize", `{"LoginId":"ID","MostRecentCached":false,"Save":true}`},
		{"DELETE", "DeleteCard/ID", ""},
		{"PATCH", "SetScheduledRefresh", `{"LoginId":"ID","IsActivated":true}`},
		{"PATCH", "SetScheduledRefresh?loginId=ID&isActivated=true", ""},
		{"PATCH", "ActivateScheduledRefresh/ID", ""},
		{"PATCH", "DeactivateScheduledRefresh/ID", ""},
		{"GET", "GetMFAQuestions/ID", ""},
		{"PATCH", "AnswerMFAQuestions", `{"LoginId":"ID","Questions":[{"Question":"What city were you born in?","Answer":"Paris"}]}`},
		{"POST", "AuthorizeMultiple", `{"LoginIds":["ID"]}`},
	}
	requestCalls := []call{
		{"POST", "Authorize", `{"RequestId":"ID","SecurityResponses":{"What shape do people like most?":["Triangle"]}}`},
		{"POST", "Authorize", `{"RequestId":"ID"}`},
	}
	for _, op := range []string{"GetAccountsDetail", "GetAccountsSummary", "GetStatements"} {
		requestCalls = append(requestCalls,
			call{"POST", op, `{"RequestId":"ID"}`},
			call{"GET", op + "Async/ID", ""},
			call{"POST", op + "Async/ID", `{"RequestId":"ID"}`})
	}
	send := func(c call, id string) rawResponse {
		t.Helper()
		h := hdr("x-api-key", attackerKeys.APIKey)
		if c.op == "Authorize" {
			token, err := attacker.GenerateAuthorizeToken(ctx, attackerKeys.Secret)
			if err != nil {
				t.Fatal(err)
			}
			h.Set("flinks-auth-key", token)
		}
		r := s.doWith(c.method, bs(attackerKeys.CustomerID, strings.ReplaceAll(c.op, "ID", id)), strings.ReplaceAll(c.body, "ID", id), h)
		checkFlinksShape(t, r)
		r.body = bytes.ReplaceAll(r.body, []byte(id), []byte("ID"))
		return r
	}
	for kind, id := range ids {
		calls := requestCalls
		if strings.HasSuffix(kind, "LoginId") {
			calls = loginCalls
		}
		for _, c := range calls {
			foreign, missing := send(c, id), send(c, nobody)
			if foreign.status != missing.status || !bytes.Equal(foreign.body, missing.body) {
				t.Errorf("%s %s with another customer's %s: %d %s\nwith an id that does not exist: %d %s",
					c.method, c.op, kind, foreign.status, foreign.body, missing.status, missing.body)
			}
			if foreign.status < 400 && !(c.op == "AuthorizeMultiple" && strings.Contains(string(foreign.body), `"InvalidLoginIds":["ID"]`)) {
				t.Errorf("%s %s with another customer's %s succeeded: %s", c.method, c.op, kind, foreign.body)
			}
		}
	}

	// The victim's logins, sessions and data are as they were.
	after, err := victim.AccountsDetailReady(ctx, flinks.DataRequest{RequestId: authorized}, fastPoll...)
	if err != nil || len(after.Accounts) != len(before.Accounts) {
		t.Fatalf("the victim's data after the attempts: %v", err)
	}
	if cached, err := victim.AuthorizeCached(ctx, login); err != nil || cached.Login.IsScheduledRefresh {
		t.Errorf("the victim's login after the attempts: %+v, %v", cached, err)
	}
	if qs, err := victim.GetMFAQuestions(ctx, login); err != nil || len(qs.Questions) != len(questionsBefore.Questions) {
		t.Errorf("the victim's MFA questions after the attempts: %+v, %v", qs, err)
	}
	if done, err := victim.Answer(ctx, challenged.RequestId, flinks.SecurityResponses{"What shape do people like most?": {"Triangle"}}); err != nil || done.HttpStatusCode != 200 {
		t.Errorf("the victim's challenged session after the attempts: %+v, %v", done, err)
	}
	if _, err := victim.AccountsDetailReady(ctx, flinks.DataRequest{RequestId: pending.RequestId}, fastPoll...); err != nil {
		t.Errorf("the victim's pending fetch after the attempts: %v", err)
	}
}

// leakScenario is an institution whose credentials and answers are
// distinctive: any of them found anywhere is a leak, not a coincidence.
const leakScenario = `{
  "Institution": "VaultBank",
  "InstitutionId": 9701,
  "Steps": {
    "pet": {
      "Challenges": [{"Type": "QuestionAndAnswer", "Prompt": "Name of your first pet?", "Answers": ["Zyxwvut-Answer-4471"]}],
      "Next": "colour"
    },
    "colour": {
      "Challenges": [{"Type": "MultipleChoice", "Prompt": "Pick your colour", "Iterables": ["Mauve", "Qwzcolour-Choice-8812"], "Answers": ["Qwzcolour-Choice-8812"]}]
    }
  },
  "Users": [{"Username": "leaktest", "Password": "Pw-Kq8vT3-NeverLogged", "Flow": "pet"}]
}`

// syncBuffer is a log sink safe for the server's concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}

// recorder is an HTTP transport that keeps every response body.
type recorder struct {
	mu     sync.Mutex
	bodies bytes.Buffer
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	// A token's one place is the answer that hands it out.
	if !strings.HasSuffix(req.URL.Path, "/GenerateAuthorizeToken") || res.StatusCode != http.StatusOK {
		r.mu.Lock()
		r.bodies.Write(body)
		r.bodies.WriteByte('\n')
		r.mu.Unlock()
	}
	res.Body = io.NopCloser(bytes.NewReader(body))
	return res, nil
}

// TestNoSecretLeaks runs full flows with distinctive credentials and
// answers, at debug log level, with wrong and malformed requests too, then
// searches the SQLite file and its WAL, every log line and every response
// for every secret: passwords, answers, customer keys, authorize tokens and
// the master key.
func TestNoSecretLeaks(t *testing.T) {
	t.Parallel()
	dir, scenarios := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(scenarios, "vaultbank.json"), []byte(leakScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	s := startServerLogged(t, dir, nil, logs, nil, "--scenarios", scenarios, "--log-level", "debug")
	keys := s.addCustomer()
	rec := &recorder{}
	c, err := client.New(s.url, keys.CustomerID, client.WithSecretKey(keys.Secret), client.WithAPIKey(keys.APIKey),
		client.WithHTTPClient(&http.Client{Transport: rec}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const password, answer, choice = "Pw-Kq8vT3-NeverLogged", "Zyxwvut-Answer-4471", "Qwzcolour-Choice-8812"
	answers := func(_ context.Context, cs []flinks.SecurityChallenge) (flinks.SecurityResponses, error) {
		out := flinks.SecurityResponses{}
		for _, ch := range cs {
			if ch.Type == flinks.MultipleChoice {
				out[ch.Prompt] = []string{choice}
			} else {
				out[ch.Prompt] = []string{answer}
			}
		}
		return out, nil
	}
	var tokens []string
	// A wrong answer, then the flow through; a live reopen replays the
	// stored answers; data; statements; a wrong password; malformed
	// bodies holding the password.
	first, err := c.Authorize(ctx, flinks.AuthorizeRequest{Institution: "VaultBank", Username: "leaktest", Password: password, Save: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Answer(ctx, first.RequestId, flinks.SecurityResponses{"Name of your first pet?": {answer + "-wrong"}}); err == nil {
		t.Fatal("a wrong answer passed")
	}
	resp, err := c.AuthorizeWithMFA(ctx, flinks.AuthorizeRequest{RequestId: first.RequestId}, answers)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Challenged() || resp.Login == nil {
		t.Fatalf("%+v", resp)
	}
	if _, err := c.AccountsDetailReady(ctx, flinks.DataRequest{RequestId: resp.RequestId}, fastPoll...); err != nil {
		t.Fatal(err)
	}
	if _, err := c.StatementsReady(ctx, flinks.DataRequest{RequestId: resp.RequestId}, fastPoll...); err != nil {
		t.Fatal(err)
	}
	if live, err := c.AuthorizeLive(ctx, resp.Login.Id, true); err != nil || live.Challenged() {
		t.Fatalf("live reopen: %+v, %v", live, err)
	}
	if _, err := c.Authorize(ctx, flinks.AuthorizeRequest{Institution: "VaultBank", Username: "leaktest", Password: password + "x"}); err == nil {
		t.Fatal("a wrong password passed")
	}
	for range 3 {
		token, err := c.GenerateAuthorizeToken(ctx, keys.Secret)
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, token)
	}
	for _, body := range []string{
		`{"Institution":"VaultBank","Username":"leaktest","Password":"` + password + `"`,
		`{"Institution":"VaultBank","Username":"leaktest","Password":["` + password + `"]}`,
		`{"RequestId":"` + first.RequestId + `","SecurityResponses":{"Name of your first pet?":"` + answer + `"`,
		`{"Password":"` + password + `"}{"Password":"` + password + `"}`,
	} {
		r := s.doWith("POST", bs(keys.CustomerID, "Authorize"), body, hdr("flinks-auth-key", tokens[0]))
		rec.mu.Lock()
		rec.bodies.Write(r.body)
		rec.mu.Unlock()
	}
	// A token sent where the secret is expected, and the reverse.
	for _, h := range []http.Header{hdr("flinks-auth-key", tokens[1]), hdr("Authorization", "Bearer "+keys.Secret)} {
		r := s.doWith("POST", bs(keys.CustomerID, "GenerateAuthorizeToken"), "", h)
		rec.mu.Lock()
		rec.bodies.Write(r.body)
		rec.mu.Unlock()
	}
	s.stop()

	masterKeys, err := vault.ReadKeyFile(filepath.Join(dir, "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	secrets := map[string][]byte{
		"password":               []byte(password),
		"MFA answer":             []byte(answer),
		"multiple-choice answer": []byte(choice),
		"secret key":             []byte(keys.Secret),
		"x-api-key":              []byte(keys.APIKey),
		"master key (hex)":       []byte(hex.EncodeToString(masterKeys[0])),
		"master key (raw)":       masterKeys[0],
		"master key (base64)":    []byte(base64.StdEncoding.EncodeToString(masterKeys[0])),
		"password (base64)":      []byte(base64.StdEncoding.EncodeToString([]byte(password))),
	}
	for i, tok := range tokens {
		secrets["authorize token "+string(rune('1'+i))] = []byte(tok)
	}
	places := map[string][]byte{"the log": logs.Bytes(), "the responses": rec.bodies.Bytes()}
	for _, name := range []string{"bankfeed.db", "bankfeed.db-wal", "bankfeed.db-shm"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		places[name] = data
	}
	if len(places["the log"]) < 1000 || len(places["the responses"]) < 1000 || len(places["bankfeed.db"]) == 0 {
		t.Fatalf("too little to search: log %d bytes, responses %d, database %d", len(places["the log"]), len(places["the responses"]), len(places["bankfeed.db"]))
	}
	for where, data := range places {
		for what, secret := range secrets {
			if what == "multiple-choice answer" && where == "the responses" {
				continue // shown to the user among the choices, by design
			}
			if bytes.Contains(data, secret) || bytes.Contains(bytes.ToLower(data), bytes.ToLower(secret)) && len(secret) > 8 && what != "master key (raw)" {
				t.Errorf("%s holds the %s", where, what)
			}
		}
	}
	if !bytes.Contains(places["the log"], []byte("level=DEBUG")) {
		t.Error("the log holds no debug line: the search did not cover every level")
	}
	// The search finds what it looks for: the username, which is not
	// secret, is in the database and the log.
	if !bytes.Contains(places["bankfeed.db"], []byte("leaktest")) && !bytes.Contains(places["bankfeed.db-wal"], []byte("leaktest")) {
		t.Error("the username is nowhere in the database: the search reads the wrong file")
	}
}
