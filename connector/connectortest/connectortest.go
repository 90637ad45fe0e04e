// Package connectortest is the conformance suite of the connector contract.
// A connector's tests run it once per scripted login:
//
//	func TestConformance(t *testing.T) {
//		connectortest.Run(t, func() connector.Connector { return mybank.New() }, connectortest.Script{
//			Institution:   "MyBank",
//			Username:      "alice",
//			Password:      "secret",
//			WrongPassword: "not-the-password",
//			Answer: func(c connector.Challenge) []string {
//				return []string{answers[c.Prompt]}
//			},
//		})
//	}
//
// It imports only the standard library and the packages a connector itself
// may import, so a connector written outside the bankfeed repository can use
// it.
package connectortest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/flinks"
)

// MaxRounds is the number of rounds of challenges within which a scripted
// login must be authorized; more means a conversation that does not end.
const MaxRounds = 20

// WrongAnswer is the answer the suite gives to every challenge of a round to
// get it wrong.
const WrongAnswer = "definitely-wrong-answer"

// Script tells the suite how to drive one institution of the connector under
// test.
type Script struct {
	// Institution is an institution name the connector serves.
	Institution string
	// Username and Password are credentials that log in, possibly through
	// rounds of challenges.
	Username, Password string
	// Answer answers a challenge of that login correctly. It may be nil for a
	// login that asks no challenge, and is called from parallel subtests.
	Answer func(c connector.Challenge) []string
	// WrongPassword is a password the connector rejects with Kind
	// InvalidPassword. When empty, the suite skips that check.
	WrongPassword string
}

// Run checks the connector that newConnector returns against the contract of
// package connector, driving the login s describes:
//
//   - Institutions lists named, uniquely named and uniquely numbered
//     institutions, including s.Institution, and the same list each time;
//   - a wrong password is an *connector.Error of kind InvalidPassword;
//   - the login is authorized within MaxRounds rounds, each round having
//     challenges with non-empty, distinct prompts;
//   - the connector keeps nothing between calls: every call is made on a
//     fresh connector from newConnector, with only the state bytes;
//   - a wrong answer is InvalidSecurityResponse or leads to another round,
//     and the round it failed can then be answered again with its state;
//   - the authorized State, passed back as BeginRequest.Saved, logs in again;
//   - one connector serves concurrent logins;
//   - a cancelled context does not make it panic;
//   - an unattended login never gets a one-time challenge: where the
//     attended login asks one, the unattended one fails with NeedsUser, and
//     otherwise it is authorized with the same answers;
//   - if the connector is a Fetcher: transactions come newest first, on
//     calendar days, each with exactly one of Debit and Credit, and running
//     balances that follow the amounts up to the account's Current; ids are
//     stable, across two fetches at one Now and for the transactions a
//     later fetch still shows;
//   - if the connector is a QuestionLister: the questions listed for the
//     authorized login include every question its rounds asked that can be
//     answered ahead of time (a QuestionAndAnswer without choices, not
//     one-time).
//
// The scripted user must be one whose wrong answers are retryable (or lead to
// another round), and whose login needs no time to pass (a device approval
// with a delay would never be given).
func Run(t *testing.T, newConnector func() connector.Connector, s Script) {
	t.Helper()
	d := driver{newConnector: newConnector, s: s}
	tests := []struct {
		name string
		fn   func(t *testing.T, d driver)
	}{
		{"Institutions", testInstitutions},
		{"WrongPassword", testWrongPassword},
		{"Login", testLogin},
		{"WrongAnswer", testWrongAnswer},
		{"Saved", testSaved},
		{"Concurrent", testConcurrent},
		{"CanceledContext", testCanceledContext},
		{"Unattended", testUnattended},
		{"Fetch", testFetch},
		{"StableIDs", testStableIDs},
		{"Questions", testQuestions},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, d)
		})
	}
}

// driver runs the scripted login against fresh connectors.
type driver struct {
	newConnector func() connector.Connector
	s            Script
}

// fetchNow is the fixed clock of the suite's fetches, so that two fetches
// at one Now must agree.
var fetchNow = time.Date(2026, time.March, 14, 15, 0, 0, 0, time.UTC)

func (d driver) beginRequest(password string, saved []byte) connector.BeginRequest {
	return connector.BeginRequest{
		Institution: d.s.Institution,
		Username:    d.s.Username,
		Password:    connector.Secret(password),
		Language:    "en",
		Saved:       saved,
		Now:         time.Now(),
	}
}

// answers answers every challenge of a round, with the script's answers or,
// when wrong is set, with WrongAnswer.
func (d driver) answers(out connector.Outcome, wrong bool) (map[string][]string, error) {
	m := make(map[string][]string, len(out.Challenges))
	for _, c := range out.Challenges {
		switch {
		case wrong:
			m[c.Prompt] = []string{WrongAnswer}
		case d.s.Answer == nil:
			return nil, fmt.Errorf("the login asks %q and the script has no Answer", c.Prompt)
		default:
			m[c.Prompt] = d.s.Answer(c)
		}
	}
	return m, nil
}

// login runs the scripted login from Begin to its authorized outcome,
// passing saved as BeginRequest.Saved. Every call is made on a fresh
// connector, the state bytes being all that links one call to the next, as
// when a conversation moves between server processes. When c is not nil,
// every call is made on c instead. onRound, when set, is called with each
// round before it is answered.
func (d driver) login(ctx context.Context, c connector.Connector, saved []byte, onRound func(round int, out connector.Outcome) error) (connector.Outcome, error) {
	conn := func() connector.Connector {
		if c != nil {
			return c
		}
		return d.newConnector()
	}
	out, err := conn().Begin(ctx, d.beginRequest(d.s.Password, saved))
	if err != nil {
		return out, fmt.Errorf("calling Begin: %w", err)
	}
	for round := 1; !out.Authorized(); round++ {
		if round > MaxRounds {
			return out, fmt.Errorf("not authorized after %d rounds", MaxRounds)
		}
		if err := checkRound(out); err != nil {
			return out, fmt.Errorf("round %d: %w", round, err)
		}
		if onRound != nil {
			if err := onRound(round, out); err != nil {
				return out, fmt.Errorf("round %d: %w", round, err)
			}
		}
		answers, err := d.answers(out, false)
		if err != nil {
			return out, fmt.Errorf("round %d: %w", round, err)
		}
		out, err = conn().Continue(ctx, connector.ContinueRequest{State: out.State, Answers: answers, Now: time.Now()})
		if err != nil {
			return out, fmt.Errorf("round %d: Continue with the script's answers: %w", round, err)
		}
	}
	if err := checkAuthorized(out); err != nil {
		return out, err
	}
	return out, nil
}

// checkRound checks a round of challenges: every challenge can be told apart
// by its prompt, since answers are keyed by prompt, and the round carries the
// state that Continue needs.
func checkRound(out connector.Outcome) error {
	if len(out.State) == 0 {
		return errors.New("a round of challenges without State: Continue could not know the conversation")
	}
	if out.Login != nil {
		return errors.New("a round of challenges with Login set")
	}
	seen := make(map[string]bool)
	for i, c := range out.Challenges {
		if c.Type == "" {
			return fmt.Errorf("challenge %d (%q) has no Type", i, c.Prompt)
		}
		if c.Prompt == "" {
			return fmt.Errorf("challenge %d has no Prompt", i)
		}
		if seen[c.Prompt] {
			return fmt.Errorf("prompt %q is asked twice in one round: answers keyed by prompt would collide", c.Prompt)
		}
		seen[c.Prompt] = true
	}
	return nil
}

// checkAuthorized checks an authorized outcome's description of the login.
func checkAuthorized(out connector.Outcome) error {
	if out.Login == nil {
		return errors.New("an authorized outcome without Login")
	}
	if out.Login.Username == "" {
		return errors.New("an authorized login without Username")
	}
	switch out.Login.Type {
	case "", "Personal", "Business":
	default:
		return fmt.Errorf("login Type %q, want Personal, Business or empty", out.Login.Type)
	}
	return nil
}

// checkMessage checks that an error shown to API clients does not carry a
// secret. Secrets shorter than four characters are skipped: they could
// appear in any sentence.
func checkMessage(err error, secrets ...string) error {
	for _, s := range secrets {
		if len(s) >= 4 && strings.Contains(err.Error(), s) {
			return fmt.Errorf("error %q shows a secret to API clients", err)
		}
	}
	return nil
}

func testInstitutions(t *testing.T, d driver) {
	c := d.newConnector()
	list := c.Institutions()
	if len(list) == 0 {
		t.Fatal("Institutions is empty")
	}
	found := false
	for i, inst := range list {
		if inst.Name == "" {
			t.Errorf("institution %d has no Name", i)
		}
		if inst.ID <= 0 {
			t.Errorf("%s: ID %d, want a positive InstitutionId", inst.Name, inst.ID)
		}
		// Clients send names in any case and bankfeed matches them
		// case-insensitively, so two names equal but for case are one.
		for _, other := range list[:i] {
			if strings.EqualFold(inst.Name, other.Name) {
				t.Errorf("institutions %q and %q have the same name", other.Name, inst.Name)
			}
			if inst.ID == other.ID {
				t.Errorf("institutions %q and %q share ID %d", other.Name, inst.Name, inst.ID)
			}
		}
		if strings.EqualFold(inst.Name, d.s.Institution) {
			found = true
		}
	}
	if !found {
		t.Errorf("the scripted institution %q is not listed", d.s.Institution)
	}

	// The list must not change while the connector is registered: not from
	// one call to the next, and not because a caller changed the slice it
	// was given.
	list[0].Name, list[0].ID = "changed-by-the-caller", -1
	again := c.Institutions()
	if len(again) != len(list) {
		t.Fatalf("Institutions returned %d institutions, then %d", len(list), len(again))
	}
	if again[0].Name == "changed-by-the-caller" {
		t.Errorf("Institutions returns a slice the caller can change the connector's list through")
	}
	for i := 1; i < len(list); i++ {
		if !reflect.DeepEqual(again[i], list[i]) {
			t.Errorf("Institutions returned %+v, then %+v", list[i], again[i])
		}
	}
}

func testWrongPassword(t *testing.T, d driver) {
	if d.s.WrongPassword == "" {
		t.Skip("the script has no WrongPassword")
	}
	out, err := d.newConnector().Begin(t.Context(), d.beginRequest(d.s.WrongPassword, nil))
	var ce *connector.Error
	if !errors.As(err, &ce) {
		t.Fatalf("Begin with a wrong password = %+v, %v; want an *connector.Error", out, err)
	}
	if ce.Kind != connector.InvalidPassword {
		t.Errorf("Begin with a wrong password: kind %v, want %v", ce.Kind, connector.InvalidPassword)
	}
	if err := checkMessage(err, d.s.WrongPassword, d.s.Password); err != nil {
		t.Error(err)
	}
}

func testLogin(t *testing.T, d driver) {
	if _, err := d.login(t.Context(), nil, nil, nil); err != nil {
		t.Fatal(err)
	}
}

// testWrongAnswer gets every round wrong once before answering it right. The
// right answer goes with the round's original state to a fresh connector: a
// connector that treated the state as consumed by the wrong attempt, or
// remembered the attempt in memory, fails here.
func testWrongAnswer(t *testing.T, d driver) {
	ctx := t.Context()
	rounds := 0
	_, err := d.login(ctx, nil, nil, func(round int, out connector.Outcome) error {
		rounds++
		wrong, _ := d.answers(out, true)
		next, err := d.newConnector().Continue(ctx, connector.ContinueRequest{State: out.State, Answers: wrong, Now: time.Now()})
		if err != nil {
			var ce *connector.Error
			if !errors.As(err, &ce) || ce.Kind != connector.InvalidSecurityResponse {
				return fmt.Errorf("continuing with wrong answers: %v; want an *connector.Error of kind %v, or another round", err, connector.InvalidSecurityResponse)
			}
			return checkMessage(err, WrongAnswer, d.s.Password)
		}
		// Some banks answer a wrong answer with other questions.
		if next.Authorized() {
			return errors.New("continuing with wrong answers authorized the login")
		}
		if err := checkRound(next); err != nil {
			return fmt.Errorf("the round after wrong answers: %w", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if rounds == 0 {
		t.Log("the scripted login asks no challenge: nothing to answer wrongly")
	}
}

// testSaved logs in three times, each login passing the previous one's
// authorized State as Saved, as bankfeed does for a saved login.
func testSaved(t *testing.T, d driver) {
	ctx := t.Context()
	out, err := d.login(ctx, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 2; i <= 3; i++ {
		out, err = d.login(ctx, nil, out.State, nil)
		if err != nil {
			t.Fatalf("login %d with the previous login's State as Saved: %v", i, err)
		}
	}
}

// testConcurrent runs several logins at once on one connector, which the
// contract requires to be safe for concurrent use (run the suite with -race
// to make this check count).
func testConcurrent(t *testing.T, d driver) {
	const n = 8
	c := d.newConnector()
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, errs[i] = d.login(t.Context(), c, nil, nil)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("login %d: %v", i, err)
		}
	}
}

// testCanceledContext calls Begin and Continue with a cancelled context. The
// contract does not say what they return then (an error or a result), only
// that a connector must survive it: a client that hangs up must not take
// the server down.
func testCanceledContext(t *testing.T, d driver) {
	canceled, cancel := context.WithCancel(t.Context())
	cancel()

	noPanic(t, "Begin", func() {
		d.newConnector().Begin(canceled, d.beginRequest(d.s.Password, nil))
	})

	// Continue a round obtained with a live context, then with a cancelled
	// one.
	var first connector.Outcome
	_, err := d.login(t.Context(), nil, nil, func(round int, out connector.Outcome) error {
		if round == 1 {
			first = out
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if first.Authorized() {
		return // the login asks no challenge: there is no Continue to call
	}
	answers, err := d.answers(first, false)
	if err != nil {
		t.Fatal(err)
	}
	noPanic(t, "Continue", func() {
		d.newConnector().Continue(canceled, connector.ContinueRequest{State: first.State, Answers: answers, Now: time.Now()})
	})
}

// noPanic runs f and reports a panic as a test failure naming call.
func noPanic(t *testing.T, call string, f func()) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Errorf("%s with a cancelled context panicked: %v", call, p)
		}
	}()
	f()
}

// testUnattended logs in attended, noting whether a round asks a one-time
// challenge, then unattended (BeginRequest and ContinueRequest with
// Unattended), as a scheduled refresh does with stored answers.
func testUnattended(t *testing.T, d driver) {
	ctx := t.Context()
	oneTime := false
	if _, err := d.login(ctx, nil, nil, func(_ int, out connector.Outcome) error {
		for _, c := range out.Challenges {
			oneTime = oneTime || c.OneTime
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	req := d.beginRequest(d.s.Password, nil)
	req.Unattended = true
	out, err := d.newConnector().Begin(ctx, req)
	for round := 1; err == nil && !out.Authorized(); round++ {
		if round > MaxRounds {
			t.Fatalf("an unattended login is not authorized after %d rounds", MaxRounds)
		}
		for _, c := range out.Challenges {
			if c.OneTime {
				t.Fatalf("an unattended login got the one-time challenge %q: nobody is there to answer it; "+
					"the contract asks for an *connector.Error of kind NeedsUser instead", c.Prompt)
			}
		}
		var answers map[string][]string
		if answers, err = d.answers(out, false); err != nil {
			t.Fatal(err)
		}
		out, err = d.newConnector().Continue(ctx, connector.ContinueRequest{State: out.State, Answers: answers, Unattended: true, Now: time.Now()})
	}
	var ce *connector.Error
	switch {
	case oneTime && errors.As(err, &ce) && ce.Kind == connector.NeedsUser:
	case oneTime && err == nil:
		t.Error("an unattended login was authorized although the attended one asks a one-time challenge")
	case oneTime:
		t.Errorf("an unattended login that meets a one-time challenge failed with %v; want an *connector.Error of kind NeedsUser", err)
	case err != nil:
		t.Errorf("an unattended login, with the answers the attended one passed with: %v; want it authorized", err)
	}
}

// fetch logs in with the script and fetches the login's data at now, for a
// year; it skips a connector that is not a Fetcher.
func (d driver) fetch(t *testing.T, now ...time.Time) []*connector.Snapshot {
	t.Helper()
	f, ok := d.newConnector().(connector.Fetcher)
	if !ok {
		t.Skip("the connector is not a connector.Fetcher")
	}
	out, err := d.login(t.Context(), nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	snaps := make([]*connector.Snapshot, len(now))
	for i, at := range now {
		if snaps[i], err = f.Fetch(t.Context(), connector.FetchRequest{State: out.State, Now: at, Days: 365}); err != nil {
			t.Fatalf("Fetch at %v: %v", at, err)
		}
		if snaps[i] == nil {
			t.Fatalf("Fetch at %v returned no snapshot and no error", at)
		}
	}
	return snaps
}

// testFetch checks the order, the days and the running balances of a
// fetch's transactions.
func testFetch(t *testing.T, d driver) {
	snap := d.fetch(t, fetchNow)[0]
	ids := map[string]bool{}
	for _, a := range snap.Accounts {
		if a.ID == "" || ids[a.ID] {
			t.Errorf("account %q: an empty or repeated account ID", a.ID)
		}
		ids[a.ID] = true
		txs := a.Transactions
		for i, tx := range txs {
			if !tx.Date.Equal(tx.Date.UTC().Truncate(24 * time.Hour)) {
				t.Errorf("account %s, transaction %s: Date %v is not a calendar day at midnight UTC", a.ID, tx.ID, tx.Date)
			}
			if (tx.Debit > 0) == (tx.Credit > 0) || tx.Debit < 0 || tx.Credit < 0 {
				t.Errorf("account %s, transaction %s: Debit %v and Credit %v; want exactly one positive", a.ID, tx.ID, tx.Debit, tx.Credit)
			}
			if tx.Category != "" && !flinks.IsCategory(tx.Category) {
				t.Errorf("account %s, transaction %s: Category %q is not a category of flinks.Categories", a.ID, tx.ID, tx.Category)
			}
			if tx.Date.After(fetchNow) {
				t.Errorf("account %s, transaction %s: dated %v, after the fetch's Now", a.ID, tx.ID, tx.Date)
			}
			if i == 0 {
				continue
			}
			older, newer := tx, txs[i-1]
			if older.Date.After(newer.Date) {
				t.Errorf("account %s: transaction %s of %v lists after %s of %v; want newest first", a.ID, older.ID, older.Date, newer.ID, newer.Date)
			}
			if want := older.Balance + newer.Credit - newer.Debit; newer.Balance != want {
				t.Errorf("account %s, transaction %s: Balance %v; the older balance %v plus Credit %v minus Debit %v is %v",
					a.ID, newer.ID, newer.Balance, older.Balance, newer.Credit, newer.Debit, want)
			}
		}
		if len(txs) > 0 && a.Current != nil && txs[0].Balance != *a.Current {
			t.Errorf("account %s: the newest transaction's Balance %v differs from Current %v", a.ID, txs[0].Balance, *a.Current)
		}
	}
}

// testStableIDs fetches twice at one Now and once three days later: the
// first two agree on every id, and the later one keeps the ids of the
// accounts and of the transactions it still shows.
func testStableIDs(t *testing.T, d driver) {
	later := fetchNow.Add(3 * 24 * time.Hour)
	snaps := d.fetch(t, fetchNow, fetchNow, later)
	type txKey struct {
		date          time.Time
		desc          string
		debit, credit connector.Cents
	}
	index := func(s *connector.Snapshot) map[string]map[txKey]string {
		m := map[string]map[txKey]string{}
		for _, a := range s.Accounts {
			m[a.ID] = map[txKey]string{}
			for _, tx := range a.Transactions {
				m[a.ID][txKey{tx.Date, tx.Description, tx.Debit, tx.Credit}] = tx.ID
			}
		}
		return m
	}
	first, again, next := index(snaps[0]), index(snaps[1]), index(snaps[2])
	for acct, txs := range first {
		if _, ok := again[acct]; !ok {
			t.Errorf("account %s is gone from a second fetch at the same Now: account ids must be stable", acct)
			continue
		}
		for k, id := range txs {
			if again[acct][k] != id {
				t.Errorf("account %s: transaction %q of %v has id %q, then %q at the same Now", acct, k.desc, k.date, id, again[acct][k])
			}
		}
		laterTxs, ok := next[acct]
		if !ok {
			t.Errorf("account %s is gone from a fetch three days later: account ids must be stable", acct)
			continue
		}
		for k, id := range txs {
			if got, shown := laterTxs[k]; shown && got != id {
				t.Errorf("account %s: transaction %q of %v has id %q, and %q three days later", acct, k.desc, k.date, id, got)
			}
		}
	}
}

// testQuestions checks QuestionLister against the rounds the scripted
// login asks.
func testQuestions(t *testing.T, d driver) {
	lister, ok := d.newConnector().(connector.QuestionLister)
	if !ok {
		t.Skip("the connector is not a connector.QuestionLister")
	}
	var asked []string
	out, err := d.login(t.Context(), nil, nil, func(_ int, out connector.Outcome) error {
		for _, c := range out.Challenges {
			if c.Type == flinks.QuestionAndAnswer && len(c.Iterables) == 0 && !c.OneTime {
				asked = append(asked, c.Prompt)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	qs, err := lister.Questions(t.Context(), connector.QuestionsRequest{State: out.State, Language: "en"})
	if err != nil {
		t.Fatalf("Questions: %v", err)
	}
	listed := map[string]bool{}
	for _, q := range qs {
		listed[q] = true
	}
	for _, p := range asked {
		if !listed[p] {
			t.Errorf("the login was asked %q, which Questions does not list (it lists %q)", p, qs)
		}
	}
}
