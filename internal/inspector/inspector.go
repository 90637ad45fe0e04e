// Package inspector is the sandbox's inspector: a page at /sandbox/ that a
// person reads while a test runs (the journal live, the saved logins, the
// clock, the faults, one login's sessions and data), and the read-only
// views of the saved logins it shows, which the control surface serves.
//
// The page is plain HTML, CSS and JavaScript embedded in the binary: no
// CDN, no inline script or style, so that its Content-Security-Policy
// allows nothing but the server's own files and calls.
package inspector

import (
	"context"
	"embed"
	"errors"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/bankfeed/bankfeed/internal/store"
)

//go:embed static
var static embed.FS

// CSP is the page's Content-Security-Policy: its own scripts, styles and
// calls, nothing inline, no frames, no forms posted anywhere.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Assets serves the page (at its root) and its files, with the headers
// that lock them down.
func Assets() http.Handler {
	files, _ := fs.Sub(static, "static")
	srv := http.FileServerFS(files)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", CSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cache-Control", "no-store")
		srv.ServeHTTP(w, r)
	})
}

// Has reports whether the page has a file of that name (index.html,
// inspector.js, inspector.css).
func Has(name string) bool {
	if name == "" || strings.Contains(name, "/") {
		return false
	}
	_, err := fs.Stat(static, "static/"+name)
	return err == nil
}

// ErrNoLogin is returned for a login the customer does not have.
var ErrNoLogin = errors.New("inspector: no such login")

// Service reads the views of the saved logins.
type Service struct {
	store store.Store
	sb    store.Sandbox
}

// New returns the views over st, which holds the logins, and sb.
func New(st store.Store, sb store.Sandbox) *Service { return &Service{store: st, sb: sb} }

// Login is a saved login as the inspector lists it.
type Login struct {
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
	LastRefresh     time.Time `json:"last_refresh,omitzero"`
	LastRefreshCode string    `json:"last_refresh_code,omitempty"`
	LastAttempt     time.Time `json:"last_attempt,omitzero"`
	LastCached      time.Time `json:"last_cached,omitzero"`
	CreatedAt       time.Time `json:"created_at"`
}

// Logins lists the saved logins, newest first, of one customer or of all.
func (s *Service) Logins(ctx context.Context, customerID string, limit int) ([]Login, error) {
	ls, err := s.sb.SandboxLogins(ctx, strings.ToLower(strings.TrimSpace(customerID)), limit)
	if err != nil {
		return nil, err
	}
	out := make([]Login, 0, len(ls))
	for _, l := range ls {
		v, err := s.view(ctx, l)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (s *Service) view(ctx context.Context, l *store.Login) (Login, error) {
	v := Login{ID: l.ID, CustomerID: l.CustomerID, Institution: l.Institution, Username: l.Username, Type: l.Type, Saved: l.Saved,
		ScheduledRefresh: l.ScheduledRefresh, TwoStep: l.TwoStep, LastRefresh: l.LastRefresh, LastRefreshCode: l.LastRefreshCode,
		LastAttempt: l.LastAttempt, LastCached: l.LastCached, CreatedAt: l.CreatedAt}
	busy, err := s.store.LoginFetching(ctx, l.CustomerID, l.ID)
	if err != nil {
		return v, err
	}
	switch {
	case busy:
		v.State = "fetching"
	case l.LastRefreshCode != "":
		v.State = l.LastRefreshCode
	case l.LastRefresh.IsZero():
		v.State = "never refreshed"
	default:
		v.State = "ok"
	}
	return v, nil
}

// Session is one of a login's sessions.
type Session struct {
	RequestID string    `json:"request_id"`
	Mode      string    `json:"mode"`
	State     string    `json:"state"`
	Fetch     string    `json:"fetch,omitempty"`
	FetchCode string    `json:"fetch_code,omitempty"`
	Attempts  int       `json:"attempts"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Account is one account of a login's latest snapshot, with its newest
// transactions.
type Account struct {
	ID           string        `json:"id"`
	Title        string        `json:"title"`
	Type         string        `json:"type"`
	Currency     string        `json:"currency"`
	Current      string        `json:"current,omitempty"`
	Available    string        `json:"available,omitempty"`
	Transactions []Transaction `json:"transactions"`
	// More counts the transactions not shown.
	More int `json:"more"`
}

// Transaction is one transaction of an account.
type Transaction struct {
	Date        string `json:"date"`
	Description string `json:"description"`
	Amount      string `json:"amount"`
	Balance     string `json:"balance"`
}

// Detail is one login with its sessions and its latest data.
type Detail struct {
	Login    Login     `json:"login"`
	Sessions []Session `json:"sessions"`
	// FetchedAt is when the data was fetched; zero, and Accounts empty,
	// when the login has none yet.
	FetchedAt time.Time `json:"fetched_at,omitzero"`
	Holder    string    `json:"holder,omitempty"`
	Accounts  []Account `json:"accounts"`
}

// shownTransactions is how many of an account's newest transactions the
// page shows.
const shownTransactions = 5

// Login reads one login of a customer with its newest sessions and its
// latest snapshot.
func (s *Service) Login(ctx context.Context, customerID, loginID string) (*Detail, error) {
	customerID = strings.ToLower(strings.TrimSpace(customerID))
	l, err := s.store.Login(ctx, customerID, strings.TrimSpace(loginID))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoLogin
	}
	if err != nil {
		return nil, err
	}
	v, err := s.view(ctx, l)
	if err != nil {
		return nil, err
	}
	d := &Detail{Login: v, Sessions: []Session{}, Accounts: []Account{}}
	ss, err := s.sb.LoginSessions(ctx, customerID, l.ID, 20)
	if err != nil {
		return nil, err
	}
	for _, x := range ss {
		d.Sessions = append(d.Sessions, Session{RequestID: x.ID, Mode: x.Mode, State: x.State, Fetch: x.Fetch, FetchCode: x.FetchCode,
			Attempts: x.Attempts, CreatedAt: x.CreatedAt, UpdatedAt: x.UpdatedAt})
	}
	snap, at, err := s.store.Snapshot(ctx, customerID, l.ID, store.SnapshotQuery{})
	if errors.Is(err, store.ErrNotFound) {
		return d, nil
	}
	if err != nil {
		return nil, err
	}
	d.FetchedAt, d.Holder = at, snap.Holder.Name
	for _, a := range snap.Accounts {
		acc := Account{ID: a.ID, Title: a.Title, Type: a.Type, Currency: a.Currency, Transactions: []Transaction{}}
		if a.Current != nil {
			acc.Current = a.Current.String()
		}
		if a.Available != nil {
			acc.Available = a.Available.String()
		}
		for i, t := range a.Transactions {
			if i == shownTransactions {
				acc.More = len(a.Transactions) - i
				break
			}
			acc.Transactions = append(acc.Transactions, Transaction{Date: t.Date.Format(time.DateOnly), Description: t.Description,
				Amount: (t.Credit - t.Debit).String(), Balance: t.Balance.String()})
		}
		d.Accounts = append(d.Accounts, acc)
	}
	return d, nil
}
