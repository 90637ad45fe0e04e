package sandbox_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/connector/connectortest"
	"github.com/bankfeed/bankfeed/connectors/sandbox"
	"github.com/bankfeed/bankfeed/flinks"
)

// newSandbox returns a connector on freshly parsed embedded scenarios, so
// that two connectors share nothing, not even scenario data: the conformance
// suite's statelessness checks then prove that the state bytes alone carry a
// conversation.
func newSandbox(t testing.TB) *sandbox.Connector {
	t.Helper()
	scenarios, err := sandbox.Embedded()
	if err != nil {
		t.Fatalf("Embedded: %v", err)
	}
	c, err := sandbox.New(scenarios...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// english holds the public sandbox's questions and their answers, written
// out here rather than read from the scenario, so that the tests check the
// scenario too.
var english = map[string]string{
	"What shape do people like most?":    "Triangle",
	"What city were you born in?":        "Montreal",
	"What is the best country on earth?": "Canada",
}

// french holds the same questions as asked with Language "fr".
var french = map[string]string{
	"Quelle forme les gens préfèrent-ils?": "Triangle",
	"Dans quelle ville êtes-vous né?":      "Montréal",
	"Quel est le meilleur pays au monde?":  "Canada",
}

// answerFrom answers a challenge from a prompt -> answer table; a prompt not
// in it gets no answer, which the sandbox rejects.
func answerFrom(m map[string]string) func(connector.Challenge) []string {
	return func(c connector.Challenge) []string {
		if a, ok := m[c.Prompt]; ok {
			return []string{a}
		}
		return nil
	}
}

// scenarioAnswer answers any challenge of the embedded scenarios correctly,
// reading the passing answer from the scenario itself, for the flows whose
// answers (images, options) are impractical to write out.
func scenarioAnswer(t testing.TB) func(connector.Challenge) []string {
	scenarios, err := sandbox.Embedded()
	if err != nil {
		t.Fatalf("Embedded: %v", err)
	}
	type spec struct {
		c     *sandbox.ChallengeSpec
		index int // position in its step
	}
	specs := map[string]spec{}
	for _, sc := range scenarios {
		for _, st := range sc.Steps {
			for i, c := range st.Challenges {
				specs[c.Prompt.En] = spec{c, i}
			}
		}
	}
	return func(ch connector.Challenge) []string {
		s, ok := specs[ch.Prompt]
		if !ok {
			return nil
		}
		c := s.c
		switch c.Type {
		case flinks.QuestionAndAnswer:
			switch {
			case len(c.Iterables) > 0:
				// Choosing a new security question: the challenges of a
				// round must choose different ones, so each takes the
				// option at its own position.
				return []string{c.Iterables[s.index%len(c.Iterables)].En, "an answer"}
			case c.Pattern != "":
				return []string{"123456"} // the embedded patterns are six-digit codes
			}
			return c.Answers[:1]
		case flinks.MultipleChoice, flinks.ImageSelection:
			return c.Answers[:1]
		case flinks.MultipleChoiceMultipleAnswers:
			return c.Answers
		case flinks.TextOrCall:
			return []string{c.Iterables[0].En, "Text"}
		case flinks.WaitUntilEUAccept:
			return []string{"VERIFIED"}
		}
		return nil
	}
}

// TestConformance runs the connector suite on the sandbox's logins. The
// device-approval users (mfa_device, RBC's Greatday on reopen) are left out:
// their approval takes seconds of the request's clock, which the suite does
// not advance.
func TestConformance(t *testing.T) {
	t.Parallel()
	newConnector := func() connector.Connector { return newSandbox(t) }
	fromScenario := scenarioAnswer(t)
	scripts := []struct {
		institution, username string
		answer                func(connector.Challenge) []string
	}{
		{"FlinksCapital", "Greatday", answerFrom(english)},
		{"FlinksCapital", "greatday_nomfa", answerFrom(english)},
		{"FlinksCapital", "greatday_allquestions", answerFrom(english)},
		{"FlinksCapital", "greatday_rotating", answerFrom(english)},
		// A wrong answer leads to another round of three questions.
		{"FlinksCapital", "mfa_triple", fromScenario},
		{"FlinksCapital", "mfa_newquestions", fromScenario},
		{"FlinksCapital", "mfa_image", fromScenario},
		{"FlinksCapital", "mfa_securid", fromScenario},
		{"FlinksCapital", "mfa_reset", fromScenario},
		{"FlinksCapital", "mfa_textorcall", fromScenario},
		{"Laurentienne", "Greatday", fromScenario},
		{"National", "Greatday", fromScenario},
		{"Scotia", "Greatday", fromScenario},
		{"TD", "Greatday", fromScenario},
		{"RBC", "greatday_newquestions", fromScenario},
		{"FlinksCapital", "persona_salaried", fromScenario},
		{"FlinksCapital", "persona_gig", fromScenario},
		{"FlinksCapital", "persona_borrower", fromScenario},
		{"FlinksCapital", "persona_business", fromScenario},
		{"FlinksCapital", "persona_newcomer", fromScenario},
		// Declared transactions that post and vanish between fetches.
		{"FlinksCapital", "test_changing_transactions", fromScenario},
	}
	for _, s := range scripts {
		t.Run(s.institution+"/"+s.username, func(t *testing.T) {
			t.Parallel()
			connectortest.Run(t, newConnector, connectortest.Script{
				Institution:   s.institution,
				Username:      s.username,
				Password:      sandbox.Password,
				Answer:        s.answer,
				WrongPassword: "Not" + sandbox.Password,
			})
		})
	}
}

func begin(t *testing.T, c *sandbox.Connector, req connector.BeginRequest) (connector.Outcome, error) {
	t.Helper()
	if req.Institution == "" {
		req.Institution = "FlinksCapital"
	}
	if req.Password == "" {
		req.Password = sandbox.Password
	}
	if req.Now.IsZero() {
		req.Now = time.Now()
	}
	return c.Begin(t.Context(), req)
}

// kindOf returns the kind of a connector error, 0 for nil, and fails t for
// an error of another type.
func kindOf(t *testing.T, err error) connector.Kind {
	t.Helper()
	if err == nil {
		return 0
	}
	var ce *connector.Error
	if !errors.As(err, &ce) {
		t.Fatalf("error %v is not a *connector.Error", err)
	}
	return ce.Kind
}

// TestBegin covers what Begin decides from the credentials alone: the
// sandbox users of docs/sandbox.md and their errors.
func TestBegin(t *testing.T) {
	t.Parallel()
	c := newSandbox(t)
	tests := []struct {
		name        string
		institution string
		username    string
		password    string
		want        connector.Kind // 0: success
		authorized  bool
	}{
		// As on the public Flinks sandbox, credentials are not case
		// sensitive.
		{"case-insensitive credentials", "", "GreatDay", "EveryDay", 0, false},
		{"upper-case credentials", "", "GREATDAY_NOMFA", "EVERYDAY", 0, true},
		{"case-insensitive institution", "flinkscapital", "greatday_nomfa", "", 0, true},
		{"no MFA", "", "greatday_nomfa", "", 0, true},
		{"unknown username", "", "nobody", "", connector.InvalidUsername, false},
		{"empty username", "", "", "", connector.InvalidUsername, false},
		{"wrong password", "", "Greatday", "Everynight", connector.InvalidPassword, false},
		{"disabled account", "", "test_disabled_account", "", connector.DisabledLogin, false},
		{"service unavailable", "", "test_service_unavailable", "", connector.RetryLater, false},
		{"new account", "", "test_new_account", "", connector.NewAccount, false},
		// The password is checked before the account's own failure:
		// otherwise anyone could learn an account's state without it.
		{"disabled account, wrong password", "", "test_disabled_account", "wrong", connector.InvalidPassword, false},
		{"unknown institution", "NoSuchBank", "Greatday", "", connector.DisabledInstitution, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, err := begin(t, c, connector.BeginRequest{
				Institution: tc.institution, Username: tc.username, Password: connector.Secret(tc.password), Language: "en",
			})
			if got := kindOf(t, err); got != tc.want {
				t.Fatalf("Begin: kind %v (%v), want %v", got, err, tc.want)
			}
			if err == nil && out.Authorized() != tc.authorized {
				t.Errorf("Begin authorized %v, want %v", out.Authorized(), tc.authorized)
			}
		})
	}
}

// TestLanguage checks that prompts are asked in the session's language, and
// that French answers pass.
func TestLanguage(t *testing.T) {
	t.Parallel()
	c := newSandbox(t)
	tests := []struct {
		lang    string
		answers map[string]string
	}{
		{"en", english},
		{"fr", french},
		{"", english},   // no language: English
		{"de", english}, // a language the sandbox lacks: English
	}
	for _, tc := range tests {
		t.Run("lang="+tc.lang, func(t *testing.T) {
			t.Parallel()
			out, err := begin(t, c, connector.BeginRequest{Username: "greatday_allquestions", Language: tc.lang})
			if err != nil {
				t.Fatal(err)
			}
			var prompts []string
			for round := 0; !out.Authorized(); round++ {
				if round > 3 {
					t.Fatal("more than three rounds")
				}
				p := out.Challenges[0].Prompt
				prompts = append(prompts, p)
				a, ok := tc.answers[p]
				if !ok {
					t.Fatalf("prompt %q is not one of the questions in this language", p)
				}
				out, err = c.Continue(t.Context(), connector.ContinueRequest{State: out.State, Answers: map[string][]string{p: {a}}, Now: time.Now()})
				if err != nil {
					t.Fatalf("Continue: %v", err)
				}
			}
			if len(prompts) != 3 {
				t.Errorf("asked %q, want three questions", prompts)
			}
		})
	}

	// The documented French text of the first question, written out.
	out, err := begin(t, c, connector.BeginRequest{Username: "Greatday", Language: "fr"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := out.Challenges[0].Prompt, "Quelle forme les gens préfèrent-ils?"; got != want {
		t.Errorf("French prompt %q, want %q", got, want)
	}
}

// TestAnswers checks how answers are compared: on letters and digits,
// case-folded, exactly one answer per question.
func TestAnswers(t *testing.T) {
	t.Parallel()
	c := newSandbox(t)
	tests := []struct {
		name    string
		user    string
		answers []string
		ok      bool
	}{
		{"as documented", "Greatday", []string{"Triangle"}, true},
		{"lower case", "Greatday", []string{"triangle"}, true},
		{"upper case and blanks", "Greatday", []string{"  TRIANGLE "}, true},
		{"wrong", "Greatday", []string{"Square"}, false},
		{"empty", "Greatday", []string{""}, false},
		{"none", "Greatday", nil, false},
		{"two answers", "Greatday", []string{"Triangle", "Triangle"}, false},
		{"accent", "greatday_rotating", []string{"Montréal"}, true},
		{"no accent", "greatday_rotating", []string{"montreal"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, err := begin(t, c, connector.BeginRequest{Username: tc.user, Language: "en"})
			if err != nil {
				t.Fatal(err)
			}
			if tc.user == "greatday_rotating" {
				// Move to the second login, which asks the city.
				out, err = c.Continue(t.Context(), connector.ContinueRequest{State: out.State, Answers: map[string][]string{out.Challenges[0].Prompt: {"Triangle"}}})
				if err != nil {
					t.Fatal(err)
				}
				if out, err = begin(t, c, connector.BeginRequest{Username: tc.user, Language: "en", Saved: out.State}); err != nil {
					t.Fatal(err)
				}
			}
			answers := map[string][]string{}
			if tc.answers != nil {
				answers[out.Challenges[0].Prompt] = tc.answers
			}
			next, err := c.Continue(t.Context(), connector.ContinueRequest{State: out.State, Answers: answers, Now: time.Now()})
			switch {
			case tc.ok && err != nil:
				t.Errorf("Continue: %v, want success", err)
			case tc.ok && !next.Authorized():
				t.Errorf("Continue asked %+v, want authorized", next.Challenges)
			case !tc.ok && kindOf(t, err) != connector.InvalidSecurityResponse:
				t.Errorf("Continue: %v, want %v", err, connector.InvalidSecurityResponse)
			}
		})
	}
}

// TestRotating checks greatday_rotating: each login, given the previous
// one's authorized State as Saved, asks the next of shape, city and country,
// then starts over.
func TestRotating(t *testing.T) {
	t.Parallel()
	c := newSandbox(t)
	want := []string{
		"What shape do people like most?",
		"What city were you born in?",
		"What is the best country on earth?",
		"What shape do people like most?",
		"What city were you born in?",
	}
	var saved []byte
	for i, prompt := range want {
		out, err := begin(t, c, connector.BeginRequest{Username: "greatday_rotating", Language: "en", Saved: saved})
		if err != nil {
			t.Fatalf("login %d: Begin: %v", i+1, err)
		}
		if len(out.Challenges) != 1 || out.Challenges[0].Prompt != prompt {
			t.Fatalf("login %d asks %+v, want %q", i+1, out.Challenges, prompt)
		}
		out, err = c.Continue(t.Context(), connector.ContinueRequest{State: out.State, Answers: map[string][]string{prompt: {english[prompt]}}, Now: time.Now()})
		if err != nil || !out.Authorized() {
			t.Fatalf("login %d: Continue = %+v, %v; want authorized", i+1, out.Challenges, err)
		}
		saved = out.State
	}

	// The count belongs to the user: a saved state of another user does not
	// move the rotation.
	other, err := begin(t, c, connector.BeginRequest{Username: "greatday_nomfa"})
	if err != nil {
		t.Fatal(err)
	}
	other, err = begin(t, c, connector.BeginRequest{Username: "greatday_nomfa", Saved: other.State})
	if err != nil {
		t.Fatal(err)
	}
	out, err := begin(t, c, connector.BeginRequest{Username: "greatday_rotating", Language: "en", Saved: other.State})
	if err != nil {
		t.Fatal(err)
	}
	if out.Challenges[0].Prompt != want[0] {
		t.Errorf("with another user's saved state, the login asks %q, want %q", out.Challenges[0].Prompt, want[0])
	}
}

// TestTwoStep covers the flows only a person can answer: an unattended
// login stops with NeedsUser, and the trusted device approves after its
// delay or refuses.
func TestTwoStep(t *testing.T) {
	t.Parallel()
	c := newSandbox(t)

	t.Run("unattended", func(t *testing.T) {
		t.Parallel()
		_, err := begin(t, c, connector.BeginRequest{Username: "mfa_securid", Unattended: true})
		if got := kindOf(t, err); got != connector.NeedsUser {
			t.Errorf("unattended Begin of a SecurID login: %v, want %v", err, connector.NeedsUser)
		}
		// A question bankfeed has the answer to is still asked.
		if _, err := begin(t, c, connector.BeginRequest{Username: "Greatday", Unattended: true}); err != nil {
			t.Errorf("unattended Begin of a security question login: %v", err)
		}
	})

	t.Run("one-time challenges", func(t *testing.T) {
		t.Parallel()
		out, err := begin(t, c, connector.BeginRequest{Username: "mfa_securid"})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Challenges) != 1 || !out.Challenges[0].OneTime {
			t.Errorf("SecurID challenge %+v, want one OneTime challenge (bankfeed must not store its answer)", out.Challenges)
		}
	})

	t.Run("device approves after its delay", func(t *testing.T) {
		t.Parallel()
		start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		out, err := begin(t, c, connector.BeginRequest{Username: "mfa_device", Now: start})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Challenges) != 1 || out.Challenges[0].Type != flinks.WaitUntilEUAccept {
			t.Fatalf("mfa_device asks %+v, want a WaitUntilEUAccept challenge", out.Challenges)
		}
		verified := map[string][]string{out.Challenges[0].Prompt: {"VERIFIED"}}
		// Before the 5s approval delay: the same challenge again.
		early, err := c.Continue(t.Context(), connector.ContinueRequest{State: out.State, Answers: verified, Now: start.Add(time.Second)})
		if err != nil || early.Authorized() || early.Challenges[0].Prompt != out.Challenges[0].Prompt {
			t.Fatalf("Continue before approval = %+v, %v; want the same challenge", early.Challenges, err)
		}
		// Counted from when the challenge was first shown, not from the
		// last poll.
		late, err := c.Continue(t.Context(), connector.ContinueRequest{State: early.State, Answers: verified, Now: start.Add(6 * time.Second)})
		if err != nil || !late.Authorized() {
			t.Fatalf("Continue after approval = %+v, %v; want authorized", late.Challenges, err)
		}
	})

	t.Run("device refuses", func(t *testing.T) {
		t.Parallel()
		out, err := begin(t, c, connector.BeginRequest{Username: "mfa_device_denied"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Continue(t.Context(), connector.ContinueRequest{State: out.State, Answers: map[string][]string{out.Challenges[0].Prompt: {"VERIFIED"}}, Now: time.Now()})
		if got := kindOf(t, err); got != connector.Unauthorized {
			t.Errorf("Continue with a refusing device: %v, want %v", err, connector.Unauthorized)
		}
	})

	t.Run("reopen asks the device", func(t *testing.T) {
		t.Parallel()
		// RBC asks a question on a first login and the device on a
		// reopen of a saved login.
		first, err := begin(t, c, connector.BeginRequest{Institution: "RBC", Username: "Greatday"})
		if err != nil {
			t.Fatal(err)
		}
		if first.Authorized() || first.Challenges[0].Type != flinks.QuestionAndAnswer {
			t.Fatalf("RBC first login asks %+v, want a question", first.Challenges)
		}
		answer := scenarioAnswer(t)
		done, err := c.Continue(t.Context(), connector.ContinueRequest{
			State:   first.State,
			Answers: map[string][]string{first.Challenges[0].Prompt: answer(first.Challenges[0])},
			Now:     time.Now(),
		})
		if err != nil || !done.Authorized() {
			t.Fatalf("RBC first login: Continue = %+v, %v; want authorized", done.Challenges, err)
		}
		reopen, err := begin(t, c, connector.BeginRequest{Institution: "RBC", Username: "Greatday", Saved: done.State})
		if err != nil {
			t.Fatal(err)
		}
		if reopen.Authorized() || reopen.Challenges[0].Type != flinks.WaitUntilEUAccept {
			t.Errorf("RBC reopen asks %+v, want the device", reopen.Challenges)
		}
	})
}

// TestContinueBadState checks that a state the sandbox did not write is a
// typed failure, not a panic or a login.
func TestContinueBadState(t *testing.T) {
	t.Parallel()
	c := newSandbox(t)
	tests := []struct {
		name  string
		state string
		want  connector.Kind
	}{
		{"not JSON", "garbage", connector.Failed},
		{"empty", "", connector.Failed},
		{"unknown institution", `{"i":"NoSuchBank","u":"Greatday","s":"shape"}`, connector.DisabledInstitution},
		{"unknown user", `{"i":"FlinksCapital","u":"nobody","s":"shape"}`, connector.Failed},
		{"unknown step", `{"i":"FlinksCapital","u":"Greatday","s":"nowhere"}`, connector.Failed},
		// An authorized login's saved state is not a round to answer.
		{"saved state", `{"i":"FlinksCapital","u":"Greatday","n":1}`, connector.Failed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := c.Continue(t.Context(), connector.ContinueRequest{State: []byte(tc.state), Answers: map[string][]string{}, Now: time.Now()})
			if got := kindOf(t, err); got != tc.want {
				t.Errorf("Continue: %v, want %v", err, tc.want)
			}
		})
	}
}

// TestNew checks that New refuses institutions a client could not tell
// apart. Duplicate usernames within an institution are refused by Parse
// (scenario_test.go, "duplicate user").
func TestNew(t *testing.T) {
	t.Parallel()
	scenario := func(name string, id int) *sandbox.Scenario {
		return &sandbox.Scenario{Institution: name, InstitutionId: id, DisplayName: name,
			Users: []*sandbox.User{{Username: "alice", Password: "secret"}}}
	}
	tests := []struct {
		name      string
		scenarios []*sandbox.Scenario
		errText   string // "" when New succeeds
	}{
		{"distinct", []*sandbox.Scenario{scenario("A", 1), scenario("B", 2)}, ""},
		{"same name", []*sandbox.Scenario{scenario("A", 1), scenario("A", 2)}, "declared twice"},
		// Institution names are matched case-insensitively.
		{"same name but for case", []*sandbox.Scenario{scenario("Maple", 1), scenario("MAPLE", 2)}, "declared twice"},
		{"same InstitutionId", []*sandbox.Scenario{scenario("A", 1), scenario("B", 1)}, "share InstitutionId"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := sandbox.New(tc.scenarios...)
			if tc.errText == "" {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				if got := len(c.Institutions()); got != len(tc.scenarios) {
					t.Errorf("Institutions lists %d, want %d", got, len(tc.scenarios))
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.errText) {
				t.Errorf("New: %v, want an error containing %q", err, tc.errText)
			}
		})
	}

	// Institutions come sorted by InstitutionId, as Flinks lists them.
	c := newSandbox(t)
	list := c.Institutions()
	for i := 1; i < len(list); i++ {
		if list[i-1].ID >= list[i].ID {
			t.Errorf("Institutions not sorted by ID: %d before %d", list[i-1].ID, list[i].ID)
		}
	}
}
