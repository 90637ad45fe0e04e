package connector

import "fmt"

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
