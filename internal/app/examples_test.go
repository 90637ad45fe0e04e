package app_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// exampleDir holds real responses of a scripted session, which the OpenAPI
// document (internal/httpapi) shows as its examples, each file named
// <operationId>.<status>.<example>.json. The 203s of every MFA flow are the
// golden files.
const exampleDir = "testdata/openapi-examples"

// uuidPattern finds the ids of a response, which are random: the examples
// number them in order of appearance instead, so that a rerun writes the
// same bytes.
var uuidPattern = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// normalizeExample renumbers the ids of body (but the sandbox customer's)
// and indents it.
func normalizeExample(t *testing.T, body []byte) []byte {
	t.Helper()
	seen := map[string]string{}
	body = uuidPattern.ReplaceAllFunc(body, func(id []byte) []byte {
		if string(id) == sandboxCustomer {
			return id
		}
		if n, ok := seen[string(id)]; ok {
			return []byte(n)
		}
		n := "00000000-0000-4000-8000-" + strings.Repeat("0", 12-len(strconv.Itoa(len(seen)+1))) + strconv.Itoa(len(seen)+1)
		seen[string(id)] = n
		return []byte(n)
	})
	var out bytes.Buffer
	if err := json.Indent(&out, body, "", "  "); err != nil {
		t.Fatalf("example is not JSON: %v\n%s", err, body)
	}
	out.WriteByte('\n')
	return out.Bytes()
}

// TestOpenAPIExamples plays a session that reaches every operation's main
// answers, and holds each answer to its example: with -update it rewrites
// them (then regenerate the document: go test ./internal/httpapi -run
// TestOpenAPIDocument -update).
func TestOpenAPIExamples(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	got := map[string][]byte{}
	record := func(op, name string, r rawResponse, status int) {
		t.Helper()
		if r.status != status {
			t.Fatalf("%s (%s): %d, want %d: %s", op, name, r.status, status, r.body)
		}
		got[op+"."+strconv.Itoa(r.status)+"."+name+".json"] = normalizeExample(t, r.body)
	}
	bsPath := func(op string) string { return "/v3/" + sandboxCustomer + "/BankingServices/" + op }

	// A login without MFA, saved, and its data once fetched.
	live := s.post("Authorize", `{"Institution":"FlinksCapital","Username":"greatday_nomfa","Password":"Everyday","Save":true}`)
	record("Authorize", "live", live, 200)
	rid, lid := str(live.json, "RequestId"), str(live.json, "Login", "Id")
	ready := false
	for deadline := time.Now().Add(30 * time.Second); !ready && time.Now().Before(deadline); {
		if r := s.do("GET", bsPath("GetAccountsDetailAsync/"+rid), ""); r.status == 200 {
			ready = true
		} else {
			time.Sleep(20 * time.Millisecond)
		}
	}
	if !ready {
		t.Fatal("the data of greatday_nomfa was not fetched within 30s")
	}
	today := s.clock.Now().UTC()
	window := `"DateFrom":"` + today.AddDate(0, 0, -3).Format("2006-01-02") + `","DateTo":"` + today.Format("2006-01-02") + `"`
	detail := s.post("GetAccountsDetail", `{"RequestId":"`+rid+`",`+window+`}`)
	record("GetAccountsDetail", "last_days", detail, 200)
	record("GetAccountsDetailAsyncPost", "last_days", s.doWith("POST", bsPath("GetAccountsDetailAsync/"+rid), `{`+window+`}`, nil), 200)
	record("GetAccountsSummary", "summary", s.post("GetAccountsSummary", `{"RequestId":"`+rid+`"}`), 200)
	accounts, _ := detail.json["Accounts"].([]any)
	if len(accounts) == 0 {
		t.Fatalf("no accounts: %s", detail.body)
	}
	first := str(accounts[0].(map[string]any), "Id")
	record("GetStatements", "most_recent_one_account",
		s.post("GetStatements", `{"RequestId":"`+rid+`","AccountsFilter":["`+first+`"]}`), 200)
	record("GetAllAttributes", "card", s.do("GET", "/v3/"+sandboxCustomer+"/insight/login/"+lid+"/attributes/"+rid+"/GetAllAttributes", ""), 200)
	cat := s.do("GET", "/v3/"+sandboxCustomer+"/categorization/login/"+lid+"/requestid/"+rid, "")
	// The year of transactions, cut to the first three for the example.
	if txs, ok := cat.json["Transactions"].([]any); ok && len(txs) > 3 {
		cat.json["Transactions"] = txs[:3]
		cat.body, _ = json.Marshal(cat.json)
	}
	record("Categorization", "first_three", cat, 200)
	record("FieldMatch", "name_and_threshold",
		s.post("FieldMatch", `{"loginId":"`+lid+`","name":"John Doe","threshold":0.8}`), 200)
	record("Authorize", "cached", s.post("Authorize", `{"LoginId":"`+lid+`","MostRecentCached":true}`), 200)
	record("AuthorizeMultiple", "one_unknown",
		s.post("AuthorizeMultiple", `{"LoginIds":["`+lid+`","0f0f0f0f-0000-4000-8000-000000000000"]}`), 200)
	record("SetScheduledRefresh", "on", s.doWith("PATCH", bsPath("SetScheduledRefresh"), `{"LoginId":"`+lid+`","IsActivated":true}`, nil), 200)
	record("GetNightlyRefreshStatus", "none", s.doWith("GET", bsPath("GetNightlyRefreshStatus"), "",
		http.Header{"Authorization": {"Bearer " + sandboxSecret}}), 200)

	// A login with a security question: its questions, and answers stored.
	mfa := s.post("Authorize", `{"Institution":"FlinksCapital","Username":"Greatday","Password":"Everyday","Save":true,"WithMfaQuestions":true}`)
	wrong := s.post("Authorize", `{"RequestId":"`+str(mfa.json, "RequestId")+`","SecurityResponses":{"What shape do people like most?":["Circle"]}}`)
	record("Authorize", "wrong_answer", wrong, 401)
	answered := s.post("Authorize", `{"RequestId":"`+str(mfa.json, "RequestId")+`","SecurityResponses":{"What shape do people like most?":["Triangle"]}}`)
	mfaLogin := str(answered.json, "Login", "Id")
	record("GetMFAQuestions", "one", s.do("GET", bsPath("GetMFAQuestions/"+mfaLogin), ""), 200)
	record("AnswerMFAQuestions", "stored", s.doWith("PATCH", bsPath("AnswerMFAQuestions"),
		`{"LoginId":"`+mfaLogin+`","Questions":[{"Question":"What shape do people like most?","Answer":"Triangle"}]}`, nil), 200)

	// A bank that is slow to hand over the data (the sandbox's test users,
	// whose bank never answers while the test clock stands still).
	pending := s.post("Authorize", `{"Institution":"FlinksCapital","Username":"test_pending","Password":"Everyday"}`)
	record("GetAccountsDetail", "pending", s.post("GetAccountsDetail", `{"RequestId":"`+str(pending.json, "RequestId")+`"}`), 202)
	dispatched := s.post("Authorize", `{"Institution":"FlinksCapital","Username":"test_dispatched","Password":"Everyday"}`)
	record("GetAccountsDetail", "dispatched", s.post("GetAccountsDetail", `{"RequestId":"`+str(dispatched.json, "RequestId")+`"}`), 202)

	// Errors.
	record("Authorize", "wrong_password", s.post("Authorize", `{"Institution":"FlinksCapital","Username":"Greatday","Password":"Wrong"}`), 401)
	record("Authorize", "missing_password", s.post("Authorize", `{"Institution":"FlinksCapital","Username":"Greatday"}`), 400)
	record("GetAccountsDetail", "unknown_request_id",
		s.post("GetAccountsDetail", `{"RequestId":"11111111-2222-4333-8444-555555555555"}`), 400)
	record("DeleteCard", "deleted", s.do("DELETE", bsPath("DeleteCard/"+lid), ""), 200)

	record("Institutions", "first_two", s.do("GET", bsPath("Institutions?take=2"), ""), 200)
	record("Health", "ok", s.do("GET", "/healthz", ""), 200)
	keys := s.addCustomer()
	generate := "/v3/" + keys.CustomerID + "/BankingServices/GenerateAuthorizeToken"
	record("GenerateAuthorizeToken", "token", s.doWith("POST", generate, "", http.Header{"Flinks-Auth-Key": {keys.Secret}}), 200)
	record("GenerateAuthorizeToken", "wrong_secret", s.doWith("POST", generate, "", http.Header{"Flinks-Auth-Key": {"wrong"}}), 401)
	// A token is not an id: the example shows its shape.
	for name, body := range got {
		if strings.HasPrefix(name, "GenerateAuthorizeToken.200.") {
			got[name] = regexp.MustCompile(`"Token": "[^"]+"`).ReplaceAll(body, []byte(`"Token": "TOKEN"`))
		}
	}

	if *update {
		if err := os.RemoveAll(exampleDir); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(exampleDir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, body := range got {
			if err := os.WriteFile(filepath.Join(exampleDir, name), body, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	entries, err := os.ReadDir(exampleDir)
	if err != nil {
		t.Fatal(err)
	}
	var have []string
	for _, e := range entries {
		have = append(have, e.Name())
		want, err := os.ReadFile(filepath.Join(exampleDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if body, ok := got[e.Name()]; !ok {
			t.Errorf("%s: no longer recorded", e.Name())
		} else if !bytes.Equal(body, want) {
			t.Errorf("%s: the response changed:\n%s\nwant:\n%s", e.Name(), body, want)
		}
	}
	for name := range got {
		if !slices.Contains(have, name) {
			t.Errorf("%s: recorded, not in %s", name, exampleDir)
		}
	}
	if t.Failed() {
		t.Log("after a deliberate change: go test ./internal/app -run TestOpenAPIExamples -update, " +
			"then go test ./internal/httpapi -run TestOpenAPIDocument -update")
	}
}
