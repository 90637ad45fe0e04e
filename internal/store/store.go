// Package store is the persistence contract of bankfeed: sessions, saved
// logins and the latest snapshot of each login's data. Implementations live
// in subpackages (sqlitestore, pgstore) and pass the same
// conformance suite, storetest. Business rules live above the store: it
// stores and finds rows, compares versions, and nothing else.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/bankfeed/bankfeed/connector"
)

var (
	// ErrNotFound is returned when no row matches.
	ErrNotFound = errors.New("store: not found")
	// ErrConflict is returned when a row changed since it was read, or a
	// row that must be unique already exists.
	ErrConflict = errors.New("store: conflict")
	// ErrUnavailable is returned when the database cannot be reached, or
	// cannot serve for now (restarting, out of connections), or did not
	// answer within the store's timeout: the operation may succeed if
	// tried again later. Whether a write whose commit was cut off was
	// applied is unknown; the contract's compare-and-swaps make the retry
	// safe.
	ErrUnavailable = errors.New("store: database unavailable")
)

// Session is one Authorize conversation (a RequestId) and the data calls
// that follow it.
type Session struct {
	ID         string
	CustomerID string
	// LoginID is the login the session reopens or produced; empty while a
	// new login's conversation is under way.
	LoginID     string
	Institution string
	Username    string
	Language    string
	Tag         string
	Mode        string // "live", "reopen" or "cached"
	Save        bool
	// ScheduleRefresh is the request's ScheduleRefresh, applied when the
	// conversation saves a new login.
	ScheduleRefresh bool
	State           string
	// Attempts counts wrong answers in this session.
	Attempts int
	// Fetch is the state of the data fetch that follows a live Authorize:
	// FetchPending, FetchDispatched, FetchDone, FetchFailed, or empty when
	// the session fetches nothing (a cached reopen, a conversation not yet
	// authorized).
	Fetch string
	// FetchCode is the FlinksCode of a failed fetch.
	FetchCode string
	// Requests holds the options of the data calls answered 202 while the
	// fetch ran, as JSON, for the *Async calls that continue them; nil
	// when there were none.
	Requests []byte
	// BusyUntil is when the claim of an answer in flight lapses.
	BusyUntil time.Time
	// Version increases with every update; UpdateSession compares it.
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
	// Sealed holds the session's secrets (password, connector state,
	// challenges, collected answers), sealed by the vault.
	Sealed []byte
}

// The states of a session's fetch.
const (
	FetchPending = "pending"
	// FetchDispatched is a pending fetch the bank said would be long: data
	// calls answer OPERATION_DISPATCHED rather than OPERATION_PENDING.
	FetchDispatched = "dispatched"
	FetchDone       = "done"
	FetchFailed     = "failed"
)

// Job is a background job to insert with Enqueue: its Kind names the worker
// that runs it, and it is stored as JSON. It has the method set of River's
// JobArgs, the engine that runs it.
type Job interface {
	Kind() string
}

// Login is a saved connection (a card), identified by its LoginId.
type Login struct {
	ID          string
	CustomerID  string
	Institution string
	// Username is as the bank shows it; UsernameKey is its case-folded form,
	// unique per customer and institution.
	Username    string
	UsernameKey string
	Language    string
	// Saved reports whether credentials were kept (Authorize with Save).
	Saved            bool
	ScheduledRefresh bool
	Type             string
	// LastRefresh is the time of the last authorized live login; zero when
	// never.
	LastRefresh time.Time
	// LastRefreshCode is the FlinksCode of the last live login's failure, or
	// empty when it succeeded.
	LastRefreshCode string
	// LastAttempt is the time of the last live login or scheduled refresh,
	// whatever its outcome; zero when never.
	LastAttempt time.Time
	// TwoStep reports that the login's last authorized live login asked a
	// one-time challenge (a SecurID, a texted code, a device approval): no
	// unattended refresh can pass it.
	TwoStep bool
	// LastCached is about when the login was last reopened from cache. Only
	// MarkCached changes it; UpdateLogin leaves it as stored.
	LastCached time.Time
	Version    int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
	// Sealed holds the login's secrets (password, stored answers, connector
	// state), sealed with the login's data key; nil when nothing is kept.
	Sealed []byte
	// DataKey is the login's own data key, wrapped by the master key: the
	// key Sealed is sealed with. Deleting the login destroys it. CreateLogin
	// stores it; UpdateLogin stores it only when the row has none yet, so
	// that a key rotation that rewrapped it meanwhile is never undone (see
	// ReplaceSealed). Nil for a login sealed under the master key directly,
	// as logins were before data keys existed.
	DataKey []byte
}

// Customer is a tenant: a customerId with its own keys, logins and data.
type Customer struct {
	ID string
	// Name is the operator's label for the customer; it is not secret.
	Name string
	// SecretHash and APIKeyHash are SHA-256 digests of the secret key and
	// the x-api-key: the keys themselves are shown once, when made, and
	// never stored.
	SecretHash []byte
	APIKeyHash []byte
	// TokenRequired makes Authorize require a single-use authorize token.
	TokenRequired bool
	// APIKeyRequired makes the data endpoints require the x-api-key.
	APIKeyRequired bool
	// RequestRate bounds the customer's requests per second; 0 is no bound.
	RequestRate int
	// TokenRate bounds the authorize tokens the customer may generate per
	// minute; 0 is no bound.
	TokenRate int
	// Sandbox marks the public sandbox customer, which serves only in
	// sandbox mode.
	Sandbox   bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// AuthorizeToken is a single-use authorize token, known by the SHA-256
// digest of its value.
type AuthorizeToken struct {
	Hash       []byte
	CustomerID string
	ExpiresAt  time.Time
	// UsedAt is when an Authorize used it; zero while unused.
	UsedAt time.Time
	// RequestID is the session the token opened: the follow-up rounds of
	// that session may send the token again.
	RequestID string
	CreatedAt time.Time
}

// SealedKind names a column of sealed values, for key rotation.
type SealedKind string

// The sealed columns a key rotation rewraps.
const (
	// SealedLoginKey is logins.data_key: data keys wrapped by the master
	// key.
	SealedLoginKey SealedKind = "login_key"
	// SealedLogin is logins.sealed of logins without a data key, sealed
	// under the master key directly.
	SealedLogin SealedKind = "login"
	// SealedSession is sessions.sealed, sealed under the master key.
	SealedSession SealedKind = "session"
	// SealedWebhook is webhooks.secret: customers' webhook signing keys,
	// sealed under the master key.
	SealedWebhook SealedKind = "webhook"
)

// SealedValue is one sealed value of a row.
type SealedValue struct {
	CustomerID string
	ID         string
	Value      []byte
}

// Queries are the reads and writes of the store, usable alone or inside a
// transaction. Reads are scoped by customer: a row of another customer is
// ErrNotFound.
type Queries interface {
	SandboxQueries

	Session(ctx context.Context, customerID, id string) (*Session, error)
	CreateSession(ctx context.Context, s *Session) error
	// UpdateSession writes the fields of s a conversation changes (LoginID,
	// Username, Tag, State, Attempts, Fetch, FetchCode, Requests, BusyUntil,
	// UpdatedAt, Sealed) if the
	// stored version is still s.Version, and then increments s.Version.
	// Otherwise it returns ErrConflict.
	UpdateSession(ctx context.Context, s *Session) error

	Login(ctx context.Context, customerID, id string) (*Login, error)
	LoginByUsername(ctx context.Context, customerID, institution, usernameKey string) (*Login, error)
	// CreateLogin returns ErrConflict if the customer already has a login
	// with the same institution and username key.
	CreateLogin(ctx context.Context, l *Login) error
	// UpdateLogin writes the fields of l that change after creation
	// (Username, Language, Saved, ScheduledRefresh, Type, LastRefresh,
	// LastRefreshCode, LastAttempt, TwoStep, UpdatedAt, Sealed, and DataKey
	// when the row has none) if the stored version is still l.Version, and
	// then increments l.Version. Otherwise it returns ErrConflict.
	UpdateLogin(ctx context.Context, l *Login) error
	// MarkCached records that the login was reopened from cache at t: its
	// LastCached becomes t unless it is later already. It changes nothing
	// else, no version: a cached reopen must not disturb a conversation in
	// flight. It returns ErrNotFound if the customer has no such login.
	MarkCached(ctx context.Context, customerID, loginID string, t time.Time) error
	// ScheduledLogins lists saved logins with scheduled refresh on, by ID,
	// a page at a time (see ScheduledQuery).
	ScheduledLogins(ctx context.Context, q ScheduledQuery) ([]*Login, error)
	// DeleteLogin deletes the login and everything stored for it: its
	// sessions, its snapshot, its webhook deliveries and the jobs enqueued for it (jobs whose JSON
	// has a "login_id" equal to loginID). It returns ErrNotFound if the
	// customer has no such login.
	DeleteLogin(ctx context.Context, customerID, loginID string) error
	// LoginFetching reports whether a session of the login has a fetch
	// under way (FetchPending or FetchDispatched).
	LoginFetching(ctx context.Context, customerID, loginID string) (bool, error)

	// Customer reads a customer. ErrNotFound when there is none.
	Customer(ctx context.Context, id string) (*Customer, error)
	// Customers lists every customer, by id.
	Customers(ctx context.Context) ([]*Customer, error)
	// CreateCustomer returns ErrConflict if the id is taken.
	CreateCustomer(ctx context.Context, c *Customer) error
	// UpdateCustomer writes every field of c but ID and CreatedAt;
	// ErrNotFound when there is no such customer.
	UpdateCustomer(ctx context.Context, c *Customer) error
	// DeleteCustomer deletes the customer and everything stored for it:
	// its logins (with their data keys), sessions, snapshots, tokens,
	// webhook endpoint and deliveries, and jobs. ErrNotFound when there is no such customer.
	DeleteCustomer(ctx context.Context, id string) error

	// CreateToken stores a new authorize token.
	CreateToken(ctx context.Context, t *AuthorizeToken) error
	// Token reads the customer's token with the given hash; ErrNotFound
	// when the customer has none (another customer's token included).
	Token(ctx context.Context, customerID string, hash []byte) (*AuthorizeToken, error)
	// UseToken marks the customer's token as used at now if it is unused
	// and expires after now. Otherwise it returns ErrNotFound, whatever the
	// reason: of two concurrent uses, exactly one succeeds.
	UseToken(ctx context.Context, customerID string, hash []byte, now time.Time) error
	// BindToken records the session a used token opened. ErrNotFound when
	// the customer has no such token.
	BindToken(ctx context.Context, customerID string, hash []byte, requestID string) error
	// ReturnToken makes a used token unused again, for a login its use
	// could not open (refused credentials), if it opened no session and has
	// been returned fewer than max times before. ErrNotFound otherwise.
	ReturnToken(ctx context.Context, customerID string, hash []byte, max int) error
	// DeleteTokensExpiredBefore deletes tokens that expired before t.
	DeleteTokensExpiredBefore(ctx context.Context, t time.Time) (int64, error)

	// SealedValues lists the values of a sealed column, of rows whose id
	// sorts after afterID, in id order, at most limit of them: the pages a
	// key rotation walks.
	SealedValues(ctx context.Context, kind SealedKind, afterID string, limit int) ([]SealedValue, error)
	// ReplaceSealed swaps the value of a sealed column from old to new if
	// it still holds old, reporting whether it did. It changes nothing
	// else: no version, no timestamp, so a rotation never disturbs a
	// conversation in flight.
	ReplaceSealed(ctx context.Context, kind SealedKind, customerID, id string, old, new []byte) (bool, error)
	// SealedPrefixes returns the distinct first n bytes of every sealed
	// value of the kinds a rotation walks: the vault's header, naming the
	// key each was sealed with, so that a server can refuse to start
	// without the keys its database needs.
	SealedPrefixes(ctx context.Context, n int) ([][]byte, error)

	// Webhook reads the customer's webhook endpoint; ErrNotFound when it
	// has none.
	Webhook(ctx context.Context, customerID string) (*Webhook, error)
	// Webhooks lists every customer's webhook endpoint, by customer.
	Webhooks(ctx context.Context) ([]*Webhook, error)
	// PutWebhook creates or replaces the customer's webhook endpoint;
	// ErrNotFound when there is no such customer.
	PutWebhook(ctx context.Context, w *Webhook) error
	// DeleteWebhook removes the customer's webhook endpoint; ErrNotFound
	// when it has none.
	DeleteWebhook(ctx context.Context, customerID string) error

	// CreateDelivery stores a new webhook delivery; ErrConflict if its ID
	// is taken.
	CreateDelivery(ctx context.Context, d *Delivery) error
	// Delivery reads a delivery by its ID, whatever its customer: delivery
	// IDs are random, and only the operator's tools and the delivery job
	// read them this way. ErrNotFound when there is none.
	Delivery(ctx context.Context, id string) (*Delivery, error)
	// UpdateDelivery writes State, Attempts, UpdatedAt and Body;
	// ErrNotFound when the delivery is gone (its login deleted).
	UpdateDelivery(ctx context.Context, d *Delivery) error
	// Deliveries lists deliveries, newest first (of those created at the
	// same time, the last written first), as q selects them.
	Deliveries(ctx context.Context, q DeliveryQuery) ([]*Delivery, error)
	// RecordAttempt stores one attempt of a delivery.
	RecordAttempt(ctx context.Context, a *DeliveryAttempt) error
	// Attempts lists a delivery's attempts, in order.
	Attempts(ctx context.Context, deliveryID string) ([]*DeliveryAttempt, error)
	// PruneDeliveries drops the bodies of deliveries created before
	// bodiesBefore, and deletes deliveries (with their attempts) created
	// before before. It returns how many rows it changed.
	PruneDeliveries(ctx context.Context, bodiesBefore, before time.Time) (int64, error)

	// Enqueue inserts a background job. Inside InTx it commits or rolls
	// back with the transaction, so a job exists exactly when the rows
	// that need it do.
	Enqueue(ctx context.Context, job Job) error

	// PutSnapshot replaces the login's snapshot with snap, fetched at
	// fetchedAt: accounts absent from snap are gone afterwards. Readers
	// see the old snapshot or the new one, never a mix. It returns
	// ErrNotFound if the customer has no such login, and ErrConflict if
	// two accounts of snap share an ID. snap is kept as given, in its
	// order, unchecked (balances and order are the connector's business),
	// except that transaction dates are kept as calendar days (UTC): they
	// come back at midnight UTC.
	PutSnapshot(ctx context.Context, customerID, loginID string, fetchedAt time.Time, snap *connector.Snapshot) error
	// Snapshot reads the login's snapshot and the time it was fetched:
	// every account (or only those of q.Accounts when set, in the stored
	// order), with the transactions that q selects, newest first as
	// stored. It returns ErrNotFound if the customer has no such login or
	// the login has no snapshot. An account without selected transactions
	// has nil Transactions.
	Snapshot(ctx context.Context, customerID, loginID string, q SnapshotQuery) (*connector.Snapshot, time.Time, error)
	// SessionView reads, in one statement, the session, its login and the
	// version of the login's snapshot: a consistent view outside a
	// transaction too, which is what lets a data call served from a copy
	// of its accounts run one statement and no transaction. It returns
	// ErrNotFound if the customer has no such session or the session has
	// no login (none yet, or it was deleted); Session and Login tell the
	// two apart.
	SessionView(ctx context.Context, customerID, id string) (*SessionView, error)
	// SessionLogins reads which of ids are sessions of the customer, in one
	// statement: each one found maps to its LoginID, "" while it has none.
	SessionLogins(ctx context.Context, customerID string, ids []string) (map[string]string, error)
}

// SessionView is a session with its login and the version of the login's
// snapshot, read at one instant.
type SessionView struct {
	Session *Session
	Login   *Login
	// HasSnapshot is false while the login has no snapshot stored.
	HasSnapshot bool
	// SnapshotVersion is a number no other snapshot stored in the database
	// has had, whatever its fetch time, so that a copy of a snapshot's data
	// is known for current by it. Snapshots stored before versions existed
	// share version 0, each with its own login.
	SnapshotVersion int64
}

// Webhook is a customer's webhook endpoint: where its deliveries go, and
// the key that signs them.
type Webhook struct {
	CustomerID string
	URL        string
	// Secret is the signing key, sealed by the vault.
	Secret    []byte
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Delivery is one message to a customer's webhook endpoint, with what a
// replay needs to send it again.
type Delivery struct {
	ID         string
	CustomerID string
	// LoginID is the login the delivery is about; empty for a test
	// delivery.
	LoginID   string
	RequestID string
	// Type is the delivery's ResponseType: KYC, GetAccountsDetail, Test.
	Type string
	URL  string
	// Body is the JSON sent; nil once pruned.
	Body []byte
	// State is DeliveryPending, DeliveryDelivered or DeliveryFailed.
	State     string
	Attempts  int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// The states of a delivery.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	// DeliveryFailed is a delivery that exhausted its attempts.
	DeliveryFailed = "failed"
)

// DeliveryAttempt is one try at sending a delivery.
type DeliveryAttempt struct {
	DeliveryID string
	CustomerID string
	LoginID    string
	Attempt    int
	At         time.Time
	URL        string
	// Status is the receiver's HTTP status; 0 when no response came.
	Status int
	// Error is the transport error, or why the status is a failure; empty
	// for a 2xx.
	Error    string
	Duration time.Duration
}

// DeliveryQuery selects Deliveries.
type DeliveryQuery struct {
	// CustomerID and LoginID, when set, select that customer's or login's.
	CustomerID string
	LoginID    string
	Limit      int
}

// ScheduledQuery selects a page of ScheduledLogins.
type ScheduledQuery struct {
	// CustomerID selects the logins of one customer; empty selects those
	// of every customer (the refresh planner's pass over the database).
	CustomerID string
	// AfterID selects the logins whose ID sorts after it (byte order);
	// empty starts at the first.
	AfterID string
	// Limit is the most logins returned.
	Limit int
}

// SnapshotQuery selects what Snapshot reads. The zero value reads
// everything.
type SnapshotQuery struct {
	// From and To bound the transactions' dates, both inclusive, compared
	// as calendar days in UTC: a transaction is selected when its day is
	// neither before From's day nor after To's. A zero From or To leaves
	// that side unbounded.
	From, To time.Time
	// Accounts, when not empty, selects the accounts with these IDs, in
	// the stored order whatever the order here; IDs the snapshot lacks are
	// ignored (Flinks' AccountsFilter).
	Accounts []string
	// After maps an account ID to a transaction ID: for that account, only
	// the transactions newer than it are selected, newer meaning listed
	// before it in the stored newest-first order (Flinks' RefreshDelta).
	// When the account has no transaction with that ID, every transaction
	// of the account within the window is selected, as if there were no
	// entry: a client that holds a transaction the bank no longer shows
	// gets everything rather than nothing. Entries of accounts the
	// snapshot lacks are ignored.
	After map[string]string
	// NoTransactions reads the accounts without any transaction (and From,
	// To and After do not matter): the cheap read of the accounts and their
	// balances, which need not load the transactions at all.
	NoTransactions bool
}

// Store is a database holding bankfeed's state.
type Store interface {
	Queries
	// InTx runs fn in one transaction, committed when fn returns nil and
	// rolled back otherwise.
	InTx(ctx context.Context, fn func(q Queries) error) error
	// ReadTx runs fn in one read-only transaction: every read of fn sees
	// the database as of one moment, so rows written together by one
	// transaction are seen together or not at all. Writes through q fail.
	ReadTx(ctx context.Context, fn func(q Queries) error) error
	// DeleteSessionsIdleSince deletes sessions not updated since t.
	DeleteSessionsIdleSince(ctx context.Context, t time.Time) (int64, error)
	// DeleteUnsavedLogins deletes logins without saved credentials that were
	// last updated before t and have no session left.
	DeleteUnsavedLogins(ctx context.Context, t time.Time) (int64, error)
	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	// Migrated checks that the database carries every migration of this
	// build, bankfeed's and the jobs engine's: an error names what is
	// missing (a database restored from an older backup under a running
	// server), or is ErrUnavailable.
	Migrated(ctx context.Context) error
	// Stats counts rows for monitoring: sessions by state, saved logins,
	// and the unfinished jobs by kind and state.
	Stats(ctx context.Context) (*Stats, error)
	Close() error
}

// Stats are counts of a database's rows, read for monitoring.
type Stats struct {
	// Sessions counts the sessions by State.
	Sessions map[string]int64
	// SavedLogins counts the logins whose credentials are kept.
	SavedLogins int64
	// Jobs counts the jobs not finished (available, scheduled, retryable,
	// running), by kind and state, in no particular order.
	Jobs []JobCount
}

// JobCount is the number of jobs of one kind in one state.
type JobCount struct {
	Kind  string
	State string
	Count int64
	// OldestWait is, for available jobs, how long the one due first has
	// waited since it was due; zero for the other states.
	OldestWait time.Duration
}

// Clock returns now read at the stores' precision: stores keep times to the
// microsecond, in UTC, so that a time is the same before and after a round
// trip through the database. Every component takes the application's one
// clock through it; time.Now when now is nil.
func Clock(now func() time.Time) func() time.Time {
	if now == nil {
		now = time.Now
	}
	return func() time.Time { return now().UTC().Truncate(time.Microsecond) }
}

// RetryConflict runs fn again when it fails with ErrConflict, at most three
// times: two writers of one row at once, where the second must read what
// the first wrote and decide again.
func RetryConflict(fn func() error) error {
	var err error
	for range 3 {
		if err = fn(); !errors.Is(err, ErrConflict) {
			return err
		}
	}
	return err
}
