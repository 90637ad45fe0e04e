// Package connector is the public contract between bankfeed and a bank.
//
// A connector turns one or more institutions into a login conversation:
// credentials, then zero or more rounds of security challenges, then an
// authorized login or a typed failure. The conversation state between rounds
// is opaque bytes that the connector returns and bankfeed seals and stores, so
// any server process can continue a conversation that another one began. A
// connector therefore keeps nothing in memory between calls.
//
// Connectors import only this package and the wire types of package flinks,
// so a third party can write one outside the bankfeed repository. The suite
// in connector/connectortest checks a connector against this contract.
package connector

import (
	"context"
	"time"

	"github.com/bankfeed/bankfeed/flinks"
)

// Connector serves the login conversations of its institutions.
// Implementations must be safe for concurrent use.
type Connector interface {
	// Institutions lists the institutions this connector serves. The list
	// must not change while the connector is registered.
	Institutions() []Institution

	// Begin starts a login with credentials. It returns the first round of
	// challenges, or an authorized outcome when the bank asks none, or an
	// *Error.
	Begin(ctx context.Context, req BeginRequest) (Outcome, error)

	// Continue answers the round of challenges that the outcome carrying
	// req.State asked. A wrong answer is an *Error of kind
	// InvalidSecurityResponse; the caller may then retry the same round
	// with the same state, so Continue must not treat state as consumed.
	Continue(ctx context.Context, req ContinueRequest) (Outcome, error)
}

// Institution describes one bank a connector serves.
type Institution struct {
	// Name is the wire name clients send as Institution, e.g. "FlinksCapital".
	// It is matched case-insensitively.
	Name string
	// ID is the InstitutionId of responses, e.g. 14.
	ID int
	// DisplayName is the name shown to people, e.g. "Flinks Capital".
	DisplayName string
	// Country is the ISO 3166 code of the institution's country, e.g. "CA".
	Country string
	// RoutingNumbers identify the institution in payments, for GET
	// /Institutions/RoutingNumber/{n}: nine-digit ABA routing numbers for a
	// US bank, the three-digit institution number for a Canadian one (which
	// matches every nine-digit EFT routing number 0IIITTTTT it heads).
	RoutingNumbers []string
}

// BeginRequest starts a login conversation.
type BeginRequest struct {
	Institution string // one of the connector's Institution names, as declared
	Username    string
	Password    Secret
	Language    string // "en" or "fr": the language of challenge prompts
	// Saved is the state of the login's last authorized outcome, or nil for a
	// login never authorized before. A connector keeps in it what a bank
	// remembers about a device between logins.
	Saved []byte
	// Unattended is set when no person is present (a scheduled refresh). A
	// connector must then return an *Error of kind NeedsUser instead of a
	// challenge that only a person can answer (a one-time code, a device
	// approval). Questions whose answers bankfeed has stored may still be
	// asked: bankfeed answers them.
	Unattended bool
	Now        time.Time // the server's clock, for time-dependent flows
}

// ContinueRequest answers one round of challenges.
type ContinueRequest struct {
	// State is the State of the outcome that asked the round.
	State []byte
	// Answers holds the answers to every challenge of the round, keyed by the
	// challenge's Prompt exactly as the connector sent it.
	Answers    map[string][]string
	Unattended bool
	Now        time.Time
}

// Outcome is the result of a successful Begin or Continue: either another
// round of challenges, or an authorized login.
type Outcome struct {
	// Challenges is the next round; all of them are answered in one call.
	// Empty means the login is authorized.
	Challenges []Challenge
	// State is the conversation state to pass to Continue when Challenges is
	// set, or the authorized login's state when it is not (kept with the
	// saved login and passed back as BeginRequest.Saved).
	State []byte
	// Login describes the authorized login; set when Challenges is empty.
	Login *LoginInfo
	// Rejected reports that the answers sent were wrong and the bank,
	// instead of refusing them, asks another round (as RBC asks three
	// questions at once after a wrong answer). bankfeed does not store
	// rejected answers, and erases stored ones that led here.
	Rejected bool
}

// Authorized reports whether the outcome ends the conversation.
func (o Outcome) Authorized() bool { return len(o.Challenges) == 0 }

// Challenge is one security challenge of a round.
type Challenge struct {
	Type      flinks.ChallengeType
	Prompt    string
	Iterables []string
	// OneTime marks an answer valid once (a SecurID, a texted code, a device
	// approval): bankfeed never stores or replays it.
	OneTime bool
}

// LoginInfo describes an authorized login.
type LoginInfo struct {
	// Username is the username as the bank shows it.
	Username string
	// Type is "Personal", "Business" or "" when the bank does not say.
	Type string
	// SlowFetch says that collecting this login's data takes long (minutes,
	// not seconds): while the fetch runs, data calls answer
	// OPERATION_DISPATCHED rather than OPERATION_PENDING, as Flinks does for
	// work it moved to a background queue.
	SlowFetch bool
}

// QuestionLister is implemented by connectors that can list a login's
// security questions, for the Enhanced MFA flow: a live Authorize with
// WithMfaQuestions and Save records them, and clients answer them ahead of
// time with AnswerMFAQuestions.
type QuestionLister interface {
	// Questions returns the prompts of the security questions the bank may
	// ask the login whose authorized outcome carried req.State, in
	// req.Language. One-time challenges are not questions.
	Questions(ctx context.Context, req QuestionsRequest) ([]string, error)
}

// QuestionsRequest asks for a login's security questions.
type QuestionsRequest struct {
	State    []byte
	Language string
}
