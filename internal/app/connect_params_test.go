package app_test

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/flinks"
	"github.com/chromedp/chromedp"
)

// TestConnectRetries lets a person retry a wrong password and a wrong
// answer up to maximumRetry times, each retry announced by its
// COMPONENT_LOAD_*_RETRY event after the error's, and no more.
func TestConnectRetries(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	start := []string{"APP_MOUNTED", "COMPONENT_LOAD_INSTITUTION_SELECTOR", "INSTITUTION_SELECTED", "COMPONENT_LOAD_CREDENTIAL", "SUBMIT_CREDENTIAL"}

	t.Run("Password", func(t *testing.T) {
		t.Parallel()
		w := openWidget(t, s.url, "demo=true&maximumRetry=1", 420)
		w.login("FlinksCapital", "", "Greatday", "Sunday")
		w.waitSteps(append(slices.Clone(start), "INVALID_PASSWORD", "COMPONENT_LOAD_CREDENTIAL_RETRY"))
		w.screen("credentials")
		if msg := w.text("error"); !strings.Contains(msg, "password is not valid") {
			t.Errorf("the retry's message: %q", msg)
		}
		w.shot("credentials-retry")
		w.typeIn("credential-username", "Greatday")
		w.typeIn("credential-password", "Monday")
		w.click("credential-submit")
		w.waitSteps(append(slices.Clone(start), "INVALID_PASSWORD", "COMPONENT_LOAD_CREDENTIAL_RETRY", "SUBMIT_CREDENTIAL", "INVALID_PASSWORD"))
		w.screen("error")
	})
	t.Run("PasswordThenSuccess", func(t *testing.T) {
		t.Parallel()
		w := openWidget(t, s.url, "demo=true", 420)
		w.login("FlinksCapital", "", "nobody", "Everyday")
		w.waitSteps(append(slices.Clone(start), "INVALID_USERNAME", "COMPONENT_LOAD_CREDENTIAL_RETRY"))
		w.typeIn("credential-username", "greatday_nomfa")
		w.typeIn("credential-password", "Everyday")
		w.click("credential-submit")
		evs := w.wantSteps(append(slices.Clone(start), "INVALID_USERNAME", "COMPONENT_LOAD_CREDENTIAL_RETRY", "SUBMIT_CREDENTIAL", "REDIRECT")...)
		loginID, _ := redirectLogin(t, evs)
		openLogin(t, s, loginID, "greatday_nomfa")
	})
	t.Run("Answer", func(t *testing.T) {
		t.Parallel()
		w := openWidget(t, s.url, "demo=true&maximumRetry=1", 420)
		w.login("FlinksCapital", "", "Greatday", "Everyday")
		w.screen("mfa")
		w.typeIn("mfa-answer-0", "Circle")
		w.click("mfa-submit")
		mfa := append(slices.Clone(start), "COMPONENT_LOAD_MFA", "SUBMIT_MFA", "INVALID_SECURITY_RESPONSE", "COMPONENT_LOAD_MFA_RETRY")
		w.waitSteps(mfa)
		w.screen("mfa")
		w.shot("mfa-retry")
		w.typeIn("mfa-answer-0", "Square")
		w.click("mfa-submit")
		w.waitSteps(append(slices.Clone(mfa), "SUBMIT_MFA", "INVALID_SECURITY_RESPONSE"))
		w.screen("error")
	})
	t.Run("AnswerThenSuccess", func(t *testing.T) {
		t.Parallel()
		w := openWidget(t, s.url, "demo=true&maximumRetry=2", 420)
		w.login("FlinksCapital", "", "Greatday", "Everyday")
		for _, wrong := range []string{"Circle", "Square"} {
			w.screen("mfa")
			w.typeIn("mfa-answer-0", wrong)
			w.click("mfa-submit")
			w.waitStep("COMPONENT_LOAD_MFA_RETRY")
		}
		w.waitSteps(append(slices.Clone(start), "COMPONENT_LOAD_MFA", "SUBMIT_MFA", "INVALID_SECURITY_RESPONSE", "COMPONENT_LOAD_MFA_RETRY",
			"SUBMIT_MFA", "INVALID_SECURITY_RESPONSE", "COMPONENT_LOAD_MFA_RETRY"))
		w.typeIn("mfa-answer-0", "Triangle")
		w.click("mfa-submit")
		evs := w.waitStep("REDIRECT")
		loginID, _ := redirectLogin(t, evs)
		openLogin(t, s, loginID, "Greatday")
	})
}

// TestConnectTokenInvalid opens the widget of a customer that requires
// tokens with a used, an expired, and no authorize token: each posts
// TOKEN_INVALID and shows its screen, and nothing else.
func TestConnectTokenInvalid(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	keys := s.addCustomer()
	c := s.clientWith(keys)
	ctx := context.Background()
	used, err := c.GenerateAuthorizeToken(ctx, keys.Secret)
	if err != nil {
		t.Fatal(err)
	}
	// The back end uses the token itself: the widget then cannot.
	r := s.doWith("POST", "/v3/"+keys.CustomerID+"/BankingServices/Authorize",
		`{"Institution":"FlinksCapital","Username":"greatday_nomfa","Password":"Everyday"}`, map[string][]string{"Flinks-Auth-Key": {used}})
	if r.status != 200 {
		t.Fatalf("Authorize with the token: %d %s", r.status, r.body)
	}
	expired, err := c.GenerateAuthorizeToken(ctx, keys.Secret)
	if err != nil {
		t.Fatal(err)
	}
	s.clock.Advance(31 * time.Minute)
	for name, query := range map[string]string{
		"Used":       "authorizeToken=" + used + "&customerId=" + keys.CustomerID,
		"Expired":    "authorizeToken=" + expired + "&customerId=" + keys.CustomerID,
		"Missing":    "customerId=" + keys.CustomerID,
		"NoCustomer": "authorizeToken=" + expired,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := openWidget(t, s.url, query, 420)
			w.screen("token-invalid")
			if name == "Used" {
				w.shot("token-invalid")
			}
			time.Sleep(200 * time.Millisecond)
			w.wantSteps("APP_MOUNTED", "TOKEN_INVALID")
		})
	}
}

// TestConnectTokenCustomerAccountSelector runs the widget as an integrator
// in production would: a customer that requires tokens and keys, a fresh
// token in the URL, the account selector choosing two accounts. The back
// end then opens the loginId with its keys and reads the accounts chosen.
func TestConnectTokenCustomerAccountSelector(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	keys := s.addCustomer()
	c := s.clientWith(keys)
	ctx := context.Background()
	token, err := c.GenerateAuthorizeToken(ctx, keys.Secret)
	if err != nil {
		t.Fatal(err)
	}
	w := openWidget(t, s.url, "authorizeToken="+token+"&customerId="+keys.CustomerID+
		"&accountSelectorEnable=true&accountSelectorMultiple=true&showAllAccounts=true&tag=case-42&redirectUrl=https://integrator.example/done?from=connect&jsRedirect=true", 420)
	w.login("FlinksCapital", "", "Greatday", "Everyday")
	w.screen("mfa")
	w.typeIn("mfa-answer-0", "Triangle")
	w.click("mfa-submit")
	w.screen("accounts")
	w.shot("accounts")
	w.waitSteps(append(slices.Clone(credentialSteps), "COMPONENT_LOAD_MFA", "SUBMIT_MFA", "COMPONENT_LOAD_ACCOUNT_SELECTION"))
	ids, err := chromedp.Run(w.ctx, chromedp.AttributesAll(chromedp.CSSAll(`input[name="account"]`), chromedp.FromNode(w.frame)))
	if err != nil || len(ids) < 2 {
		t.Fatalf("the selector's accounts: %v, %v", ids, err)
	}
	first, second := ids[0]["value"], ids[len(ids)-1]["value"]
	w.click("account-" + first)
	w.click("account-" + second)
	w.click("account-submit")
	evs := w.wantSteps(append(slices.Clone(credentialSteps), "COMPONENT_LOAD_MFA", "SUBMIT_MFA", "COMPONENT_LOAD_ACCOUNT_SELECTION",
		"ACCOUNT_SELECTED", "REDIRECT")...)
	want := first + "," + second
	if got := evs[len(evs)-2].field("accountId"); got != want {
		t.Errorf("ACCOUNT_SELECTED accountId %q, want %q", got, want)
	}
	loginID, q := redirectLogin(t, evs)
	if q.Get("accountId") != want || q.Get("from") != "connect" {
		t.Errorf("REDIRECT url query %v, want accountId %s and redirectUrl's own query", q, want)
	}
	// The back end: a cached Authorize with the customer's keys, then the
	// chosen accounts only.
	// The widget's session carried the tag: its summary echoes it.
	sum := s.doWith("GET", "/v3/"+keys.CustomerID+"/BankingServices/GetAccountsSummaryAsync/"+evs[len(evs)-1].field("requestId"), "",
		map[string][]string{"X-Api-Key": {keys.APIKey}})
	if sum.status != 200 || str(sum.json, "Tag") != "case-42" {
		t.Errorf("the widget session's summary: %d %s", sum.status, sum.body)
	}
	cached, err := c.AuthorizeCached(ctx, loginID)
	if err != nil || cached.Login.Username != "Greatday" {
		t.Fatalf("cached Authorize: %+v, %v", cached, err)
	}
	d, err := c.AccountsDetailReady(ctx, flinks.DataRequest{RequestId: cached.RequestId, AccountsFilter: strings.Split(q.Get("accountId"), ",")}, fastPoll...)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range d.Accounts {
		got = append(got, a.Id)
	}
	if !slices.Equal(got, []string{first, second}) {
		t.Errorf("GetAccountsDetail filtered by the selector's accountIds: %v, want %v", got, []string{first, second})
	}
}

// TestConnectFrench shows every screen of a login in French, the bank's
// prompts included, and keeps the login French for its reopens.
func TestConnectFrench(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	w := openWidget(t, s.url, "demo=true&language=fr&consentEnable=true&closeEnable=true&accountSelectorEnable=true", 420)
	w.screen("consent")
	w.shot("consent")
	if got := w.text("title"); got != "Partagez vos données bancaires" {
		t.Errorf("consent title %q", got)
	}
	w.click("consent-accept")
	w.screen("institutions")
	w.shot("institutions")
	if got := w.text("title"); got != "Choisissez votre banque" {
		t.Errorf("institutions title %q", got)
	}
	w.click("institution-Scotia")
	w.screen("credentials")
	w.shot("credentials")
	w.typeIn("credential-username", "Greatday")
	w.typeIn("credential-password", "Everyday")
	w.click("credential-submit")
	w.screen("mfa")
	w.shot("mfa-multiple-choice")
	page, err := chromedp.Run(w.ctx, chromedp.Text(chromedp.CSS("main"), chromedp.FromNode(w.frame)))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Vérification de sécurité", "Choisissez l'une des options suivantes :", "Achat 1 : 10,35 $", "Continuer"} {
		if !strings.Contains(page, want) {
			t.Errorf("the French MFA screen lacks %q:\n%s", want, page)
		}
	}
	w.click("mfa-option-0-3")
	w.click("mfa-option-1-0")
	w.click("mfa-option-1-2")
	w.click("mfa-submit")
	w.waitStep("SUBMIT_MFA")
	w.waitSteps([]string{"APP_MOUNTED", "COMPONENT_LOAD_CONSENT", "COMPONENT_ACCEPT_CONSENT", "COMPONENT_LOAD_INSTITUTION_SELECTOR",
		"INSTITUTION_SELECTED", "COMPONENT_LOAD_CREDENTIAL", "SUBMIT_CREDENTIAL", "COMPONENT_LOAD_MFA", "SUBMIT_MFA", "COMPONENT_LOAD_MFA"})
	w.shot("mfa-new-questions")
	w.choose("mfa-question-0", "Quel est le nom de ma mère")
	w.typeIn("mfa-answer-0", "Louise")
	w.choose("mfa-question-1", "Quel est le nom de mon père")
	w.typeIn("mfa-answer-1", "Paul")
	w.choose("mfa-question-2", "Quel est le nom de mon chien")
	w.typeIn("mfa-answer-2", "Wouf")
	w.click("mfa-submit")
	w.screen("accounts")
	w.shot("accounts")
	if got := w.text("title"); got != "Choisissez un compte" {
		t.Errorf("accounts title %q", got)
	}
	ids, err := chromedp.Run(w.ctx, chromedp.AttributesAll(chromedp.CSSAll(`input[name="account"]`), chromedp.FromNode(w.frame)))
	if err != nil || len(ids) == 0 {
		t.Fatalf("accounts: %v %v", ids, err)
	}
	w.click("account-" + ids[0]["value"])
	w.click("account-submit")
	w.screen("success")
	w.shot("success")
	if got := w.text("title"); got != "Votre banque est connectée" {
		t.Errorf("success title %q", got)
	}
	evs := w.waitStep("REDIRECT")
	loginID, _ := redirectLogin(t, evs)
	openLogin(t, s, loginID, "Greatday")
}

// TestConnectNoSecretInLogOrURL runs logins in the widget with wrong and
// right passwords and answers, on an institution of a scenario file whose
// secrets are distinctive, with the server logging at debug: none of
// them, nor the token, reaches the server's log or any frame's URL.
func TestConnectNoSecretInLogOrURL(t *testing.T) {
	t.Parallel()
	scenarios := t.TempDir()
	if err := os.WriteFile(filepath.Join(scenarios, "vaultbank.json"), []byte(leakScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	s := startServerLogged(t, "", nil, &logs, nil, "--scenarios", scenarios, "--log-level", "debug")
	keys := s.addCustomer()
	token, err := s.clientWith(keys).GenerateAuthorizeToken(context.Background(), keys.Secret)
	if err != nil {
		t.Fatal(err)
	}
	w := openWidget(t, s.url, "authorizeToken="+token+"&customerId="+keys.CustomerID, 420)
	w.login("VaultBank", "vault", "leaktest", "Pw-Wrong-7Qz")
	w.waitStep("COMPONENT_LOAD_CREDENTIAL_RETRY")
	// The refused login gave the token back (tenants.TokenRefusals): the
	// retyped password goes on to the bank's question with it.
	w.typeIn("credential-username", "leaktest")
	w.typeIn("credential-password", "Pw-Kq8vT3-NeverLogged")
	w.click("credential-submit")
	w.waitStep("COMPONENT_LOAD_MFA")
	w.screen("mfa")
	urls := w.frameURLs()

	// The scenario's institution, listed with the embedded ones, logged in
	// with a wrong answer, then the right ones.
	demo := openWidget(t, s.url, "demo=true", 420)
	demo.login("VaultBank", "", "leaktest", "Pw-Kq8vT3-NeverLogged")
	demo.screen("mfa")
	demo.typeIn("mfa-answer-0", "Answer-Wrong-9Kx")
	demo.click("mfa-submit")
	demo.waitStep("COMPONENT_LOAD_MFA_RETRY")
	demo.typeIn("mfa-answer-0", "Zyxwvut-Answer-4471")
	demo.click("mfa-submit")
	demo.waitSteps(append(slices.Clone(credentialSteps), "COMPONENT_LOAD_MFA", "SUBMIT_MFA", "INVALID_SECURITY_RESPONSE",
		"COMPONENT_LOAD_MFA_RETRY", "SUBMIT_MFA", "COMPONENT_LOAD_MFA"))
	demo.screen("mfa")
	demo.click("mfa-option-0-1")
	demo.click("mfa-submit")
	evs := demo.waitStep("REDIRECT")
	urls = append(urls, demo.frameURLs()...)
	loginID, _ := redirectLogin(t, evs)
	openLogin(t, s, loginID, "leaktest")
	s.stop()

	log := logs.Bytes()
	if !bytes.Contains(log, []byte("/BankingServices/Authorize")) || !bytes.Contains(log, []byte("level=DEBUG")) {
		t.Fatalf("the log has no Authorize request at debug: the check would prove nothing\n%s", log)
	}
	for _, secret := range []string{"Pw-Wrong-7Qz", "Pw-Kq8vT3-NeverLogged", "Answer-Wrong-9Kx", "Zyxwvut-Answer-4471", "Qwzcolour-Choice-8812", token} {
		if bytes.Contains(log, []byte(secret)) {
			t.Errorf("the server's log holds %q", secret)
		}
		for _, u := range urls {
			// The token is in the widget's own URL, where the integrator
			// put it; nothing else is.
			if strings.Contains(u, secret) && secret != token {
				t.Errorf("a frame's URL holds %q: %s", secret, u)
			}
		}
	}
	for _, u := range urls {
		if uq, err := url.Parse(u); err != nil || uq.Query().Has("password") || uq.Query().Has("username") || uq.Query().Has("ch0") {
			t.Errorf("a frame's URL carries a form field: %s", u)
		}
	}
}

// TestConnectFrenchScreens shows the remaining screens in French: the
// bank's rounds of each MFA type, the retries, the trusted device, the
// errors and the invalid token, each titled in French.
func TestConnectFrenchScreens(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	mfaTitle := "Vérification de sécurité"
	for _, tc := range []struct {
		name, institution, user, password string
		walk                              func(w *widget)
	}{
		{"OneQuestionAndRetry", "FlinksCapital", "Greatday", "Everyday", func(w *widget) {
			w.screen("mfa")
			w.shot("mfa-question")
			w.wantText("mfa-form", "Quelle forme les gens préfèrent-ils?")
			w.typeIn("mfa-answer-0", "Cercle")
			w.click("mfa-submit")
			w.waitStep("COMPONENT_LOAD_MFA_RETRY")
			w.screen("mfa")
			w.wantText("error", "La réponse n’est pas valide. Essayez de nouveau.")
			w.shot("mfa-retry")
		}},
		{"ThreeAtOnce", "FlinksCapital", "mfa_triple", "Everyday", func(w *widget) {
			w.screen("mfa")
			w.typeIn("mfa-answer-0", "Cercle")
			w.click("mfa-submit")
			w.waitSteps(append(slices.Clone(credentialSteps), "COMPONENT_LOAD_MFA", "SUBMIT_MFA", "COMPONENT_LOAD_MFA"))
			w.screen("mfa")
			w.wantText("mfa-form", "Quel est le nom de votre chien")
			w.shot("mfa-three-questions")
		}},
		{"Image", "Laurentienne", "Greatday", "Everyday", func(w *widget) {
			w.screen("mfa")
			w.typeIn("mfa-answer-0", "Montréal"+"\r")
			w.waitSteps(append(slices.Clone(credentialSteps), "COMPONENT_LOAD_MFA", "SUBMIT_MFA", "COMPONENT_LOAD_MFA"))
			w.screen("mfa")
			w.wantText("mfa-form", "Sélectionnez une image")
			w.shot("mfa-image")
		}},
		{"SecurID", "National", "Greatday", "Everyday", func(w *widget) {
			w.screen("mfa")
			w.wantText("mfa-form", "Entrez votre SecurID")
			w.shot("mfa-securid")
		}},
		{"TextOrCall", "TD", "Greatday", "Everyday", func(w *widget) {
			w.screen("mfa")
			w.wantText("mfa-form", "Comment voulez-vous recevoir le code?")
			w.shot("mfa-text-or-call")
			w.click("mfa-phone-0-0")
			w.click("mfa-method-0-text")
			w.click("mfa-submit")
			w.waitSteps(append(slices.Clone(credentialSteps), "COMPONENT_LOAD_MFA", "SUBMIT_MFA", "COMPONENT_LOAD_MFA"))
			w.screen("mfa")
			w.wantText("mfa-form", "Entrez le code de sécurité")
			w.shot("mfa-code")
		}},
		{"Device", "FlinksCapital", "mfa_device", "Everyday", func(w *widget) {
			w.screen("mfa-device")
			w.wantText("mfa-device-check", "J’ai approuvé")
			w.shot("mfa-device")
		}},
		{"PasswordRetry", "FlinksCapital", "Greatday", "Dimanche", func(w *widget) {
			w.waitStep("COMPONENT_LOAD_CREDENTIAL_RETRY")
			w.screen("credentials")
			w.wantText("error", "Le mot de passe n’est pas valide")
			w.shot("credentials-retry")
		}},
		{"Error", "FlinksCapital", "test_disabled_account", "Everyday", func(w *widget) {
			w.screen("error")
			w.wantText("title", "Nous n’avons pas pu connecter votre banque")
			w.shot("error")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := openWidget(t, s.url, "demo=true&language=fr", 420)
			w.login(tc.institution, "", tc.user, tc.password)
			if tc.name != "Error" && tc.name != "PasswordRetry" {
				w.screen(map[bool]string{true: "mfa-device", false: "mfa"}[tc.name == "Device"])
				if got := w.text("title"); got != mfaTitle {
					t.Errorf("title %q, want %q", got, mfaTitle)
				}
			}
			tc.walk(w)
		})
	}
	t.Run("TokenInvalid", func(t *testing.T) {
		t.Parallel()
		w := openWidget(t, s.url, "language=fr", 420)
		w.screen("token-invalid")
		w.wantText("title", "Ce lien a expiré")
		w.shot("token-invalid")
	})
}

// wantText checks that the element of a data-testid shows text.
func (w *widget) wantText(id, text string) {
	w.t.Helper()
	if got := w.text(id); !strings.Contains(got, text) {
		w.t.Errorf("%s shows %q, want %q in it", id, got, text)
	}
}

// TestConnectBackAndHeader checks backEnable (back from the credentials,
// and from an error, to the institutions), headerEnable=false, parameter
// names in any letter case, and that unknown parameters are ignored.
func TestConnectBackAndHeader(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	w := openWidget(t, s.url, "demo=true&backEnable=true&noSuchParameter=1&InstitutionFilterEnable=false", 420)
	w.screen("institutions")
	if n, err := chromedp.Run(w.ctx, chromedp.Nodes(testID("institution-search"), chromedp.FromNode(w.frame), chromedp.AtLeast(0))); err != nil || len(n) != 0 {
		t.Errorf("InstitutionFilterEnable=false (a name in other letter case) still shows the search: %d, %v", len(n), err)
	}
	w.click("institution-RBC")
	w.screen("credentials")
	w.click("back")
	w.screen("institutions")
	w.click("institution-FlinksCapital")
	w.screen("credentials")
	w.typeIn("credential-username", "test_disabled_account")
	w.typeIn("credential-password", "Everyday")
	w.click("credential-submit")
	w.screen("error")
	w.click("back")
	w.screen("institutions")
	w.wantSteps("APP_MOUNTED", "COMPONENT_LOAD_INSTITUTION_SELECTOR", "INSTITUTION_SELECTED", "COMPONENT_LOAD_CREDENTIAL",
		"COMPONENT_LOAD_INSTITUTION_SELECTOR", "INSTITUTION_SELECTED", "COMPONENT_LOAD_CREDENTIAL", "SUBMIT_CREDENTIAL", "DISABLED_LOGIN",
		"COMPONENT_LOAD_INSTITUTION_SELECTOR")

	bare := openWidget(t, s.url, "demo=true&headerEnable=false", 420)
	bare.screen("institutions")
	hidden, err := chromedp.Run(bare.ctx, chromedp.JavascriptAttribute[bool](chromedp.CSS("#header"), "hidden", chromedp.FromNode(bare.frame)))
	if err != nil || !hidden {
		t.Errorf("headerEnable=false: the header's hidden is %v (%v)", hidden, err)
	}
}
