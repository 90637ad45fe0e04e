// Package tenants keeps bankfeed's customers apart and their keys honest:
// who a customerId is, which credential each endpoint needs, single-use
// authorize tokens, and the per-customer rate limits.
//
// Every refusal of an unknown customer is the refusal a known customer gets
// for a wrong credential on the same endpoint, so a customerId cannot be
// probed.
package tenants

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/store"
	"github.com/google/uuid"
	"golang.org/x/time/rate"
)

// The public Flinks sandbox customer (reference section 9), served in
// sandbox mode with its published keys so that clients configured for the
// public sandbox work unchanged.
const (
	SandboxCustomerID = "43387ca6-0391-4c82-857d-70d95f087ecb"
	SandboxSecret     = "c4569c54-e167-4d34-8de6-f4113bc82414"
	SandboxAPIKey     = "3d5266a8-b697-48d4-8de6-52e2e2662acc"
)

// TokenLifetime is how long an unused authorize token stays valid.
const TokenLifetime = 30 * time.Minute

// refreshEvery is how often the customer list is read again, so that a
// customer added, changed or removed by `bankfeed customers` (another
// process) is seen by every server within seconds.
const refreshEvery = 2 * time.Second

// Credential is the credential an endpoint takes.
type Credential int

const (
	// APIKey is the x-api-key of the data endpoints, checked when the
	// customer enforces it.
	APIKey Credential = iota
	// AuthorizeToken is the single-use token of /Authorize, in
	// flinks-auth-key; checked with the body, by UseToken.
	AuthorizeToken
	// Secret is the secret key, in flinks-auth-key, of
	// /GenerateAuthorizeToken.
	Secret
	// Bearer is the secret key as Authorization: Bearer, of
	// /GetNightlyRefreshStatus.
	Bearer
	// APIKeyOrToken is the x-api-key, or instead an authorize token in
	// flinks-auth-key: the credential of the reads the Connect widget makes
	// from a browser, which must never hold the x-api-key. Checked by
	// AdmitToken when the x-api-key is missing or wrong.
	APIKeyOrToken
)

// refusal is the answer to a missing or wrong credential of each kind.
func refusal(c Credential) *flinks.Error {
	switch c {
	case AuthorizeToken:
		return &flinks.Error{FlinksCode: flinks.CodeAccessDenied,
			Message: "You must provide a valid authorize token in the flinks-auth-key header: one from GenerateAuthorizeToken, unused and less than 30 minutes old, or the one this RequestId began with."}
	case Secret:
		return &flinks.Error{FlinksCode: flinks.CodeUnauthorized, Message: "You must provide a valid auth key: the customer's secret key in the flinks-auth-key header."}
	case Bearer:
		return &flinks.Error{FlinksCode: flinks.CodeUnauthorized, Message: "You must provide a valid API secret in the Authorization header: Bearer <secret key>."}
	case APIKeyOrToken:
		return &flinks.Error{FlinksCode: flinks.CodeAccessDenied,
			Message: "You must provide a valid x-api-key header, or in flinks-auth-key an authorize token: unused for the institutions, the one this RequestId began with for its data."}
	}
	return &flinks.Error{FlinksCode: flinks.CodeAccessDenied, Message: "You must provide a valid x-api-key header."}
}

// Config holds the dependencies of Tenants.
type Config struct {
	Store store.Store
	// Sandbox serves the sandbox customer; without it the customer is
	// unknown, whatever the database holds.
	Sandbox bool
	Logger  *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// LimitClock is the clock of the rate limits, time.Now when nil: real
	// time, which a limit needs to refill, moved forward with the sandbox's
	// virtual clock. Not Now, which a test may stop.
	LimitClock func() time.Time
}

// Tenants admits requests for customers. It is safe for concurrent use.
type Tenants struct {
	store   store.Store
	sandbox bool
	log     *slog.Logger
	now     func() time.Time
	limitAt func() time.Time

	// mu guards byID and loadedAt, held only to read or swap them;
	// reloading serializes the reads of the customer list, so that no
	// request waits on the database while holding mu.
	mu        sync.RWMutex
	byID      map[string]*customer
	loadedAt  time.Time
	reloading sync.Mutex
}

// customer is a customer as served, with its limiters.
type customer struct {
	*store.Customer
	requests *rate.Limiter // nil: no bound
	tokens   *rate.Limiter
}

// New returns Tenants over the customers of cfg.Store.
func New(cfg Config) *Tenants {
	t := &Tenants{store: cfg.Store, sandbox: cfg.Sandbox, log: cfg.Logger, now: cfg.Now, limitAt: cfg.LimitClock}
	if t.limitAt == nil {
		t.limitAt = time.Now
	}
	if t.log == nil {
		t.log = slog.New(slog.DiscardHandler)
	}
	if t.now == nil {
		t.now = time.Now
	}
	return t
}

// Admit checks a request of the customer named in its path: that the
// customer exists and the credential given (the header's value; empty when
// absent) is right for the endpoint, then the customer's request rate. It
// returns the customer's canonical id.
//
// An authorize token may come in the body, so for AuthorizeToken Admit
// checks only that the customer exists; UseToken checks the token, then
// the rate, once the body is read, and BodyRefusal answers a body that
// cannot be read. Checking the credential before the rate everywhere keeps
// a customer over its limit from answering differently from one that does
// not exist.
func (t *Tenants) Admit(ctx context.Context, cred Credential, customerID, given string) (string, error) {
	c, err := t.lookup(ctx, customerID)
	if err != nil {
		return "", err
	}
	if c == nil {
		return "", refusal(cred)
	}
	switch cred {
	case AuthorizeToken:
		return c.ID, nil
	case APIKey, APIKeyOrToken:
		// Optional means not checked, whatever is sent: clients of the
		// public sandbox send keys of all kinds.
		if c.APIKeyRequired && !matches(c.APIKeyHash, given) {
			return "", refusal(cred)
		}
	case Secret, Bearer:
		if !matches(c.SecretHash, given) {
			return "", refusal(cred)
		}
	}
	return c.ID, t.allow(c)
}

// AdmitToken admits a request of an APIKeyOrToken route that Admit
// refused, by the authorize token it sends instead of the x-api-key. With
// requestID empty (the institution list, read before any session exists)
// the token must be one that could still open a session: unused and
// unexpired. With requestID set (the summary of that session) it must be
// the token that session began with: a token then reads only the data of
// the login it opened, and no other session's. Its refusal is Admit's.
func (t *Tenants) AdmitToken(ctx context.Context, customerID, token, requestID string) (string, error) {
	c, err := t.lookup(ctx, customerID)
	if err != nil {
		return "", err
	}
	if c == nil || token == "" {
		return "", refusal(APIKeyOrToken)
	}
	tok, err := t.store.Token(ctx, c.ID, digest(token))
	if errors.Is(err, store.ErrNotFound) {
		return "", refusal(APIKeyOrToken)
	}
	if err != nil {
		return "", err
	}
	requestID = strings.TrimSpace(requestID)
	switch {
	case requestID == "" && tok.UsedAt.IsZero() && tok.ExpiresAt.After(t.now()):
	case requestID != "" && !tok.UsedAt.IsZero() && strings.EqualFold(tok.RequestID, requestID):
	default:
		return "", refusal(APIKeyOrToken)
	}
	return c.ID, t.allow(c)
}

// allow spends one of the customer's requests of this second.
func (t *Tenants) allow(c *customer) error {
	if c.requests != nil && !c.requests.AllowN(t.limitAt(), 1) {
		return &flinks.Error{FlinksCode: flinks.CodeTooManyRequests,
			Message: "Too many requests for this customer: at most " + strconv.Itoa(c.RequestRate) + " per second. Retry in a second."}
	}
	return nil
}

// TokenRefusals is how many logins refused for their credentials may give
// an authorize token back, so that a person who mistyped a password can
// type it again with the token their page holds (the Connect widget's
// retries): the token stays single-use for every login it opens.
const TokenRefusals = 3

// TokenUse is an authorize token used by one /Authorize.
type TokenUse struct {
	t              *Tenants
	customer, hash string
}

// Bind records the session the token opened, so that its follow-up rounds
// can send it again.
func (u *TokenUse) Bind(ctx context.Context, requestID string) error {
	return u.t.store.BindToken(ctx, u.customer, []byte(u.hash), requestID)
}

// Refused gives the token back after a login refused for its credentials,
// which opened no session, at most TokenRefusals times; a token it cannot
// give back stays used.
func (u *TokenUse) Refused(ctx context.Context) error {
	err := u.t.store.ReturnToken(ctx, u.customer, []byte(u.hash), TokenRefusals)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

// UseToken checks the authorize token of an /Authorize request (from
// flinks-auth-key or the body; empty when absent), then the customer's
// request rate, then uses the token. A follow-up round of a session
// (requestID set) may send the token the session began with; otherwise the
// token must be unused and unexpired. When the token was used now, use
// binds it to the session it opened, or gives it back to a login refused
// for its credentials; use is nil when there is nothing to record.
func (t *Tenants) UseToken(ctx context.Context, customerID, token, requestID string) (use *TokenUse, err error) {
	c, err := t.lookup(ctx, customerID)
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, refusal(AuthorizeToken)
	}
	if !c.TokenRequired {
		// Optional means not checked, as for the x-api-key.
		return nil, t.allow(c)
	}
	requestID = strings.TrimSpace(requestID)
	hash := digest(token)
	tok, err := t.validToken(ctx, c, token, requestID, false)
	if err != nil || tok == nil {
		return nil, err
	}
	if err := t.allow(c); err != nil {
		return nil, err
	}
	if !tok.UsedAt.IsZero() {
		return nil, nil // the session's own token, sent again
	}
	switch err := t.store.UseToken(ctx, c.ID, hash, t.now()); {
	case errors.Is(err, store.ErrNotFound):
		return nil, refusal(AuthorizeToken) // used by a concurrent request
	case err != nil:
		return nil, err
	}
	t.log.Debug("authorize token used", "customer_id", c.ID)
	return &TokenUse{t: t, customer: c.ID, hash: string(hash)}, nil
}

// BodyRefusal answers an /Authorize whose body cannot be read, given the
// token of its flinks-auth-key header: the refusal of a missing or wrong
// token when the customer requires one and the header holds none that
// could be valid, nil otherwise (the body's own error stands). Without
// it, a malformed body would tell a customer that exists (400) from one
// that does not (401).
func (t *Tenants) BodyRefusal(ctx context.Context, customerID, token string) error {
	c, err := t.lookup(ctx, customerID)
	if err != nil {
		return err
	}
	if c == nil {
		return refusal(AuthorizeToken)
	}
	if !c.TokenRequired {
		return nil
	}
	_, err = t.validToken(ctx, c, token, "", true)
	return err
}

// validToken reads the customer's token and returns it if it can authorize
// a request now: unused and unexpired, or used by the session requestID
// (by any session, with anySession). Otherwise it returns the refusal,
// whatever the reason, so that no reason can be told apart.
func (t *Tenants) validToken(ctx context.Context, c *customer, token, requestID string, anySession bool) (*store.AuthorizeToken, error) {
	if token == "" {
		return nil, refusal(AuthorizeToken)
	}
	tok, err := t.store.Token(ctx, c.ID, digest(token))
	if errors.Is(err, store.ErrNotFound) {
		return nil, refusal(AuthorizeToken)
	}
	if err != nil {
		return nil, err
	}
	switch {
	case tok.UsedAt.IsZero() && tok.ExpiresAt.After(t.now()):
		return tok, nil
	case !tok.UsedAt.IsZero() && tok.RequestID != "" && (anySession || tok.RequestID == requestID):
		return tok, nil
	}
	return nil, refusal(AuthorizeToken)
}

// GenerateToken makes a new authorize token for the customer, within its
// token rate. The caller has admitted the request with its Secret.
func (t *Tenants) GenerateToken(ctx context.Context, customerID string) (string, error) {
	c, err := t.lookup(ctx, customerID)
	if err != nil {
		return "", err
	}
	if c == nil {
		return "", refusal(Secret)
	}
	if c.tokens != nil && !c.tokens.AllowN(t.limitAt(), 1) {
		return "", &flinks.Error{FlinksCode: flinks.CodeTooManyRequests,
			Message: "Too many authorize tokens for this customer: at most " + strconv.Itoa(c.TokenRate) + " a minute. Retry later."}
	}
	token := uuid.NewString()
	now := t.now().UTC()
	err = t.store.CreateToken(ctx, &store.AuthorizeToken{Hash: digest(token), CustomerID: c.ID, ExpiresAt: now.Add(TokenLifetime), CreatedAt: now})
	if err != nil {
		return "", err
	}
	return token, nil
}

// Sweep deletes the tokens that expired more than a day ago: long enough
// for a session's follow-up rounds, short enough to keep the table small.
func (t *Tenants) Sweep(ctx context.Context) error {
	n, err := t.store.DeleteTokensExpiredBefore(ctx, t.now().Add(-24*time.Hour))
	if n > 0 {
		t.log.Info("swept", "authorize_tokens", n)
	}
	return err
}

// lookup finds a customer by id, case-insensitively; nil when there is
// none (or it is the sandbox customer outside sandbox mode). The whole list
// is read again when older than refreshEvery, so that changes made by
// `bankfeed customers` (another process) reach every server within
// seconds; while one request reads it, the others go on with the list in
// hand. An id missing from the list is looked up on its own, so that a
// customer just added is served at once. These are wall-clock times, not
// the injected clock: they pace the server's work and decide nothing a
// client sees.
func (t *Tenants) lookup(ctx context.Context, id string) (*customer, error) {
	id = strings.ToLower(strings.TrimSpace(id))
	if err := t.refresh(ctx); err != nil {
		return nil, err
	}
	t.mu.RLock()
	c := t.byID[id]
	t.mu.RUnlock()
	if c != nil {
		return c, nil
	}
	sc, err := t.store.Customer(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && sc.Sandbox && !t.sandbox) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("tenants: read customer: %w", err)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if c := t.byID[id]; c != nil {
		return c, nil // added by a concurrent lookup or reload
	}
	c = newCustomer(sc, nil)
	t.byID[id] = c
	return c, nil
}

// refresh reads the customer list again when it is older than
// refreshEvery. Only one request reads it at a time; the others wait for
// the first list, and later ones go on with the list in hand.
func (t *Tenants) refresh(ctx context.Context) error {
	t.mu.RLock()
	loaded, fresh := t.byID != nil, time.Since(t.loadedAt) <= refreshEvery
	t.mu.RUnlock()
	if fresh {
		return nil
	}
	if loaded {
		if !t.reloading.TryLock() {
			return nil
		}
	} else {
		t.reloading.Lock()
	}
	defer t.reloading.Unlock()
	t.mu.RLock()
	fresh = t.byID != nil && time.Since(t.loadedAt) <= refreshEvery
	t.mu.RUnlock()
	if fresh {
		return nil // read by the request this one waited for
	}
	return t.load(ctx)
}

// load reads every customer and swaps the list in.
func (t *Tenants) load(ctx context.Context) error {
	list, err := t.store.Customers(ctx)
	if err != nil {
		return fmt.Errorf("tenants: read customers: %w", err)
	}
	now := time.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	next := make(map[string]*customer, len(list))
	for _, sc := range list {
		if sc.Sandbox && !t.sandbox {
			continue
		}
		next[sc.ID] = newCustomer(sc, t.byID[sc.ID])
	}
	t.byID, t.loadedAt = next, now
	return nil
}

// newCustomer wraps a stored customer with its limiters, kept from old when
// its rates did not change: a limiter's state is what enforces the rate.
func newCustomer(sc *store.Customer, old *customer) *customer {
	c := &customer{Customer: sc}
	if old != nil && old.RequestRate == sc.RequestRate && old.TokenRate == sc.TokenRate {
		c.requests, c.tokens = old.requests, old.tokens
		return c
	}
	if sc.RequestRate > 0 {
		c.requests = rate.NewLimiter(rate.Limit(sc.RequestRate), sc.RequestRate)
	}
	if sc.TokenRate > 0 {
		c.tokens = rate.NewLimiter(rate.Limit(float64(sc.TokenRate)/60), sc.TokenRate)
	}
	return c
}

// digest is how keys and tokens are stored: their SHA-256. They are random
// UUIDs (122 bits), so a fast hash is as good as a slow one.
func digest(key string) []byte {
	sum := sha256.Sum256([]byte(strings.TrimSpace(key)))
	return sum[:]
}

// matches compares a key given with a stored digest in constant time.
func matches(hash []byte, given string) bool {
	if given == "" || len(hash) == 0 {
		return false
	}
	return subtle.ConstantTimeCompare(hash, digest(given)) == 1
}
