package sandbox

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"regexp/syntax"
	"sort"
	"strings"
	"time"

	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/flinks"
)

// Scenario is one sandbox institution described as data: its users and the
// steps of their login conversations. docs/scenarios.md documents the file
// format with a complete example.
type Scenario struct {
	Institution   string
	InstitutionId int
	DisplayName   string
	// Steps are the rounds of challenges a conversation can ask, by name.
	Steps map[string]*Step
	Users []*User
}

// Step is one round: challenges shown at once and answered in one call.
type Step struct {
	Challenges []*ChallengeSpec
	// Next is the step that follows a right answer; empty means the login is
	// authorized.
	Next string
	// OnWrong is where a wrong answer leads: another step's name, an error
	// (a FlinksCode such as "DISABLED_LOGIN") that ends the login, or empty
	// for INVALID_SECURITY_RESPONSE with the round open for another try.
	OnWrong string
	// TwoStep marks a step only a person can answer (a one-time code, a
	// device approval): its answers are never stored, and an unattended
	// refresh that reaches it stops with QUESTION_NOT_FOUND.
	TwoStep bool
}

// ChallengeSpec is one challenge of a step and the answers that pass it. How
// an answer is checked follows from Type (and Iterables):
//
//   - QuestionAndAnswer without Iterables: one answer, among Answers or
//     matching Pattern;
//   - QuestionAndAnswer with Iterables (choosing a new security question):
//     two values, a question from Iterables and a non-empty answer;
//   - MultipleChoice: one answer, from Iterables, among Answers;
//   - MultipleChoiceMultipleAnswers: one or more answers from Iterables,
//     exactly the set in Answers;
//   - ImageSelection: one answer, from Iterables, equal to Answers[0];
//   - TextOrCall: a phone number from Iterables and "Text" or "Call";
//   - WaitUntilEUAccept: "VERIFIED", once the user's device has approved.
//
// Answers are compared on letters and digits, case-folded, except images,
// which are compared exactly.
type ChallengeSpec struct {
	Type      flinks.ChallengeType
	Prompt    Text
	Iterables []Text
	Answers   []string
	// Pattern is a regular expression an answer must match in full, for
	// answers no list can hold (any six digits of a SecurID).
	Pattern string

	pattern *regexp.Regexp
}

// User is a sandbox user and the conversation its login plays.
type User struct {
	// Username and Password are matched case-insensitively.
	Username string
	Password string
	// Flow is the first step of a login with credentials; empty means the
	// login is authorized at once.
	Flow string
	// Reopen is the first step of a live reopen of a saved login; Flow when
	// empty. "none" authorizes a reopen at once.
	Reopen string
	// Rotate, when set, replaces Flow: each successive login of the user
	// starts at the next step of the list, as banks that pick one of the
	// user's questions each time.
	Rotate []string
	// Error, a FlinksCode such as "DISABLED_LOGIN", ends every login of the
	// user once the password is accepted.
	Error string
	// DeviceApproval is how long the user's trusted device takes to approve
	// a WaitUntilEUAccept challenge, from when it is first shown, as a Go
	// duration such as "5s" or "2m".
	DeviceApproval string
	// DeviceDenies makes the trusted device refuse.
	DeviceDenies bool
	// Type is the login type: "Personal" (the default) or "Business".
	Type string
	// FetchDelay is how long the bank takes to hand over the user's data
	// after a login, as a Go duration: data calls answer 202 meanwhile.
	FetchDelay string
	// SlowFetch makes data calls answer OPERATION_DISPATCHED instead of
	// OPERATION_PENDING while the fetch runs (Flinks' test_dispatched).
	SlowFetch bool
	// Persona selects the profile the user's history is generated with
	// (see personas); empty is the default profile.
	Persona string
	// Transactions are declared on the user's chequing account, beside
	// the generated history.
	Transactions []*DeclaredTransaction

	approval   time.Duration
	fetchDelay time.Duration
}

// Text is a prompt or an option in English and French. In a scenario file it
// is either one string (the same in both languages) or an object
// {"en": "...", "fr": "..."}.
type Text struct {
	En string `json:"en"`
	Fr string `json:"fr"`
}

// In returns the text in lang ("en" or "fr"), falling back to English.
func (t Text) In(lang string) string {
	if lang == "fr" && t.Fr != "" {
		return t.Fr
	}
	return t.En
}

// UnmarshalJSON implements json.Unmarshaler.
func (t *Text) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err == nil {
		*t = Text{En: s}
		return nil
	}
	type plain Text
	var p plain
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return errors.New(`a text is a string or {"en": "...", "fr": "..."}`)
	}
	*t = Text(p)
	return nil
}

// isError reports whether a scenario may name code as an error, for
// User.Error and Step.OnWrong: the FlinksCode of any connector failure but
// NeedsUser, which only an unattended login meets, and which the sandbox
// reports by itself when a one-time challenge comes up unattended.
func isError(code string) bool {
	kind, ok := connector.KindOf(flinks.Code(code))
	return ok && kind != connector.NeedsUser
}

// imageRef is how a scenario names an image file: "@image:NAME" stands for
// the base64 of images/NAME.png beside the scenario file.
const imageRef = "@image:"

// ScenarioError reports an invalid scenario: the file, the field, and what is
// wrong with it.
type ScenarioError struct {
	File  string
	Field string // a path such as Steps.question.Challenges[0].Type; empty for the whole file
	Msg   string
}

func (e *ScenarioError) Error() string {
	if e.Field == "" {
		return e.File + ": " + e.Msg
	}
	return e.File + ": " + e.Field + ": " + e.Msg
}

// Parse reads one scenario file. name is the file's name, for errors;
// images resolves "@image:NAME" references (nil when there are none to
// resolve). The result is validated: every error is a *ScenarioError.
func Parse(name string, data []byte, images fs.FS) (*Scenario, error) {
	fail := func(field, format string, args ...any) error {
		return &ScenarioError{File: name, Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	var sc Scenario
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sc); err != nil {
		return nil, decodeError(name, data, err)
	}
	if dec.More() {
		return nil, fail("", "holds more than one JSON value")
	}

	if strings.TrimSpace(sc.Institution) == "" || strings.ContainsAny(sc.Institution, " /") {
		return nil, fail("Institution", "must be a name without spaces or slashes, such as \"FlinksCapital\"")
	}
	if sc.InstitutionId <= 0 {
		return nil, fail("InstitutionId", "must be a positive number")
	}
	if sc.DisplayName == "" {
		sc.DisplayName = sc.Institution
	}
	if len(sc.Users) == 0 {
		return nil, fail("Users", "must list at least one user")
	}

	stepNames := make([]string, 0, len(sc.Steps))
	for n := range sc.Steps {
		stepNames = append(stepNames, n)
	}
	sort.Strings(stepNames)
	for _, n := range stepNames {
		st := sc.Steps[n]
		field := "Steps." + n
		if st == nil {
			return nil, fail(field, "must be an object")
		}
		if n == "" || n == "none" || isError(n) {
			return nil, fail(field, "%q cannot name a step", n)
		}
		if len(st.Challenges) == 0 {
			return nil, fail(field+".Challenges", "must hold at least one challenge")
		}
		if st.Next != "" && sc.Steps[st.Next] == nil {
			return nil, fail(field+".Next", "no step is named %q", st.Next)
		}
		if st.OnWrong != "" && sc.Steps[st.OnWrong] == nil && !isError(st.OnWrong) {
			return nil, fail(field+".OnWrong", "%q is neither a step nor an error such as DISABLED_LOGIN", st.OnWrong)
		}
		prompts := map[string]bool{}
		for i, c := range st.Challenges {
			cf := fmt.Sprintf("%s.Challenges[%d]", field, i)
			if err := c.validate(name, cf, images); err != nil {
				return nil, err
			}
			for _, p := range []string{c.Prompt.En, c.Prompt.Fr} {
				if p != "" && prompts[p] {
					return nil, fail(cf+".Prompt", "%q is asked twice in one step", p)
				}
				prompts[p] = true
			}
		}
	}

	seen := map[string]bool{}
	for i, u := range sc.Users {
		field := fmt.Sprintf("Users[%d]", i)
		if u == nil {
			return nil, fail(field, "must be an object")
		}
		key := fold(u.Username)
		if key == "" {
			return nil, fail(field+".Username", "is required")
		}
		if seen[key] {
			return nil, fail(field+".Username", "%q is declared twice (usernames are case-insensitive)", u.Username)
		}
		seen[key] = true
		if u.Password == "" {
			return nil, fail(field+".Password", "is required")
		}
		for _, ref := range []struct{ field, step string }{{"Flow", u.Flow}, {"Reopen", u.Reopen}} {
			if ref.step != "" && !(ref.field == "Reopen" && ref.step == "none") && sc.Steps[ref.step] == nil {
				return nil, fail(field+"."+ref.field, "no step is named %q", ref.step)
			}
		}
		for j, s := range u.Rotate {
			if sc.Steps[s] == nil {
				return nil, fail(fmt.Sprintf("%s.Rotate[%d]", field, j), "no step is named %q", s)
			}
		}
		if u.Error != "" && !isError(u.Error) {
			return nil, fail(field+".Error", "%q is not an error a sandbox user can trigger", u.Error)
		}
		if u.DeviceApproval != "" {
			d, err := time.ParseDuration(u.DeviceApproval)
			if err != nil || d < 0 {
				return nil, fail(field+".DeviceApproval", "%q is not a duration such as \"5s\" or \"2m\"", u.DeviceApproval)
			}
			u.approval = d
		}
		if u.FetchDelay != "" {
			d, err := time.ParseDuration(u.FetchDelay)
			if err != nil || d < 0 {
				return nil, fail(field+".FetchDelay", "%q is not a duration such as \"5s\" or \"2m\"", u.FetchDelay)
			}
			u.fetchDelay = d
		}
		if u.Type != "" && u.Type != "Personal" && u.Type != "Business" {
			return nil, fail(field+".Type", "must be Personal or Business")
		}
		if u.Persona != "" {
			p, ok := personas[u.Persona]
			if !ok {
				return nil, fail(field+".Persona", "%q is not a persona (%s)", u.Persona, strings.Join(personaNames(), ", "))
			}
			if p.business && u.Type != "Business" {
				return nil, fail(field+".Type", "the %s persona is a business: it needs \"Type\": \"Business\"", u.Persona)
			}
		}
		for j, d := range u.Transactions {
			if err := d.validate(name, fmt.Sprintf("%s.Transactions[%d]", field, j)); err != nil {
				return nil, err
			}
		}
	}
	if err := checkCycles(&sc); err != nil {
		return nil, fail("Steps", "%v", err)
	}
	return &sc, nil
}

func (c *ChallengeSpec) validate(file, field string, images fs.FS) error {
	fail := func(f, format string, args ...any) error {
		return &ScenarioError{File: file, Field: field + f, Msg: fmt.Sprintf(format, args...)}
	}
	if c == nil {
		return fail("", "must be an object")
	}
	if c.Prompt.En == "" {
		return fail(".Prompt", "is required")
	}
	for i := range c.Iterables {
		for _, s := range []*string{&c.Iterables[i].En, &c.Iterables[i].Fr} {
			if err := resolveImage(s, images); err != nil {
				return fail(fmt.Sprintf(".Iterables[%d]", i), "%v", err)
			}
		}
		if c.Iterables[i].En == "" {
			return fail(fmt.Sprintf(".Iterables[%d]", i), "is empty")
		}
	}
	for i := range c.Answers {
		if err := resolveImage(&c.Answers[i], images); err != nil {
			return fail(fmt.Sprintf(".Answers[%d]", i), "%v", err)
		}
	}
	if c.Pattern != "" {
		re, err := regexp.Compile("^(?:" + c.Pattern + ")$")
		if err != nil {
			reason := err.Error()
			var se *syntax.Error
			if errors.As(err, &se) {
				reason = se.Code.String() // the wrapped pattern in se.Expr is not what the user wrote
			}
			return fail(".Pattern", "%q is not a regular expression: %s", c.Pattern, reason)
		}
		c.pattern = re
	}
	inIterables := func(a string) bool {
		for _, it := range c.Iterables {
			if normalize(it.En) == normalize(a) || (it.Fr != "" && normalize(it.Fr) == normalize(a)) {
				return true
			}
		}
		return false
	}
	needIterables := func() error {
		if len(c.Iterables) == 0 {
			return fail(".Iterables", "a %s challenge needs options", c.Type)
		}
		return nil
	}
	switch c.Type {
	case flinks.QuestionAndAnswer:
		if len(c.Iterables) == 0 && len(c.Answers) == 0 && c.Pattern == "" {
			return fail(".Answers", "a question needs Answers or a Pattern")
		}
	case flinks.MultipleChoice, flinks.MultipleChoiceMultipleAnswers, flinks.ImageSelection:
		if err := needIterables(); err != nil {
			return err
		}
		if len(c.Answers) == 0 {
			return fail(".Answers", "must name the options that pass")
		}
		if c.Type != flinks.MultipleChoiceMultipleAnswers && len(c.Answers) != 1 {
			return fail(".Answers", "a %s challenge passes with exactly one option", c.Type)
		}
		for i, a := range c.Answers {
			if !inIterables(a) {
				return fail(fmt.Sprintf(".Answers[%d]", i), "is not one of the Iterables")
			}
		}
	case flinks.TextOrCall:
		if err := needIterables(); err != nil {
			return err
		}
	case flinks.WaitUntilEUAccept:
	case "":
		return fail(".Type", "is required")
	default:
		return fail(".Type", "%q is not a challenge type (QuestionAndAnswer, MultipleChoice, MultipleChoiceMultipleAnswers, ImageSelection, TextOrCall, WaitUntilEUAccept)", c.Type)
	}
	return nil
}

// resolveImage replaces an "@image:NAME" reference by the base64 of the PNG.
func resolveImage(s *string, images fs.FS) error {
	name, ok := strings.CutPrefix(*s, imageRef)
	if !ok {
		return nil
	}
	if images == nil {
		return fmt.Errorf("%q: no images directory", *s)
	}
	if name == "" || strings.ContainsAny(name, "/\\") {
		return fmt.Errorf("%q is not an image name", *s)
	}
	data, err := fs.ReadFile(images, path.Join("images", name+".png"))
	if err != nil {
		return fmt.Errorf("image %q: %v", name, err)
	}
	if !bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")) {
		return fmt.Errorf("image %q: images/%s.png is not a PNG file", name, name)
	}
	*s = base64.StdEncoding.EncodeToString(data)
	return nil
}

// checkCycles refuses a Next chain that loops: a conversation would never
// end. Loops through OnWrong are allowed: a wrong answer may ask again.
func checkCycles(sc *Scenario) error {
	starts := make([]string, 0, len(sc.Steps))
	for n := range sc.Steps {
		starts = append(starts, n)
	}
	sort.Strings(starts) // the same file always names the same loop
	for _, start := range starts {
		seen := map[string]bool{}
		for n := start; n != ""; n = sc.Steps[n].Next {
			if seen[n] {
				return fmt.Errorf("the Next chain from %q loops back to %q", start, n)
			}
			seen[n] = true
		}
	}
	return nil
}

// decodeError turns a JSON decoding error into a ScenarioError with a line
// and column.
func decodeError(name string, data []byte, err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return &ScenarioError{File: name, Msg: fmt.Sprintf("%s: invalid JSON: %v", position(data, syntax.Offset), syntax)}
	case errors.As(err, &typ):
		return &ScenarioError{File: name, Field: typ.Field, Msg: fmt.Sprintf("%s: must be %s, not %s", position(data, typ.Offset), typ.Type, typ.Value)}
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return &ScenarioError{File: name, Msg: fmt.Sprintf("%s: invalid JSON: the file ends before the scenario does", position(data, int64(len(data))))}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return &ScenarioError{File: name, Msg: "unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ")}
	}
	return &ScenarioError{File: name, Msg: err.Error()}
}

// position returns "line L, column C" of a byte offset.
func position(data []byte, offset int64) string {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	before := data[:offset]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(offset) - bytes.LastIndexByte(before, '\n')
	return fmt.Sprintf("line %d, column %d", line, col)
}
