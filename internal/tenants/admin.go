package tenants

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bankfeed/bankfeed/internal/store"
	"github.com/google/uuid"
)

// Settings are what an operator chooses for a customer.
type Settings struct {
	Name string
	// TokenOptional lets Authorize run without an authorize token.
	TokenOptional bool
	// APIKeyOptional lets the data endpoints run without the x-api-key.
	APIKeyOptional bool
	// RequestRate bounds requests per second; 0 is no bound.
	RequestRate int
	// TokenRate bounds authorize tokens per minute; 0 is no bound.
	TokenRate int
}

// The defaults of a new customer: tokens and x-api-key required, as Flinks
// requires them of integrations made since October 2024, and limits that a
// real integration does not reach.
const (
	DefaultRequestRate = 100
	DefaultTokenRate   = 60
)

// Keys are a customer's credentials, shown once when made.
type Keys struct {
	CustomerID string `json:"CustomerId"`
	Secret     string `json:"Secret"`
	APIKey     string `json:"ApiKey"`
}

// ErrNoCustomer is returned for an id that names no customer.
var ErrNoCustomer = errors.New("no such customer")

// AddCustomer creates a customer with new keys. id may be empty, for a new
// random one.
func AddCustomer(ctx context.Context, st store.Store, id string, s Settings, now time.Time) (Keys, error) {
	if id == "" {
		id = uuid.NewString()
	}
	parsed, err := uuid.Parse(strings.TrimSpace(id))
	if err != nil {
		return Keys{}, fmt.Errorf("customer id %q is not a GUID", id)
	}
	if parsed.String() == SandboxCustomerID {
		return Keys{}, errors.New("that is the sandbox customer's id, which sandbox mode serves with its published keys")
	}
	if s.RequestRate < 0 || s.TokenRate < 0 {
		return Keys{}, errors.New("rates cannot be negative")
	}
	keys := Keys{CustomerID: parsed.String(), Secret: uuid.NewString(), APIKey: uuid.NewString()}
	now = now.UTC()
	err = st.CreateCustomer(ctx, &store.Customer{
		ID: keys.CustomerID, Name: s.Name, SecretHash: digest(keys.Secret), APIKeyHash: digest(keys.APIKey),
		TokenRequired: !s.TokenOptional, APIKeyRequired: !s.APIKeyOptional,
		RequestRate: s.RequestRate, TokenRate: s.TokenRate, CreatedAt: now, UpdatedAt: now,
	})
	if errors.Is(err, store.ErrConflict) {
		return Keys{}, fmt.Errorf("customer %s already exists", keys.CustomerID)
	}
	return keys, err
}

// RotateSecret gives a customer a new secret key, and a new x-api-key too
// when apiKey is set. The old ones stop working at once on this process and
// within seconds on the others.
func RotateSecret(ctx context.Context, st store.Store, id string, apiKey bool, now time.Time) (Keys, error) {
	c, err := customerOf(ctx, st, id)
	if err != nil {
		return Keys{}, err
	}
	if c.Sandbox {
		return Keys{}, errors.New("the sandbox customer's keys are the published ones and cannot be rotated")
	}
	keys := Keys{CustomerID: c.ID, Secret: uuid.NewString()}
	c.SecretHash = digest(keys.Secret)
	if apiKey {
		keys.APIKey = uuid.NewString()
		c.APIKeyHash = digest(keys.APIKey)
	}
	c.UpdatedAt = now.UTC()
	return keys, st.UpdateCustomer(ctx, c)
}

// RemoveCustomer deletes a customer and everything stored for it.
func RemoveCustomer(ctx context.Context, st store.Store, id string) error {
	c, err := customerOf(ctx, st, id)
	if err != nil {
		return err
	}
	return st.DeleteCustomer(ctx, c.ID)
}

// EnsureSandbox creates the sandbox customer, or restores its published
// keys and open settings: clients of the public sandbox send no token and
// may send no x-api-key.
func EnsureSandbox(ctx context.Context, st store.Store, now time.Time) error {
	now = now.UTC()
	c := &store.Customer{
		ID: SandboxCustomerID, Name: "Flinks public sandbox", SecretHash: digest(SandboxSecret), APIKeyHash: digest(SandboxAPIKey),
		Sandbox: true, CreatedAt: now, UpdatedAt: now,
	}
	err := st.CreateCustomer(ctx, c)
	if !errors.Is(err, store.ErrConflict) {
		return err
	}
	old, err := st.Customer(ctx, SandboxCustomerID)
	if err != nil {
		return err
	}
	c.CreatedAt = old.CreatedAt
	if old.Name == c.Name && string(old.SecretHash) == string(c.SecretHash) && string(old.APIKeyHash) == string(c.APIKeyHash) &&
		!old.TokenRequired && !old.APIKeyRequired && old.RequestRate == 0 && old.TokenRate == 0 && old.Sandbox {
		return nil
	}
	return st.UpdateCustomer(ctx, c)
}

func customerOf(ctx context.Context, st store.Store, id string) (*store.Customer, error) {
	c, err := st.Customer(ctx, strings.ToLower(strings.TrimSpace(id)))
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w %q", ErrNoCustomer, id)
	}
	return c, err
}
