// Package faults is the sandbox's fault injection: rules that make chosen
// API requests fail, or wait, the way bankfeed fails when a bank or its
// database does. A rule selects requests by endpoint, customer,
// institution and login; it answers an error of bankfeed's own table, or
// waits, or both; it fires on every request it matches, or with a
// probability drawn from a seeded sequence, at most a number of times.
//
// Rules and their counters live in the database (store.Sandbox), so that
// every process on one PostgreSQL applies the same rules and spends one
// budget.
package faults

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/institutions"
	"github.com/bankfeed/bankfeed/internal/store"
	"github.com/google/uuid"
)

// MaxLatency is the longest wait a rule may add: more than any client's
// timeout, less than a test run.
const MaxLatency = 5 * time.Minute

// ErrNoRule is returned for a rule id that names no rule.
var ErrNoRule = errors.New("faults: no such rule")

// Config are the dependencies of a Service.
type Config struct {
	// Rules keeps the rules; Store reads the sessions and logins a rule by
	// institution or login needs to know a request's.
	Rules store.Sandbox
	Store store.Queries
	// Institutions validates a rule's institution.
	Institutions *institutions.Registry
	// Codes is the table from FlinksCode to HTTP status the rule's error
	// must follow (httpapi's).
	Codes map[flinks.Code]int
	// Endpoints are the names a rule's endpoint may take.
	Endpoints []string
	Now       func() time.Time
	// Shared says other processes may change the rules (PostgreSQL): they
	// are then read on every request. Otherwise this process is the only
	// writer, and keeps them in memory between its own changes.
	Shared bool
}

// Service adds, lists and removes rules, and applies them to requests.
type Service struct {
	rules     store.Sandbox
	store     store.Queries
	banks     *institutions.Registry
	codes     map[flinks.Code]int
	endpoints map[string]string // by lower case
	now       func() time.Time
	shared    bool

	mu     sync.Mutex
	cached []*store.Fault // the rules when not shared; nil when unknown
}

// New returns the fault service.
func New(c Config) *Service {
	s := &Service{rules: c.Rules, store: c.Store, banks: c.Institutions, codes: c.Codes,
		endpoints: make(map[string]string, len(c.Endpoints)), now: store.Clock(c.Now), shared: c.Shared}
	for _, e := range c.Endpoints {
		s.endpoints[strings.ToLower(e)] = e
	}
	return s
}

// Spec is a rule as a client asks for it; every field is optional, but a
// rule must do something: an error (Status, FlinksCode or both) or a
// Latency.
type Spec struct {
	Endpoint    string
	Institution string
	LoginID     string
	CustomerID  string
	Status      int
	FlinksCode  string
	Latency     string
	Probability *float64
	Seed        *int64
	Times       *int64
}

// otherStatus are the statuses bankfeed answers with a code besides the
// table's: the database unavailable (503 RETRY_LATER), a body too large
// (413 INVALID_REQUEST), a method a path does not take (405).
var otherStatus = map[flinks.Code]int{
	flinks.CodeRetryLater:         http.StatusServiceUnavailable,
	flinks.CodeInvalidRequest:     http.StatusRequestEntityTooLarge,
	flinks.CodeMethodNotAvailable: http.StatusMethodNotAllowed,
}

// codeOfStatus is the code of a rule that gives only a status, where the
// table has several codes for it: the one bankfeed answers for a failure
// of that status that names no cause.
var codeOfStatus = map[int]flinks.Code{
	http.StatusBadRequest:            flinks.CodeInvalidRequest,
	http.StatusUnauthorized:          flinks.CodeUnauthorized,
	http.StatusRequestEntityTooLarge: flinks.CodeInvalidRequest,
	http.StatusInternalServerError:   flinks.CodeAggregationError,
	http.StatusServiceUnavailable:    flinks.CodeRetryLater,
}

// Add validates a rule and stores it. A refused rule is a *flinks.Error
// naming each wrong field.
func (s *Service) Add(ctx context.Context, sp Spec) (*store.Fault, error) {
	f := &store.Fault{ID: uuid.NewString(), Probability: 1, CreatedAt: s.now()}
	bad := map[string][]string{}
	if e := strings.TrimSpace(sp.Endpoint); e != "" {
		if name, ok := s.endpoints[strings.ToLower(e)]; ok {
			f.Endpoint = name
		} else {
			bad["endpoint"] = []string{"not an endpoint bankfeed serves, such as GetAccountsDetail or Authorize"}
		}
	}
	if inst := strings.TrimSpace(sp.Institution); inst != "" {
		if e, ok := s.banks.Lookup(inst); ok {
			f.Institution = e.Inst.Name
		} else {
			bad["institution"] = []string{"not an institution this server serves (" + s.banks.Names() + ")"}
		}
	}
	f.LoginID = strings.TrimSpace(sp.LoginID)
	f.CustomerID = strings.ToLower(strings.TrimSpace(sp.CustomerID))
	if msg := s.effect(f, sp.Status, strings.ToUpper(strings.TrimSpace(sp.FlinksCode))); msg != "" {
		field := "status"
		if sp.FlinksCode != "" && sp.Status == 0 {
			field = "flinks_code"
		}
		bad[field] = []string{msg}
	}
	if l := strings.TrimSpace(sp.Latency); l != "" {
		d, err := time.ParseDuration(l)
		switch {
		case err != nil:
			bad["latency"] = []string{"must be a duration such as 250ms or 2s"}
		case d <= 0 || d > MaxLatency:
			bad["latency"] = []string{"must be more than 0 and at most " + MaxLatency.String()}
		default:
			f.Latency = d
		}
	}
	if f.Status == 0 && f.Latency == 0 && len(bad) == 0 {
		bad["status"] = []string{"a rule must do something: give status, flinks_code or latency"}
	}
	if sp.Probability != nil {
		if p := *sp.Probability; math.IsNaN(p) || p <= 0 || p > 1 {
			bad["probability"] = []string{"must be more than 0 and at most 1"}
		} else {
			f.Probability = p
		}
	}
	if sp.Seed != nil {
		f.Seed = *sp.Seed
	} else {
		// A seed of its own, shown in the list, so that a run can be
		// replayed by giving it.
		var b [8]byte
		rand.Read(b[:])
		f.Seed = int64(binary.LittleEndian.Uint64(b[:]) >> 1)
	}
	if sp.Times != nil {
		if *sp.Times < 1 {
			bad["times"] = []string{"must be at least 1; leave it out for no limit"}
		} else {
			f.Times = *sp.Times
		}
	}
	if len(bad) > 0 {
		return nil, &flinks.Error{FlinksCode: flinks.CodeInvalidRequest, Message: "The fault rule is not valid: " + describe(bad) + ".",
			ValidationDetails: bad}
	}
	defer s.forget()
	if err := s.rules.CreateFault(ctx, f); err != nil {
		return nil, err
	}
	return f, nil
}

// effect sets the error of f from a status, a code, or both, and says what
// is wrong with them if anything.
func (s *Service) effect(f *store.Fault, status int, code string) string {
	if status == 0 && code == "" {
		return ""
	}
	if code != "" {
		st, ok := s.codes[flinks.Code(code)]
		if !ok {
			return fmt.Sprintf("%s is not a FlinksCode bankfeed answers (docs/errors.md lists them)", code)
		}
		if st < 400 {
			return fmt.Sprintf("%s is not an error: a rule answers an error, or only waits", code)
		}
		if status == 0 {
			status = st
		}
		if status != st && status != otherStatus[flinks.Code(code)] {
			want := fmt.Sprint(st)
			if o := otherStatus[flinks.Code(code)]; o != 0 {
				want += " or " + fmt.Sprint(o)
			}
			return fmt.Sprintf("bankfeed answers %s with status %s, not %d", code, want, status)
		}
		f.Status, f.FlinksCode = status, code
		return ""
	}
	if status < 400 || status > 599 {
		return "must be an error status, 400 to 599"
	}
	if c, ok := codeOfStatus[status]; ok {
		f.Status, f.FlinksCode = status, string(c)
		return ""
	}
	var only flinks.Code
	for c, st := range s.codes {
		if st == status {
			if only != "" {
				return fmt.Sprintf("several FlinksCodes have status %d: give flinks_code too", status)
			}
			only = c
		}
	}
	if only == "" {
		return fmt.Sprintf("bankfeed answers no error with status %d", status)
	}
	f.Status, f.FlinksCode = status, string(only)
	return ""
}

func describe(bad map[string][]string) string {
	var parts []string
	for _, field := range []string{"endpoint", "institution", "status", "flinks_code", "latency", "probability", "times"} {
		if msgs, ok := bad[field]; ok {
			parts = append(parts, field+" "+strings.Join(msgs, "; "))
		}
	}
	return strings.Join(parts, ", ")
}

// List lists the rules, in the order they apply, with their counts.
func (s *Service) List(ctx context.Context) ([]*store.Fault, error) {
	return s.rules.Faults(ctx)
}

// Remove removes one rule.
func (s *Service) Remove(ctx context.Context, id string) error {
	defer s.forget()
	err := s.rules.DeleteFault(ctx, strings.TrimSpace(id))
	if errors.Is(err, store.ErrNotFound) {
		return ErrNoRule
	}
	return err
}

// Clear removes every rule, or the rules of one customer, and says how
// many.
func (s *Service) Clear(ctx context.Context, customerID string) (int64, error) {
	defer s.forget()
	return s.rules.DeleteFaults(ctx, strings.ToLower(strings.TrimSpace(customerID)))
}

// rulesNow returns the rules to match a request against.
func (s *Service) rulesNow(ctx context.Context) ([]*store.Fault, error) {
	if s.shared {
		return s.rules.Faults(ctx)
	}
	s.mu.Lock()
	rules := s.cached
	s.mu.Unlock()
	if rules != nil {
		return rules, nil
	}
	rules, err := s.rules.Faults(ctx)
	if err != nil {
		return nil, err
	}
	if rules == nil {
		rules = []*store.Fault{}
	}
	s.mu.Lock()
	s.cached = rules
	s.mu.Unlock()
	return rules, nil
}

// forget drops the rules kept in memory, after a change to them.
func (s *Service) forget() {
	s.mu.Lock()
	s.cached = nil
	s.mu.Unlock()
}
