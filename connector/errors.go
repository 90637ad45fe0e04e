package connector

import (
	"fmt"

	"github.com/bankfeed/bankfeed/flinks"
)

// Kind classifies a connector failure. bankfeed maps each kind to the
// FlinksCode and HTTP status its clients expect.
type Kind int

// The kinds of failure a connector reports.
const (
	// InvalidUsername: the bank does not know the username.
	InvalidUsername Kind = iota + 1
	// InvalidPassword: the bank rejected the password.
	InvalidPassword
	// InvalidSecurityResponse: an answer of the round was wrong. The round
	// may be answered again with the same state.
	InvalidSecurityResponse
	// RetryLater: the bank cannot be reached or is in maintenance.
	RetryLater
	// DisabledLogin: the bank has disabled the login.
	DisabledLogin
	// NewAccount: the user must act in online banking first (accept terms,
	// change a password).
	NewAccount
	// DisabledInstitution: the institution is not available.
	DisabledInstitution
	// NeedsUser: an unattended login met a challenge only a person can
	// answer.
	NeedsUser
	// Unauthorized: the bank refused to authorize the login, as when the
	// user's trusted device denies it.
	Unauthorized
	// Failed: anything else the bank or connector could not complete.
	Failed
)

var kindNames = [...]string{
	InvalidUsername:         "invalid username",
	InvalidPassword:         "invalid password",
	InvalidSecurityResponse: "invalid security response",
	RetryLater:              "retry later",
	DisabledLogin:           "disabled login",
	NewAccount:              "new account",
	DisabledInstitution:     "disabled institution",
	NeedsUser:               "needs user",
	Unauthorized:            "unauthorized",
	Failed:                  "failed",
}

// kindCodes is the one table from a kind of failure to the FlinksCode that
// clients of the Flinks API expect for it.
var kindCodes = [...]flinks.Code{
	InvalidUsername:         flinks.CodeInvalidUsername,
	InvalidPassword:         flinks.CodeInvalidPassword,
	InvalidSecurityResponse: flinks.CodeInvalidSecurityResponse,
	RetryLater:              flinks.CodeRetryLater,
	DisabledLogin:           flinks.CodeDisabledLogin,
	NewAccount:              flinks.CodeNewAccount,
	DisabledInstitution:     flinks.CodeDisabledInstitution,
	// A login that needs its user is what Flinks reports when no stored
	// answer passes a question: the user must answer it in a live login.
	NeedsUser:    flinks.CodeQuestionNotFound,
	Unauthorized: flinks.CodeUnauthorized,
	Failed:       flinks.CodeAggregationError,
}

// FlinksCode returns the FlinksCode of a failure of kind k;
// AGGREGATION_ERROR for Failed and for a kind this version does not know.
func (k Kind) FlinksCode() flinks.Code {
	if k > 0 && int(k) < len(kindCodes) {
		return kindCodes[k]
	}
	return flinks.CodeAggregationError
}

// KindOf returns the kind whose FlinksCode is code, for connectors that
// name failures by FlinksCode (the sandbox's scenario files do); false for
// a code that is no connector failure.
func KindOf(code flinks.Code) (Kind, bool) {
	for k, c := range kindCodes {
		if c == code && k > 0 {
			return Kind(k), true
		}
	}
	return 0, false
}

func (k Kind) String() string {
	if k > 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Error is a typed connector failure. Message is shown to API clients, so it
// must not contain credentials or answers.
type Error struct {
	Kind    Kind
	Message string
}

// Errorf returns an *Error of the given kind.
func Errorf(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

func (e *Error) Error() string {
	if e.Message == "" {
		return "connector: " + e.Kind.String()
	}
	return "connector: " + e.Kind.String() + ": " + e.Message
}
