// Package sandbox is bankfeed's deterministic sandbox bank: a connector that
// plays login conversations described by scenario files, so that every MFA
// flow and every error of the Flinks API can be reproduced on demand,
// offline, in microseconds.
//
// The seed's institutions (FlinksCapital, RBC, Laurentienne, National,
// Scotia, TD) are embedded in the binary; LoadDir adds a user's own. The
// conversation state handed back to bankfeed between rounds is a small JSON
// document naming the institution, the user and the step, so the connector
// holds nothing between calls.
package sandbox

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/flinks"
)

// Password is the password of every embedded sandbox user, as on the public
// Flinks sandbox.
const Password = "Everyday"

//go:embed scenarios/*.json scenarios/images/*.png
var embedded embed.FS

// Embedded returns the scenarios shipped in the binary.
func Embedded() ([]*Scenario, error) {
	sub, err := fs.Sub(embedded, "scenarios")
	if err != nil {
		return nil, err
	}
	return load(sub, "")
}

// LoadDir reads every *.json scenario of dir; images referenced as
// "@image:NAME" are read from dir/images/NAME.png.
func LoadDir(dir string) ([]*Scenario, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("sandbox: scenario directory: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("sandbox: %s is not a directory", dir)
	}
	return load(os.DirFS(dir), dir)
}

func load(fsys fs.FS, dir string) ([]*Scenario, error) {
	names, err := fs.Glob(fsys, "*.json")
	if err != nil {
		return nil, err
	}
	if len(names) == 0 && dir != "" {
		return nil, fmt.Errorf("sandbox: %s holds no *.json scenario file", dir)
	}
	sort.Strings(names)
	var out []*Scenario
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		display := name
		if dir != "" {
			display = path.Join(dir, name)
		}
		sc, err := Parse(display, data, fsys)
		if err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	return out, nil
}

// Connector serves sandbox institutions. It is immutable once built and safe
// for concurrent use.
type Connector struct {
	byName map[string]*Scenario // by case-folded institution name
	list   []connector.Institution
	// now, when set, is the server's clock, which a wait of the bank
	// follows besides the real time (see WithClock); nil for real time
	// only.
	now func() time.Time
}

// WithClock returns the connector with its waits (a FetchDelay) ending as
// soon as the clock now has passed them, or their real time has, whichever
// comes first: a virtual clock moved forward cuts them short, and a clock
// that stands still does not make them last forever.
func (c *Connector) WithClock(now func() time.Time) *Connector {
	cc := *c
	cc.now = now
	return &cc
}

// New returns a connector serving the given scenarios. It fails when two
// scenarios share an institution name or an InstitutionId.
func New(scenarios ...*Scenario) (*Connector, error) {
	c := &Connector{byName: make(map[string]*Scenario)}
	ids := map[int]string{}
	for _, sc := range scenarios {
		key := fold(sc.Institution)
		if _, dup := c.byName[key]; dup {
			return nil, fmt.Errorf("sandbox: institution %q is declared twice", sc.Institution)
		}
		if other, dup := ids[sc.InstitutionId]; dup {
			return nil, fmt.Errorf("sandbox: institutions %q and %q share InstitutionId %d", other, sc.Institution, sc.InstitutionId)
		}
		ids[sc.InstitutionId] = sc.Institution
		c.byName[key] = sc
		c.list = append(c.list, connector.Institution{Name: sc.Institution, ID: sc.InstitutionId, DisplayName: sc.DisplayName,
			Country: "CA", RoutingNumbers: []string{institutionNumber(sc.Institution)}})
	}
	sort.Slice(c.list, func(i, j int) bool { return c.list[i].ID < c.list[j].ID })
	return c, nil
}

// Institutions implements connector.Connector.
func (c *Connector) Institutions() []connector.Institution {
	out := append([]connector.Institution(nil), c.list...)
	for i := range out {
		out[i].RoutingNumbers = slices.Clone(out[i].RoutingNumbers)
	}
	return out
}

// state is the conversation state between rounds, and the saved state of an
// authorized login.
type state struct {
	Institution string `json:"i"`
	User        string `json:"u"`
	Step        string `json:"s,omitempty"`
	Lang        string `json:"l,omitempty"`
	// Logins counts the authorized logins of this user so far; it drives
	// Rotate.
	Logins int `json:"n,omitempty"`
	// Shown is when the step was first shown (unix microseconds), for the
	// trusted device's approval delay.
	Shown int64 `json:"t,omitempty"`
	// Linked is when the login was first authorized (unix seconds), kept
	// through every reopen: a scenario's declared transactions count their
	// days and their pending and removal delays from it, so that they move
	// with the clock the same way at every refresh. States saved before it
	// existed have none; the next live login sets it.
	Linked int64 `json:"k,omitempty"`
}

// Begin implements connector.Connector.
func (c *Connector) Begin(ctx context.Context, req connector.BeginRequest) (connector.Outcome, error) {
	sc := c.byName[fold(req.Institution)]
	if sc == nil {
		return connector.Outcome{}, connector.Errorf(connector.DisabledInstitution, "The institution %s is not served by the sandbox.", req.Institution)
	}
	u := sc.user(req.Username)
	if u == nil {
		return connector.Outcome{}, connector.Errorf(connector.InvalidUsername, "The username is not known to %s.", sc.Institution)
	}
	if !strings.EqualFold(string(req.Password), u.Password) {
		return connector.Outcome{}, connector.Errorf(connector.InvalidPassword, "The password is not valid for this username.")
	}
	if u.Error != "" {
		return connector.Outcome{}, failure(u.Error)
	}
	st := state{Institution: sc.Institution, User: u.Username, Lang: req.Language}
	reopen := len(req.Saved) > 0
	if reopen {
		var saved state
		if err := json.Unmarshal(req.Saved, &saved); err == nil && fold(saved.User) == fold(u.Username) {
			st.Logins, st.Linked = saved.Logins, saved.Linked
		}
	}
	first := u.Flow
	switch {
	case len(u.Rotate) > 0:
		first = u.Rotate[st.Logins%len(u.Rotate)]
	case reopen && u.Reopen == "none":
		first = ""
	case reopen && u.Reopen != "":
		first = u.Reopen
	}
	return c.enter(sc, u, st, first, req.Now, req.Unattended)
}

// Continue implements connector.Connector.
func (c *Connector) Continue(ctx context.Context, req connector.ContinueRequest) (connector.Outcome, error) {
	var st state
	if err := json.Unmarshal(req.State, &st); err != nil {
		return connector.Outcome{}, connector.Errorf(connector.Failed, "The sandbox could not read the conversation state.")
	}
	sc := c.byName[fold(st.Institution)]
	if sc == nil {
		return connector.Outcome{}, connector.Errorf(connector.DisabledInstitution, "The institution %s is no longer served by the sandbox.", st.Institution)
	}
	u := sc.user(st.User)
	step := sc.Steps[st.Step]
	if u == nil || step == nil {
		return connector.Outcome{}, connector.Errorf(connector.Failed, "The conversation state does not match the sandbox scenario.")
	}

	shown := time.UnixMicro(st.Shown)
	var wrong, pending bool
	chosen := map[string]bool{} // new questions chosen in this round
	for _, ch := range step.Challenges {
		switch check(ch, u, st.Lang, req.Answers[ch.Prompt.In(st.Lang)], shown, req.Now, chosen) {
		case verdictWrong:
			wrong = true
		case verdictPending:
			pending = true
		case verdictDenied:
			return connector.Outcome{}, connector.Errorf(connector.Unauthorized, "The trusted device refused the login.")
		}
	}
	switch {
	case wrong && step.OnWrong == "":
		return connector.Outcome{}, connector.Errorf(connector.InvalidSecurityResponse, "An answer of this round is not valid.")
	case wrong && sc.Steps[step.OnWrong] != nil:
		out, err := c.enter(sc, u, st, step.OnWrong, req.Now, req.Unattended)
		out.Rejected = true
		return out, err
	case wrong:
		return connector.Outcome{}, failure(step.OnWrong)
	case pending:
		// Not approved yet: the same challenge again, with the same state.
		return c.outcome(step, st)
	}
	return c.enter(sc, u, st, step.Next, req.Now, req.Unattended)
}

// enter moves the conversation to the step named next: its round, or the
// authorized outcome when next is empty.
func (c *Connector) enter(sc *Scenario, u *User, st state, next string, now time.Time, unattended bool) (connector.Outcome, error) {
	if next == "" {
		linked := st.Linked
		if linked == 0 {
			linked = now.Unix()
		}
		saved, err := json.Marshal(state{Institution: st.Institution, User: st.User, Logins: st.Logins + 1, Linked: linked})
		if err != nil {
			return connector.Outcome{}, err
		}
		typ := u.Type
		if typ == "" {
			typ = "Personal"
		}
		return connector.Outcome{State: saved, Login: &connector.LoginInfo{Username: u.Username, Type: typ, SlowFetch: u.SlowFetch}}, nil
	}
	step := sc.Steps[next]
	if step.TwoStep && unattended {
		return connector.Outcome{}, connector.Errorf(connector.NeedsUser, "%s asks for a two-step verification that needs the user.", sc.Institution)
	}
	st.Step, st.Shown = next, now.UnixMicro()
	return c.outcome(step, st)
}

// outcome returns the round of step with state st.
func (c *Connector) outcome(step *Step, st state) (connector.Outcome, error) {
	data, err := json.Marshal(st)
	if err != nil {
		return connector.Outcome{}, err
	}
	out := connector.Outcome{State: data, Challenges: make([]connector.Challenge, len(step.Challenges))}
	for i, ch := range step.Challenges {
		var its []string
		for _, it := range ch.Iterables {
			its = append(its, it.In(st.Lang))
		}
		out.Challenges[i] = connector.Challenge{Type: ch.Type, Prompt: ch.Prompt.In(st.Lang), Iterables: its, OneTime: step.TwoStep}
	}
	return out, nil
}

type verdict int

const (
	verdictRight verdict = iota
	verdictWrong
	verdictPending // a device approval not given yet
	verdictDenied  // a device that refuses
)

// check judges the answers to one challenge; ChallengeSpec documents the
// rules of each type.
func check(ch *ChallengeSpec, u *User, lang string, answers []string, shown, now time.Time, chosen map[string]bool) verdict {
	// option returns the index of the option a names, in the language shown.
	option := func(a string) (int, bool) {
		for i, it := range ch.Iterables {
			if normalize(it.In(lang)) == normalize(a) {
				return i, true
			}
		}
		return 0, false
	}
	// accepted reports whether a is an answer that passes. Answers name
	// options in either language, so a French session's "Achat 1 : 10,35 $"
	// passes where the scenario lists "Purchase 1: $10.35".
	accepted := func(a string) bool {
		i, isOption := option(a)
		for _, want := range ch.Answers {
			if normalize(want) == normalize(a) {
				return true
			}
			if isOption && (normalize(want) == normalize(ch.Iterables[i].En) || normalize(want) == normalize(ch.Iterables[i].Fr)) {
				return true
			}
		}
		return false
	}
	wrongUnless := func(ok bool) verdict {
		if ok {
			return verdictRight
		}
		return verdictWrong
	}

	switch ch.Type {
	case flinks.QuestionAndAnswer:
		if len(ch.Iterables) > 0 { // choose a new question and answer it
			if len(answers) != 2 || strings.TrimSpace(answers[1]) == "" {
				return verdictWrong
			}
			i, ok := option(answers[0])
			if !ok || chosen[ch.Iterables[i].En] {
				return verdictWrong
			}
			chosen[ch.Iterables[i].En] = true
			return verdictRight
		}
		if len(answers) != 1 {
			return verdictWrong
		}
		a := strings.TrimSpace(answers[0])
		if ch.pattern != nil {
			return wrongUnless(ch.pattern.MatchString(a))
		}
		return wrongUnless(accepted(a))
	case flinks.MultipleChoice:
		if len(answers) != 1 {
			return verdictWrong
		}
		_, ok := option(answers[0])
		return wrongUnless(ok && accepted(answers[0]))
	case flinks.MultipleChoiceMultipleAnswers:
		if len(answers) == 0 {
			return verdictWrong
		}
		picked := map[int]bool{}
		for _, a := range answers {
			i, ok := option(a)
			if !ok || picked[i] || !accepted(a) {
				return verdictWrong
			}
			picked[i] = true
		}
		return wrongUnless(len(picked) == len(ch.Answers))
	case flinks.ImageSelection:
		if len(answers) != 1 {
			return verdictWrong
		}
		a := strings.TrimSpace(answers[0])
		return wrongUnless(a == ch.Answers[0])
	case flinks.TextOrCall:
		if len(answers) != 2 {
			return verdictWrong
		}
		_, ok := option(answers[0])
		method := normalize(answers[1])
		return wrongUnless(ok && (method == "text" || method == "call"))
	case flinks.WaitUntilEUAccept:
		if len(answers) != 1 || normalize(answers[0]) != "verified" {
			return verdictWrong
		}
		if u.DeviceDenies {
			return verdictDenied
		}
		if now.Before(shown.Add(u.approval)) {
			return verdictPending
		}
		return verdictRight
	}
	return verdictWrong
}

func (sc *Scenario) user(username string) *User {
	key := fold(username)
	for _, u := range sc.Users {
		if fold(u.Username) == key {
			return u
		}
	}
	return nil
}

// failure is the connector error a scenario's error name (a FlinksCode)
// stands for, with the sandbox bank's message for its kind.
func failure(code string) *connector.Error {
	kind, ok := connector.KindOf(flinks.Code(code))
	if !ok {
		kind = connector.Failed
	}
	return connector.Errorf(kind, "%s", failureMessages[kind])
}

// failureMessages are the sandbox bank's words for each failure it can
// answer.
var failureMessages = map[connector.Kind]string{
	connector.InvalidUsername:         "The username is not valid.",
	connector.InvalidPassword:         "The password is not valid for this username.",
	connector.InvalidSecurityResponse: "An answer of this round is not valid.",
	connector.DisabledLogin:           "The bank has disabled this login.",
	connector.RetryLater:              "The bank cannot be reached; try again later.",
	connector.NewAccount:              "The bank asks the user to act in online banking first.",
	connector.DisabledInstitution:     "The institution is not available.",
	connector.Unauthorized:            "The bank did not authorize the login.",
	connector.Failed:                  "The sandbox bank could not complete the login.",
}

// fold is the case-insensitive form of usernames and names.
func fold(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// normalize is the form in which answers and options are compared:
// case-folded letters and digits only, so "montreal", "Montreal " and
// "MONTREAL" all pass. It is the rule bankfeed applies to prompt keys.
func normalize(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}
