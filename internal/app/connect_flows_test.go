package app_test

import (
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// login walks the widget from the institution picker to the credentials'
// submission, as a person does: search, pick the bank, type, submit.
func (w *widget) login(institution, search, username, password string) {
	w.t.Helper()
	w.screen("institutions")
	if search != "" {
		w.typeIn("institution-search", search)
	}
	w.click("institution-" + institution)
	w.screen("credentials")
	w.typeIn("credential-username", username)
	w.typeIn("credential-password", password)
	w.click("credential-submit")
}

// credentialSteps are the events from the widget's start to the
// credentials' submission.
var credentialSteps = []string{"APP_MOUNTED", "COMPONENT_LOAD_INSTITUTION_SELECTOR", "INSTITUTION_SELECTED",
	"COMPONENT_LOAD_CREDENTIAL", "SUBMIT_CREDENTIAL"}

// mfaRounds are the events of n MFA rounds, each shown then answered.
func mfaRounds(n int) []string {
	var steps []string
	for range n {
		steps = append(steps, "COMPONENT_LOAD_MFA", "SUBMIT_MFA")
	}
	return steps
}

// TestConnectMFAFlows completes every MFA flow of the sandbox in the
// widget, typing and clicking, checks the exact events the parent page
// received, and opens the REDIRECT's loginId through the Go SDK.
func TestConnectMFAFlows(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	for _, tc := range []struct {
		name, institution, username string
		rounds                      int
		answer                      func(w *widget)
	}{
		{"ThreeAtOnce", "FlinksCapital", "mfa_triple", 2, func(w *widget) {
			w.screen("mfa")
			w.typeIn("mfa-answer-0", "Circle") // wrong: the bank asks three questions instead
			w.click("mfa-submit")
			w.waitSteps(append(slices.Clone(credentialSteps), "COMPONENT_LOAD_MFA", "SUBMIT_MFA", "COMPONENT_LOAD_MFA"))
			w.screen("mfa")
			w.shot("mfa-three-questions")
			w.typeIn("mfa-answer-0", "Louise")
			w.typeIn("mfa-answer-1", "Paul")
			w.typeIn("mfa-answer-2", "Wouf")
			w.click("mfa-submit")
		}},
		{"ChooseNewQuestions", "RBC", "greatday_newquestions", 1, func(w *widget) {
			w.screen("mfa")
			w.shot("mfa-new-questions")
			w.choose("mfa-question-0", "What is the name of my mother")
			w.typeIn("mfa-answer-0", "Louise")
			w.choose("mfa-question-1", "What is the name of my father")
			w.typeIn("mfa-answer-1", "Paul")
			w.choose("mfa-question-2", "What is the name of my dog")
			w.typeIn("mfa-answer-2", "Wouf")
			w.enter("mfa-answer-2")
		}},
		{"ImageSelection", "Laurentienne", "Greatday", 2, func(w *widget) {
			w.screen("mfa")
			w.typeIn("mfa-answer-0", "Montréal")
			w.enter("mfa-answer-0")
			w.waitSteps(append(slices.Clone(credentialSteps), "COMPONENT_LOAD_MFA", "SUBMIT_MFA", "COMPONENT_LOAD_MFA"))
			w.screen("mfa")
			w.shot("mfa-image")
			w.click("mfa-image-0-5") // the dog
			w.click("mfa-submit")
		}},
		{"SecurID", "National", "Greatday", 2, func(w *widget) {
			w.screen("mfa")
			w.shot("mfa-securid")
			w.typeIn("mfa-answer-0", "482913")
			w.click("mfa-submit")
			w.waitSteps(append(slices.Clone(credentialSteps), "COMPONENT_LOAD_MFA", "SUBMIT_MFA", "COMPONENT_LOAD_MFA"))
			w.screen("mfa")
			w.typeIn("mfa-answer-0", "Canada")
			w.click("mfa-submit")
		}},
		{"MultipleChoiceAndAnswers", "Scotia", "Greatday", 2, func(w *widget) {
			w.screen("mfa")
			w.shot("mfa-multiple-choice")
			w.click("mfa-option-0-3") // None of the above
			w.click("mfa-option-1-0") // Purchase 1
			w.click("mfa-option-1-2") // Purchase 3
			w.click("mfa-submit")
			w.waitSteps(append(slices.Clone(credentialSteps), "COMPONENT_LOAD_MFA", "SUBMIT_MFA", "COMPONENT_LOAD_MFA"))
			w.screen("mfa")
			w.choose("mfa-question-0", "What is the name of my mother")
			w.typeIn("mfa-answer-0", "Louise")
			w.choose("mfa-question-1", "What is the name of my father")
			w.typeIn("mfa-answer-1", "Paul")
			w.choose("mfa-question-2", "What is the name of my dog")
			w.typeIn("mfa-answer-2", "Wouf")
			w.click("mfa-submit")
		}},
		{"TextOrCall", "TD", "Greatday", 2, func(w *widget) {
			w.screen("mfa")
			w.shot("mfa-text-or-call")
			w.click("mfa-phone-0-1")
			w.click("mfa-method-0-text")
			w.click("mfa-submit")
			w.waitSteps(append(slices.Clone(credentialSteps), "COMPONENT_LOAD_MFA", "SUBMIT_MFA", "COMPONENT_LOAD_MFA"))
			w.screen("mfa")
			w.shot("mfa-code")
			w.typeIn("mfa-answer-0", "123456")
			w.click("mfa-submit")
		}},
		{"FlinksCapitalImage", "FlinksCapital", "mfa_image", 2, func(w *widget) {
			w.screen("mfa")
			w.typeIn("mfa-answer-0", "Montreal")
			w.click("mfa-submit")
			w.waitSteps(append(slices.Clone(credentialSteps), "COMPONENT_LOAD_MFA", "SUBMIT_MFA", "COMPONENT_LOAD_MFA"))
			w.screen("mfa")
			// From the keyboard: the radio takes the focus, space picks it.
			w.typeIn("mfa-image-0-5", " ")
			w.enter("mfa-image-0-5")
		}},
		{"NoMFA", "FlinksCapital", "greatday_nomfa", 0, func(w *widget) {}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := openWidget(t, s.url, "demo=true&redirectUrl=https://integrator.example/done&jsRedirect=true", 420)
			w.login(tc.institution, "", tc.username, "Everyday")
			tc.answer(w)
			want := append(append(slices.Clone(credentialSteps), mfaRounds(tc.rounds)...), "REDIRECT")
			evs := w.wantSteps(want...)
			w.screen("success")
			loginID, q := redirectLogin(t, evs)
			if q.Get("institution") != tc.institution {
				t.Errorf("REDIRECT url's institution: %v", q)
			}
			if u := evs[len(evs)-1].field("url"); u[:len("https://integrator.example/done?")] != "https://integrator.example/done?" {
				t.Errorf("REDIRECT url %q is not on redirectUrl", u)
			}
			for _, e := range evs[2:] {
				if e.field("institution") != tc.institution {
					t.Errorf("event %v: institution is not %s", e, tc.institution)
				}
			}
			openLogin(t, s, loginID, tc.username)
		})
	}
}

// TestConnectTrustedDevice waits on the trusted-device screen until the
// bank's approval (5 seconds of the server's clock), which the widget
// notices by asking again by itself; and a device that refuses.
func TestConnectTrustedDevice(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	w := openWidget(t, s.url, "demo=true&jsRedirect=true", 420)
	w.login("FlinksCapital", "capital", "mfa_device", "Everyday")
	w.screen("mfa-device")
	w.shot("mfa-device")
	// The widget asks, and the device has not approved: it keeps waiting.
	w.waitSteps(append(slices.Clone(credentialSteps), "COMPONENT_LOAD_MFA", "SUBMIT_MFA"))
	time.Sleep(2 * time.Second)
	w.screen("mfa-device")
	s.clock.Advance(6 * time.Second)
	w.click("mfa-device-check")
	evs := w.wantSteps(append(append(slices.Clone(credentialSteps), "COMPONENT_LOAD_MFA", "SUBMIT_MFA"), "REDIRECT")...)
	loginID, _ := redirectLogin(t, evs)
	openLogin(t, s, loginID, "mfa_device")

	denied := openWidget(t, s.url, "demo=true", 420)
	denied.login("FlinksCapital", "", "mfa_device_denied", "Everyday")
	denied.screen("mfa-device")
	s.clock.Advance(6 * time.Second)
	evs = denied.wantSteps(append(slices.Clone(credentialSteps), "COMPONENT_LOAD_MFA", "SUBMIT_MFA", "UNAUTHORIZED")...)
	if evs[len(evs)-1].field("flinksCode") != "UNAUTHORIZED" {
		t.Errorf("the refusal's event: %v", evs[len(evs)-1])
	}
	denied.screen("error")
}

// TestConnectBankErrors posts the error event named after each FlinksCode
// of the sandbox's error users, and ends on the error screen.
func TestConnectBankErrors(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	for user, code := range map[string]string{
		"test_disabled_account": "DISABLED_LOGIN", "test_service_unavailable": "RETRY_LATER", "test_new_account": "NEW_ACCOUNT",
	} {
		t.Run(code, func(t *testing.T) {
			t.Parallel()
			w := openWidget(t, s.url, "demo=true", 420)
			w.login("FlinksCapital", "", user, "Everyday")
			evs := w.wantSteps(append(slices.Clone(credentialSteps), code)...)
			if e := evs[len(evs)-1]; e.field("flinksCode") != code || e.field("institution") != "FlinksCapital" {
				t.Errorf("error event %v", e)
			}
			w.screen("error")
			if code == "DISABLED_LOGIN" {
				w.shot("error")
			}
		})
	}
}

// TestConnectKeyboardAt320 runs a login at 320 px wide from the keyboard
// only: nothing overflows the width, every control is reached and used
// with keys.
func TestConnectKeyboardAt320(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	w := openWidget(t, s.url, "demo=true&consentEnable=true&customerName=Acme%20Lending&closeEnable=true&backEnable=true", 320)
	w.screen("consent")
	w.noOverflow()
	w.shot("narrow-consent")
	w.enter("consent-accept")
	w.screen("institutions")
	w.noOverflow()
	w.shot("narrow-institutions")
	w.typeIn("institution-search", "scotia")
	w.enter("institution-Scotia")
	w.screen("credentials")
	w.noOverflow()
	w.shot("narrow-credentials")
	w.typeIn("credential-username", "Greatday")
	w.typeIn("credential-password", "Everyday"+kb.Enter)
	w.screen("mfa")
	w.noOverflow()
	w.typeIn("mfa-option-0-3", " ")
	w.typeIn("mfa-option-1-0", " ")
	w.typeIn("mfa-option-1-2", " "+kb.Enter)
	w.waitSteps([]string{"APP_MOUNTED", "COMPONENT_LOAD_CONSENT", "COMPONENT_ACCEPT_CONSENT", "COMPONENT_LOAD_INSTITUTION_SELECTOR",
		"INSTITUTION_SELECTED", "COMPONENT_LOAD_CREDENTIAL", "SUBMIT_CREDENTIAL", "COMPONENT_LOAD_MFA", "SUBMIT_MFA", "COMPONENT_LOAD_MFA"})
	w.screen("mfa")
	w.noOverflow()
	w.enter("close")
	w.wantSteps("APP_MOUNTED", "COMPONENT_LOAD_CONSENT", "COMPONENT_ACCEPT_CONSENT", "COMPONENT_LOAD_INSTITUTION_SELECTOR",
		"INSTITUTION_SELECTED", "COMPONENT_LOAD_CREDENTIAL", "SUBMIT_CREDENTIAL", "COMPONENT_LOAD_MFA", "SUBMIT_MFA", "COMPONENT_LOAD_MFA",
		"COMPONENT_CLOSE_SESSION")
}

// waitSteps waits until the parent has received exactly the events want,
// in order, and no more.
func (w *widget) waitSteps(want []string) {
	w.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := w.steps()
		if slices.Equal(got, want) {
			return
		}
		if len(got) > len(want) || time.Now().After(deadline) {
			w.t.Fatalf("events:\n got %v\nwant %v", got, want)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// noOverflow checks that the widget's page is no wider than its frame.
func (w *widget) noOverflow() {
	w.t.Helper()
	scroll, err := chromedp.Run(w.ctx, chromedp.JavascriptAttribute[int](chromedp.CSS("html"), "scrollWidth", chromedp.FromNode(w.frame)))
	if err != nil {
		w.t.Fatal(err)
	}
	client, err := chromedp.Run(w.ctx, chromedp.JavascriptAttribute[int](chromedp.CSS("html"), "clientWidth", chromedp.FromNode(w.frame)))
	if err != nil {
		w.t.Fatal(err)
	}
	if scroll > client {
		w.t.Errorf("the widget is %d px wide in a %d px frame", scroll, client)
	}
}
