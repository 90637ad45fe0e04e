package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/client"
	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/tenants"
)

// bs is the BankingServices path of an operation for a customer.
func bs(customerID, op string) string { return "/v3/" + customerID + "/BankingServices/" + op }

func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

// generateToken calls /GenerateAuthorizeToken with a secret and returns the
// token.
func generateToken(t *testing.T, s *server, keys tenants.Keys) string {
	t.Helper()
	r := s.doWith("POST", bs(keys.CustomerID, "GenerateAuthorizeToken"), "", hdr("flinks-auth-key", keys.Secret))
	checkFlinksShape(t, r)
	if r.status != 200 || len(str(r.json, "Token")) != 36 {
		t.Fatalf("GenerateAuthorizeToken: %d %s", r.status, r.body)
	}
	return str(r.json, "Token")
}

const greatdayLogin = `{"Institution":"FlinksCapital","Username":"Greatday","Password":"Everyday","Save":true}`

// TestAuthorizeTokens walks every rule of the authorize token, on a
// customer made with the defaults (token and x-api-key required).
func TestAuthorizeTokens(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	keys := s.addCustomer()
	other := s.addCustomer()
	authorize := func(token, body string) rawResponse {
		t.Helper()
		h := http.Header{}
		if token != "" {
			h.Set("flinks-auth-key", token)
		}
		r := s.doWith("POST", bs(keys.CustomerID, "Authorize"), body, h)
		checkFlinksShape(t, r)
		return r
	}
	refused := func(what string, r rawResponse) {
		t.Helper()
		if r.status != 401 || str(r.json, "FlinksCode") != "ACCESS_DENIED" || !strings.Contains(str(r.json, "Message"), "valid authorize token") {
			t.Errorf("%s: %d %s, want 401 ACCESS_DENIED", what, r.status, r.body)
		}
	}

	// GenerateAuthorizeToken takes the secret key, nothing else.
	for name, h := range map[string]http.Header{
		"no key":               nil,
		"wrong secret":         hdr("flinks-auth-key", other.Secret),
		"the x-api-key":        hdr("flinks-auth-key", keys.APIKey),
		"secret as bearer":     hdr("Authorization", "Bearer "+keys.Secret),
		"secret with a suffix": hdr("flinks-auth-key", keys.Secret+"0"),
	} {
		send := s.doWith
		if missingSecret("GenerateAuthorizeToken", h) {
			send = s.doBad // wrong on purpose
		}
		r := send("POST", bs(keys.CustomerID, "GenerateAuthorizeToken"), "", h)
		checkFlinksShape(t, r)
		if r.status != 401 || str(r.json, "FlinksCode") != "UNAUTHORIZED" {
			t.Errorf("GenerateAuthorizeToken with %s: %d %s", name, r.status, r.body)
		}
	}

	refused("no token", authorize("", greatdayLogin))
	refused("the secret as token", authorize(keys.Secret, greatdayLogin))
	refused("an unknown token", authorize("3b9f7c5e-0000-4000-8000-000000000000", greatdayLogin))
	refused("another customer's token", authorize(generateToken(t, s, other), greatdayLogin))

	// A token opens one session, and its follow-up rounds.
	token := generateToken(t, s, keys)
	first := authorize(token, greatdayLogin)
	if first.status != 203 {
		t.Fatalf("first round with a token: %d %s", first.status, first.body)
	}
	rid := str(first.json, "RequestId")
	answer := `{"RequestId":"` + rid + `","SecurityResponses":{"What shape do people like most?":["Triangle"]}}`
	refused("a follow-up round without the token", authorize("", answer))
	done := authorize(token, answer)
	if done.status != 200 {
		t.Fatalf("follow-up round with the session's token: %d %s", done.status, done.body)
	}
	loginID := str(done.json, "Login", "Id")
	refused("the used token on a new login", authorize(token, greatdayLogin))
	refused("the used token on a cached reopen", authorize(token, `{"LoginId":"`+loginID+`","MostRecentCached":true}`))

	// The token in the body, as the iframe's authorizeToken.
	inBody := generateToken(t, s, keys)
	if r := authorize("", `{"LoginId":"`+loginID+`","MostRecentCached":true,"authorizeToken":"`+inBody+`"}`); r.status != 200 {
		t.Errorf("token in the body: %d %s", r.status, r.body)
	}
	// A fresh token may also carry a follow-up round.
	second := authorize(generateToken(t, s, keys), `{"Institution":"FlinksCapital","Username":"Greatday","Password":"Everyday"}`)
	fresh := generateToken(t, s, keys)
	if r := authorize(fresh, `{"RequestId":"`+str(second.json, "RequestId")+`","SecurityResponses":{"What shape do people like most?":["Triangle"]}}`); r.status != 200 {
		t.Errorf("follow-up with a fresh token: %d %s", r.status, r.body)
	}
	// That fresh token is now bound to that session: not to another one.
	refused("a token of another session", authorize(fresh, answer))

	// A token expires 30 minutes after it was made.
	late := generateToken(t, s, keys)
	s.clock.Advance(30*time.Minute + time.Second)
	refused("an expired token", authorize(late, greatdayLogin))

	// Of concurrent uses of one token, exactly one opens a session.
	shared := generateToken(t, s, keys)
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	for range 8 {
		wg.Go(func() {
			r := authorize(shared, `{"LoginId":"`+loginID+`","MostRecentCached":true}`)
			mu.Lock()
			statuses[r.status]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if statuses[200] != 1 || statuses[401] != 7 {
		t.Errorf("concurrent uses of one token: statuses %v, want one 200 and seven 401", statuses)
	}

	// The SDK does all of this itself with the secret key.
	c := s.clientWith(keys)
	resp, err := c.AuthorizeWithMFA(context.Background(), flinks.AuthorizeRequest{
		Institution: "FlinksCapital", Username: "Greatday", Password: "Everyday", Save: true,
	}, answerSandbox)
	if err != nil || resp.Login.Id != loginID {
		t.Fatalf("SDK with the secret key: %+v, %v", resp, err)
	}
}

// TestAPIKey checks the x-api-key on every endpoint that takes it, for a
// customer that enforces it and one that does not.
func TestAPIKey(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	strict := s.addCustomer()
	open := s.addCustomer("--api-key-optional", "--token-optional")
	ctx := context.Background()
	resp, err := s.clientWith(strict).Authorize(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "greatday_nomfa", Password: "Everyday", Save: true})
	if err != nil {
		t.Fatal(err)
	}
	rid, lid := resp.RequestId, resp.Login.Id
	calls := []struct{ method, op, body string }{
		{"POST", "GetAccountsDetail", `{"RequestId":"` + rid + `"}`},
		{"GET", "GetAccountsDetailAsync/" + rid, ""},
		{"POST", "GetAccountsSummary", `{"RequestId":"` + rid + `"}`},
		{"GET", "GetAccountsSummaryAsync/" + rid, ""},
		{"POST", "GetStatements", `{"RequestId":"` + rid + `"}`},
		{"GET", "GetStatementsAsync/" + rid, ""},
		{"GET", "Institutions", ""},
		{"PATCH", "SetScheduledRefresh", `{"LoginId":"` + lid + `","IsActivated":true}`},
		{"GET", "GetMFAQuestions/" + lid, ""},
		{"PATCH", "AnswerMFAQuestions", `{"LoginId":"` + lid + `","Questions":[{"Question":"q","Answer":"a"}]}`},
		{"POST", "AuthorizeMultiple", `{"LoginIds":["` + lid + `"]}`},
		{"DELETE", "DeleteCard/" + lid, ""},
	}
	for _, call := range calls {
		for name, h := range map[string]http.Header{
			"no key":                    nil,
			"another's key":             hdr("x-api-key", open.APIKey),
			"the secret":                hdr("x-api-key", strict.Secret),
			"the key in another header": hdr("flinks-auth-key", strict.APIKey),
		} {
			r := s.doWith(call.method, bs(strict.CustomerID, call.op), call.body, h)
			checkFlinksShape(t, r)
			if r.status != 401 || str(r.json, "FlinksCode") != "ACCESS_DENIED" || !strings.Contains(str(r.json, "Message"), "x-api-key") {
				t.Errorf("%s %s with %s: %d %s", call.method, call.op, name, r.status, r.body)
			}
		}
		// With no key, the optional customer is served (its answers depend
		// on its own ids, unknown here, but are never a refusal of keys).
		r := s.doWith(call.method, bs(open.CustomerID, call.op), strings.ReplaceAll(call.body, rid, "x"), nil)
		if r.status == 401 && str(r.json, "FlinksCode") == "ACCESS_DENIED" {
			t.Errorf("%s %s of a customer with an optional key: %d %s", call.method, call.op, r.status, r.body)
		}
	}
	// With the key, the refused calls above changed nothing: the login is
	// still there and its data is served.
	c := s.clientWith(strict)
	if _, err := c.AccountsDetailReady(ctx, flinks.DataRequest{RequestId: rid}, fastPoll...); err != nil {
		t.Fatalf("with the key: %v", err)
	}
	if _, err := c.AuthorizeCached(ctx, lid); err != nil {
		t.Fatalf("the login after refused DeleteCards: %v", err)
	}
}

// TestUnknownCustomer checks that a customerId that does not exist gets, on
// every endpoint, exactly the refusal a customer that does exist gets for a
// wrong credential: ids cannot be probed.
func TestUnknownCustomer(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	known := s.addCustomer()
	unknown := "7a0c1b2d-0000-4000-8000-00000000dead"
	id := "0f0f0f0f-0000-4000-8000-000000000000"
	// A customer whose requests of this second are spent answers a wrong
	// credential as the others do: the limit is not a probe either.
	limited := s.addCustomer("--request-rate", "1")
	for range 3 {
		s.doWith("GET", bs(limited.CustomerID, "Institutions"), "", hdr("x-api-key", limited.APIKey))
	}
	// A malformed body, the one request below that breaks the OpenAPI
	// document on purpose.
	const malformed = `{"Institution":`
	for _, call := range []struct{ method, op, body string }{
		{"POST", "Authorize", greatdayLogin},
		{"POST", "Authorize", malformed},
		{"POST", "Authorize", `{"Tag":"` + strings.Repeat("x", 2<<20) + `"}`},
		{"POST", "Authorize", `{"LoginId":"` + id + `","MostRecentCached":true}`},
		{"POST", "GenerateAuthorizeToken", ""},
		{"POST", "GetAccountsDetail", `{"RequestId":"` + id + `"}`},
		{"GET", "GetAccountsDetailAsync/" + id, ""},
		{"POST", "GetAccountsSummary", `{"RequestId":"` + id + `"}`},
		{"POST", "GetStatements", `{"RequestId":"` + id + `"}`},
		{"GET", "GetStatementsAsync/" + id, ""},
		{"GET", "Institutions", ""},
		{"PATCH", "SetScheduledRefresh", `{"LoginId":"` + id + `","IsActivated":true}`},
		{"GET", "GetMFAQuestions/" + id, ""},
		{"PATCH", "AnswerMFAQuestions", `{"LoginId":"` + id + `"}`},
		{"POST", "AuthorizeMultiple", `{"LoginIds":["` + id + `"]}`},
		{"DELETE", "DeleteCard/" + id, ""},
		{"GET", "GetNightlyRefreshStatus", ""},
	} {
		// A guess at credentials: the known customer's own, sent for the
		// unknown id, and nothing.
		// The malformed body, and a request without the secret key where
		// the document requires it, are wrong on purpose.
		send := func(h http.Header) func(method, path, body string, header http.Header) rawResponse {
			if call.body == malformed || missingSecret(call.op, h) {
				return s.doBad
			}
			return s.doWith
		}
		for _, h := range []http.Header{nil, hdr("flinks-auth-key", known.Secret, "x-api-key", known.APIKey)} {
			a := send(h)(call.method, bs(unknown, call.op), call.body, h)
			checkFlinksShape(t, a)
			wrong := hdr("flinks-auth-key", "wrong", "x-api-key", "wrong")
			for _, c := range []tenants.Keys{known, limited} {
				b := send(wrong)(call.method, bs(c.CustomerID, call.op), call.body, wrong)
				if a.status != 401 || a.status != b.status || string(a.body) != string(b.body) {
					t.Errorf("%s %s: unknown customer %d %s; known customer, wrong key %d %s", call.method, call.op, a.status, a.body, b.status, b.body)
				}
			}
		}
	}
}

// TestCustomersCommands runs the administration commands beside a running
// server: add, list, rotate-secret, remove.
func TestCustomersCommands(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	ctx := context.Background()
	keys := s.addCustomer("--name", "Acme Lending", "--request-rate", "700", "--token-rate", "900")
	c := s.clientWith(keys)
	login, err := c.Authorize(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "greatday_nomfa", Password: "Everyday", Save: true})
	if err != nil {
		t.Fatal(err)
	}

	// list shows settings and never a key.
	var rows []map[string]any
	if err := json.Unmarshal([]byte(s.admin("customers", "list", "--json")), &rows); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, row := range rows {
		if row["CustomerId"] == keys.CustomerID {
			found = true
			if row["Name"] != "Acme Lending" || row["TokenRequired"] != true || row["ApiKeyRequired"] != true || row["RequestRate"] != 700.0 || row["TokenRate"] != 900.0 {
				t.Errorf("list: %v", row)
			}
		}
	}
	if !found || len(rows) != 2 { // and the sandbox customer
		t.Errorf("list: %v", rows)
	}
	table := s.admin("customers", "list")
	for _, secret := range []string{keys.Secret, keys.APIKey, tenants.SandboxSecret, tenants.SandboxAPIKey} {
		if strings.Contains(table, secret) || strings.Contains(s.admin("customers", "list", "--json"), secret) {
			t.Errorf("customers list shows a key")
		}
	}
	if !strings.Contains(table, keys.CustomerID) || !strings.Contains(table, "Acme Lending") {
		t.Errorf("list table:\n%s", table)
	}

	// rotate-secret: the old secret stops working, the new one works; the
	// x-api-key stays unless asked.
	var rotated tenants.Keys
	if err := json.Unmarshal([]byte(s.admin("customers", "rotate-secret", keys.CustomerID, "--json")), &rotated); err != nil {
		t.Fatal(err)
	}
	if rotated.Secret == keys.Secret || rotated.APIKey != "" {
		t.Fatalf("rotated: %+v", rotated)
	}
	// Servers read the customer list again within two seconds.
	eventually(t, "the old secret refused", func() error {
		if _, err := c.GenerateAuthorizeToken(ctx, keys.Secret); client.Code(err) != flinks.CodeUnauthorized {
			return fmt.Errorf("old secret after rotation: %v", err)
		}
		return nil
	})
	if _, err := c.GenerateAuthorizeToken(ctx, rotated.Secret); err != nil {
		t.Errorf("new secret: %v", err)
	}
	if _, err := c.AccountsSummaryReady(ctx, flinks.DataRequest{RequestId: login.RequestId}, fastPoll...); err != nil {
		t.Errorf("the x-api-key after rotating the secret only: %v", err)
	}
	var both tenants.Keys
	if err := json.Unmarshal([]byte(s.admin("customers", "rotate-secret", "--api-key", "--json", keys.CustomerID)), &both); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the old x-api-key refused", func() error {
		if _, err := c.AccountsSummary(ctx, flinks.DataRequest{RequestId: login.RequestId}); client.Code(err) != flinks.CodeAccessDenied {
			return fmt.Errorf("old x-api-key after rotating it: %v", err)
		}
		return nil
	})
	keys.Secret, keys.APIKey = both.Secret, both.APIKey
	if _, err := s.clientWith(keys).AuthorizeCached(ctx, login.Login.Id); err != nil {
		t.Errorf("new keys: %v", err)
	}

	// Errors an operator may make.
	for _, args := range [][]string{
		{"customers", "add", "--id", "not-a-guid"},
		{"customers", "add", "--id", keys.CustomerID},
		{"customers", "add", "--id", tenants.SandboxCustomerID},
		{"customers", "rotate-secret", tenants.SandboxCustomerID},
		{"customers", "remove", "7a0c1b2d-0000-4000-8000-00000000dead"},
		{"customers", "remove"},
		{"customers", "frobnicate"},
	} {
		if out, err := s.adminErr(args...); err == nil {
			t.Errorf("bankfeed %s succeeded: %s", strings.Join(args, " "), out)
		}
	}

	// remove: everything of the customer goes, and its id becomes unknown.
	s.admin("customers", "remove", strings.ToUpper(keys.CustomerID))
	eventually(t, "the removed customer refused", func() error {
		if _, err := s.clientWith(keys).AccountsSummary(ctx, flinks.DataRequest{RequestId: login.RequestId}); client.Code(err) != flinks.CodeAccessDenied {
			return fmt.Errorf("a removed customer is still served: %v", err)
		}
		return nil
	})
	db := openDB(t, s)
	for _, table := range []string{"logins", "sessions", "authorize_tokens", "customers"} {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM `+table+` WHERE `+map[bool]string{true: "id", false: "customer_id"}[table == "customers"]+` = ?`, keys.CustomerID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%d rows of %s remain for the removed customer", n, table)
		}
	}
}

// TestLimits checks every abuse limit: wrong MFA answers, authorize tokens
// per minute, requests per second, body size; and that a refusal changes
// nothing.
func TestLimits(t *testing.T) {
	t.Parallel()
	s := startServerArgs(t, "", nil, "--max-mfa-attempts", "2", "--max-body", "4096")
	ctx := context.Background()

	t.Run("MFA attempts", func(t *testing.T) {
		resp, err := s.client.Authorize(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "Greatday", Password: "Everyday"})
		if err != nil {
			t.Fatal(err)
		}
		wrong := flinks.SecurityResponses{"What shape do people like most?": {"Circle"}}
		_, err = s.client.Answer(ctx, resp.RequestId, wrong)
		if e := apiErr(t, err); e.Body.FlinksCode != flinks.CodeInvalidSecurityResponse || !strings.Contains(e.Body.Message, "1 attempt left") {
			t.Fatalf("first wrong answer: %+v", e.Body)
		}
		_, err = s.client.Answer(ctx, resp.RequestId, wrong)
		if e := apiErr(t, err); e.Body.FlinksCode != flinks.CodeInvalidSecurityResponse || !strings.Contains(e.Body.Message, "no attempts are left") {
			t.Fatalf("second wrong answer: %+v", e.Body)
		}
		// The right answer is too late: the session is over.
		_, err = s.client.Answer(ctx, resp.RequestId, flinks.SecurityResponses{"What shape do people like most?": {"Triangle"}})
		if e := apiErr(t, err); e.StatusCode/100 != 4 || e.Body.FlinksCode == "" {
			t.Fatalf("right answer after the attempts ran out: %+v", e.Body)
		}
		if got := apiErr(t, err).Body.FlinksCode; got == flinks.CodeInvalidSecurityResponse {
			t.Errorf("a failed session still takes answers: %s", got)
		}
		// Starting over works.
		if _, err := s.client.AuthorizeWithMFA(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "Greatday", Password: "Everyday"}, answerSandbox); err != nil {
			t.Fatalf("a new session after the failed one: %v", err)
		}
	})

	t.Run("authorize tokens per minute", func(t *testing.T) {
		keys := s.addCustomer("--token-rate", "3")
		c := s.clientWith(keys)
		for i := range 3 {
			if _, err := c.GenerateAuthorizeToken(ctx, keys.Secret); err != nil {
				t.Fatalf("token %d: %v", i+1, err)
			}
		}
		r := s.doWith("POST", bs(keys.CustomerID, "GenerateAuthorizeToken"), "", hdr("flinks-auth-key", keys.Secret))
		checkFlinksShape(t, r)
		if r.status != 403 || str(r.json, "FlinksCode") != "TOO_MANY_REQUESTS" {
			t.Fatalf("fourth token in a minute: %d %s", r.status, r.body)
		}
		// Another customer is not affected.
		other := s.addCustomer("--token-rate", "3")
		if _, err := s.clientWith(other).GenerateAuthorizeToken(ctx, other.Secret); err != nil {
			t.Errorf("another customer's token: %v", err)
		}
	})

	t.Run("requests per second", func(t *testing.T) {
		keys := s.addCustomer("--request-rate", "5", "--token-optional")
		c := s.clientWith(keys)
		login, err := c.Authorize(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "greatday_nomfa", Password: "Everyday", Save: true})
		if err != nil {
			t.Fatal(err)
		}
		// A burst of deletions: those refused must delete nothing, and the
		// one let through deletes the login once.
		var wg sync.WaitGroup
		var mu sync.Mutex
		codes := map[string]int{}
		for range 30 {
			wg.Go(func() {
				r := s.doWith("POST", bs(keys.CustomerID, "AuthorizeMultiple"), `{"LoginIds":["`+login.Login.Id+`"]}`, hdr("x-api-key", keys.APIKey))
				code := str(r.json, "FlinksCode")
				if r.status == 200 {
					code = "200"
				}
				mu.Lock()
				codes[code]++
				mu.Unlock()
			})
		}
		wg.Wait()
		if codes["TOO_MANY_REQUESTS"] < 20 || codes["200"] < 1 || codes["200"]+codes["TOO_MANY_REQUESTS"] != 30 {
			t.Errorf("a burst of 30 at 5 per second: %v", codes)
		}
		r := s.doWith("POST", bs(keys.CustomerID, "AuthorizeMultiple"), `{"LoginIds":[]}`, hdr("x-api-key", keys.APIKey))
		if r.status == 403 {
			checkFlinksShape(t, r)
		}
		// The sandbox customer (no bound) is not slowed by the other's
		// limit; after a second the customer is served again.
		if _, err := s.client.Institutions(ctx, 0, 0); err != nil {
			t.Errorf("sandbox customer during another's limit: %v", err)
		}
		time.Sleep(1100 * time.Millisecond)
		if _, err := c.AuthorizeCached(ctx, login.Login.Id); err != nil {
			t.Errorf("after a second: %v", err)
		}
	})

	t.Run("body size", func(t *testing.T) {
		big := `{"Institution":"FlinksCapital","Username":"greatday_nomfa","Password":"Everyday","Tag":"` + strings.Repeat("x", 5000) + `"}`
		r := s.post("Authorize", big)
		checkFlinksShape(t, r)
		if r.status != 413 || !strings.Contains(str(r.json, "Message"), "4 KiB") {
			t.Errorf("a 5 KB body with a 4 KiB limit: %d %s", r.status, r.body)
		}
		var n int
		if err := openDB(t, s).QueryRow(`SELECT count(*) FROM sessions WHERE length(tag) > 4000`).Scan(&n); err != nil || n != 0 {
			t.Errorf("the refused request left %d sessions (%v)", n, err)
		}
	})
}

// TestSandboxOff checks --sandbox=false: no sandbox customer, no embedded
// institutions, and a master key required.
func TestSandboxOff(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// No key: refused before anything starts.
	err := runServe(t, dir, nil, "--sandbox=false")
	if err == nil || !strings.Contains(err.Error(), "master key is required") {
		t.Fatalf("without a key: %v", err)
	}
	if !errors.Is(err, errUsage()) {
		t.Errorf("without a key: not a usage error: %v", err)
	}
	keyFile := writeKeyFile(t, dir)
	s := startServerArgs(t, dir, nil, "--sandbox=false", "--master-key-file", keyFile)
	r := s.post("Authorize", greatdayLogin)
	u := s.do("POST", bs("7a0c1b2d-0000-4000-8000-00000000dead", "Authorize"), greatdayLogin)
	if r.status != 401 || string(r.body) != string(u.body) {
		t.Errorf("the sandbox customer outside sandbox mode: %d %s; an unknown one: %s", r.status, r.body, u.body)
	}
	keys := s.addCustomer("--token-optional")
	c := s.clientWith(keys)
	_, err = c.Authorize(context.Background(), flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "greatday_nomfa", Password: "Everyday"})
	if e := apiErr(t, err); e.Body.FlinksCode != flinks.CodeInvalidRequest || !strings.Contains(e.Body.Message, "Unknown institution") {
		t.Errorf("FlinksCapital outside sandbox mode: %+v", e.Body)
	}
	if inst, err := c.Institutions(context.Background(), 0, 0); err != nil || inst.Count != 0 {
		t.Errorf("institutions outside sandbox mode: %+v, %v", inst, err)
	}
}

// eventually retries check until it succeeds, for up to ten seconds: for
// what servers learn by reading the database again (every two seconds).
func eventually(t *testing.T, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: still not true after 10s: %v", what, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestTokenAfterRefusedCredentials checks that a login refused for its
// password gives its authorize token back, so that the person can type the
// password again with the token their page holds (the Connect widget's
// retries), at most tenants.TokenRefusals times, and that the token still
// opens one login only.
func TestTokenAfterRefusedCredentials(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	ctx := context.Background()
	keys := s.addCustomer()
	c := s.clientWith(keys)
	login := func(token, password string) (*flinks.AuthorizeResponse, error) {
		return c.Authorize(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "greatday_nomfa",
			Password: password, Save: true, AuthorizeToken: token})
	}
	refusedFor := func(err error, code flinks.Code, what string) {
		t.Helper()
		if e := apiErr(t, err); e.Body.FlinksCode != code {
			t.Fatalf("%s: %d %s, want %s", what, e.StatusCode, e.Body.FlinksCode, code)
		}
	}

	token, err := c.GenerateAuthorizeToken(ctx, keys.Secret)
	if err != nil {
		t.Fatal(err)
	}
	for i := range tenants.TokenRefusals {
		_, err := login(token, "wrong")
		refusedFor(err, flinks.CodeInvalidPassword, fmt.Sprintf("wrong password %d", i+1))
	}
	if resp, err := login(token, "Everyday"); err != nil || resp.Login == nil {
		t.Fatalf("the right password after %d wrong ones, with the same token: %+v, %v", tenants.TokenRefusals, resp, err)
	}
	// The login it opened used it for good.
	_, err = login(token, "Everyday")
	refusedFor(err, flinks.CodeAccessDenied, "the token again after its login")

	// Past the bound, a refused login keeps the token.
	bounded, err := c.GenerateAuthorizeToken(ctx, keys.Secret)
	if err != nil {
		t.Fatal(err)
	}
	for i := range tenants.TokenRefusals + 1 {
		_, err := login(bounded, "wrong")
		refusedFor(err, flinks.CodeInvalidPassword, fmt.Sprintf("wrong password %d", i+1))
	}
	_, err = login(bounded, "Everyday")
	refusedFor(err, flinks.CodeAccessDenied, "the right password past the bound")
}
