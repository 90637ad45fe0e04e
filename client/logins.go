package client

import (
	"context"
	"net/http"
)

// NewLogin is a login for CreateLogin to save.
type NewLogin struct {
	// CustomerID is the customer the login is saved for; the public
	// sandbox customer when empty.
	CustomerID  string `json:"customer_id,omitempty"`
	Institution string `json:"institution"`
	Username    string `json:"username"`
	Password    string `json:"password"`
	// Answers answers the bank's challenges by prompt; the sandbox bank
	// answers the questions it knows itself.
	Answers         map[string][]string `json:"answers,omitempty"`
	ScheduleRefresh bool                `json:"schedule_refresh,omitempty"`
}

// CreatedLogin is a login CreateLogin saved: its LoginId, and a RequestId
// whose data is already fetched (the data endpoints answer 200 at once).
type CreatedLogin struct {
	LoginId   string
	RequestId string
}

// CreateLogin saves a login with its data fetched, without scripting its
// MFA: the server runs the conversation a live Authorize with Save runs,
// answering each challenge from l.Answers or, in the sandbox, the answers
// it knows, and returns once the fetch is done. A refusal of the bank is
// the *Error the Authorize would have answered.
func (s *Sandbox) CreateLogin(ctx context.Context, l NewLogin) (*CreatedLogin, error) {
	var out CreatedLogin
	if err := s.do(ctx, http.MethodPost, "logins", l, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
