package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// SavedLogin is a saved login as the control surface lists it, with its
// state and last refresh.
type SavedLogin struct {
	ID               string `json:"id"`
	CustomerID       string `json:"customer_id"`
	Institution      string `json:"institution"`
	Username         string `json:"username"`
	Type             string `json:"type"`
	Saved            bool   `json:"saved"`
	ScheduledRefresh bool   `json:"scheduled_refresh"`
	TwoStep          bool   `json:"two_step"`
	// State is "fetching" while a fetch is under way, "ok" after a
	// successful last refresh, the FlinksCode of a failed one, or "never
	// refreshed".
	State           string    `json:"state"`
	LastRefresh     time.Time `json:"last_refresh"`
	LastRefreshCode string    `json:"last_refresh_code,omitempty"`
	LastAttempt     time.Time `json:"last_attempt"`
	LastCached      time.Time `json:"last_cached"`
	CreatedAt       time.Time `json:"created_at"`
}

// SavedLoginDetail is one login with its newest sessions and its latest
// data: each account with its balance and newest transactions.
type SavedLoginDetail struct {
	Login    SavedLogin `json:"login"`
	Sessions []struct {
		RequestID string    `json:"request_id"`
		Mode      string    `json:"mode"`
		State     string    `json:"state"`
		Fetch     string    `json:"fetch,omitempty"`
		FetchCode string    `json:"fetch_code,omitempty"`
		Attempts  int       `json:"attempts"`
		CreatedAt time.Time `json:"created_at"`
		UpdatedAt time.Time `json:"updated_at"`
	} `json:"sessions"`
	FetchedAt time.Time `json:"fetched_at"`
	Holder    string    `json:"holder,omitempty"`
	Accounts  []struct {
		ID           string `json:"id"`
		Title        string `json:"title"`
		Type         string `json:"type"`
		Currency     string `json:"currency"`
		Current      string `json:"current,omitempty"`
		Available    string `json:"available,omitempty"`
		Transactions []struct {
			Date        string `json:"date"`
			Description string `json:"description"`
			Amount      string `json:"amount"`
			Balance     string `json:"balance"`
		} `json:"transactions"`
		More int `json:"more"`
	} `json:"accounts"`
}

// SavedLogins lists the saved logins, newest first, of one customer or of
// every customer when customerID is empty; limit 0 is 100.
func (s *Sandbox) SavedLogins(ctx context.Context, customerID string, limit int) ([]SavedLogin, error) {
	q := url.Values{}
	if customerID != "" {
		q.Set("customer_id", customerID)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	op := "logins"
	if len(q) > 0 {
		op += "?" + q.Encode()
	}
	var out struct {
		Logins []SavedLogin `json:"logins"`
	}
	err := s.do(ctx, http.MethodGet, op, nil, &out)
	return out.Logins, err
}

// SavedLogin reads one login of a customer (the public sandbox customer
// when customerID is empty) with its sessions and data.
func (s *Sandbox) SavedLogin(ctx context.Context, customerID, loginID string) (*SavedLoginDetail, error) {
	op := "logins/" + url.PathEscape(loginID)
	if customerID != "" {
		op += "?" + url.Values{"customer_id": {customerID}}.Encode()
	}
	var out SavedLoginDetail
	if err := s.do(ctx, http.MethodGet, op, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
