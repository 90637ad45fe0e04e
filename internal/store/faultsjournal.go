package store

import (
	"context"
	"time"
)

// Fault is a fault-injection rule of the sandbox control surface: which
// requests it matches, what it does to them, and how often it did. The
// rules live in the database so that every process on it applies the same
// ones, and spends one budget.
type Fault struct {
	ID string
	// Endpoint, Institution, LoginID and CustomerID select the requests the
	// rule matches; an empty one matches any.
	Endpoint    string
	Institution string
	LoginID     string
	CustomerID  string
	// Status and FlinksCode are the error answered; both zero for a rule
	// that only delays.
	Status     int
	FlinksCode string
	// Latency is waited before the answer.
	Latency     time.Duration
	Probability float64
	Seed        int64
	// Times is the most requests the rule fires on, over every process;
	// 0 for no limit.
	Times int64
	// Matched counts the requests the rule matched; Fired those it fired
	// on.
	Matched   int64
	Fired     int64
	CreatedAt time.Time
}

// JournalEntry is one line of the request journal: an API request with
// its answer, or an event bankfeed emitted.
type JournalEntry struct {
	// Seq orders the journal: higher is newer. The store assigns it.
	Seq int64
	// Kind is JournalRequest or JournalEvent.
	Kind       string
	CustomerID string
	LoginID    string
	RequestID  string
	// Method, Path, Status, FlinksCode and Duration describe a request;
	// Event names an event (a session's state, a fetch, a webhook
	// attempt) and Detail says more of it.
	Method     string
	Path       string
	Status     int
	FlinksCode string
	Duration   time.Duration
	Event      string
	Detail     string
	// At is the wall-clock time, Clock the application's (virtual in the
	// sandbox) time of the entry.
	At    time.Time
	Clock time.Time
	// RequestBody and ResponseBody are the bodies with every secret
	// redacted; nil when there was none.
	RequestBody  []byte
	ResponseBody []byte
}

// The kinds of journal entries.
const (
	JournalRequest = "request"
	JournalEvent   = "event"
)

// JournalQuery selects Journal entries.
type JournalQuery struct {
	// CustomerID, LoginID and RequestID, when set, select the entries of
	// that customer, login or session; a login's include those of its
	// sessions written before it had an id (a new login's first rounds).
	CustomerID string
	LoginID    string
	RequestID  string
	// AfterSeq selects entries newer than that sequence number; Since those
	// whose Clock is not before it.
	AfterSeq int64
	Since    time.Time
	Limit    int
}

// Sandbox is what the sandbox control surface stores: fault rules and the
// request journal. Both stores implement it beside store.Store.
type Sandbox interface {
	// CreateFault stores a new rule; ErrConflict if its ID is taken.
	CreateFault(ctx context.Context, f *Fault) error
	// Faults lists every rule in the order they were made.
	Faults(ctx context.Context) ([]*Fault, error)
	// DeleteFault removes a rule; ErrNotFound when there is none.
	DeleteFault(ctx context.Context, id string) error
	// DeleteFaults removes every rule of the customer, or every rule when
	// customerID is empty, and says how many.
	DeleteFaults(ctx context.Context, customerID string) (int64, error)
	// MatchFault counts one more request matched by the rule and, if fires
	// says the rule fires on that request (given its number, counting from
	// 1) and the rule's Times are not spent, counts it fired too. Of
	// concurrent callers, on any process, each gets its own number, and no
	// more than Times fire. It returns ErrNotFound when the rule is gone.
	MatchFault(ctx context.Context, id string, fires func(n int64) bool) (fired bool, err error)

	// AppendJournal adds entries to the journal, then deletes the oldest
	// so that at most keep remain.
	AppendJournal(ctx context.Context, entries []*JournalEntry, keep int) error
	// Journal lists entries, newest first, as q selects them.
	Journal(ctx context.Context, q JournalQuery) ([]*JournalEntry, error)

	// SandboxLogins lists the saved logins of a customer, or of every
	// customer when customerID is empty, newest first, at most limit; their
	// Sealed and DataKey are not read.
	SandboxLogins(ctx context.Context, customerID string, limit int) ([]*Login, error)
	// LoginSessions lists a login's sessions, newest first, at most limit;
	// their Sealed and Requests are not read.
	LoginSessions(ctx context.Context, customerID, loginID string, limit int) ([]*Session, error)
}
