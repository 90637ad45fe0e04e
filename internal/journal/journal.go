// Package journal is the sandbox's request journal: every API request with
// its answer, and the events bankfeed emitted (a session's states, fetches,
// refreshes, webhook attempts), with every secret redacted, kept in the
// database so that it survives restarts and every process on one
// PostgreSQL shows the same one.
//
// Recording stays off the request path: a request hands the recorder its
// raw bodies and returns; a goroutine of the recorder redacts them and
// writes them in batches, and drops the oldest entries past the bound in
// the same transaction.
package journal

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bankfeed/bankfeed/internal/store"
	"github.com/google/uuid"
)

const (
	// DefaultSize is the most entries the journal keeps unless configured.
	DefaultSize = 10000
	// MaxBody is the most bytes of a body the journal keeps: larger bodies
	// (accounts with their transactions, PDF statements) are noted by size
	// only. Every request, a request path's bodies of some KiB at most, fits;
	// keeping the data calls' answers would multiply the journal's writes.
	MaxBody = 16 << 10
	// flushEvery is how long an entry may wait in memory before it is
	// written: what another process's reader may lag behind.
	flushEvery = 100 * time.Millisecond
	// batchSize is the pending count that starts a write at once.
	batchSize = 256
	// maxPending bounds the entries in memory while the database is slow:
	// past it, the newest are dropped (and counted in the log) rather than
	// the request path made to wait.
	maxPending = 20000
	// maxStates bounds the sessions whose states the recorder remembers.
	maxStates = 10000
)

// Config are the dependencies of a Recorder.
type Config struct {
	Store store.Sandbox
	// Sessions finds the login of a request that names only its session.
	Sessions store.Queries
	// Size is the most entries kept; past it the oldest go.
	Size int
	// Now is the application's clock (virtual in the sandbox); entries
	// carry it beside the wall clock's time.
	Now    func() time.Time
	Logger *slog.Logger
}

// Recorder records journal entries and reads the journal.
type Recorder struct {
	store store.Sandbox
	size  int
	now   func() time.Time
	log   *slog.Logger

	mu      sync.Mutex
	pending []*Entry
	dropped int
	// states is the last state and fetch state recorded of each session,
	// so that a write that changes neither (a claim, an MFA round) records
	// nothing; at most maxStates, all forgotten past it. A session is keyed
	// by its id, a UUID, in 16 bytes, and a state by its index in
	// stateNames: a quarter of the memory of the strings, which the heap
	// of a server holding many sessions open showed. A session whose id is
	// not a UUID is not remembered, and all its writes are recorded.
	states     map[uuid.UUID][2]uint8
	stateNames []string

	writeMu  sync.Mutex // one write at a time, so seq follows recording order
	ids      *ids       // under writeMu
	inflight atomic.Int64
	kick     chan struct{}
	stop     chan struct{}
	done     chan struct{}
}

// Entry is an entry as recorded: the store's entry with its bodies still
// raw, redacted by the recorder's goroutine.
type Entry struct {
	store.JournalEntry
	// rawRequest and rawResponse are the bodies as sent, or nil; their
	// sizes are the whole bodies', which may be longer than kept.
	rawRequest, rawResponse   []byte
	requestSize, responseSize int
}

// New returns a recorder; Start starts its writer.
func New(c Config) *Recorder {
	r := &Recorder{store: c.Store, ids: newIDs(c.Sessions), states: map[uuid.UUID][2]uint8{}, size: c.Size, now: store.Clock(c.Now), log: c.Logger,
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	if r.size <= 0 {
		r.size = DefaultSize
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	return r
}

// Start starts the goroutine that writes the entries; Stop ends it.
func (r *Recorder) Start() {
	go r.run()
}

// Stop writes what is pending and stops the writer.
func (r *Recorder) Stop(ctx context.Context) error {
	select {
	case <-r.stop:
	default:
		close(r.stop)
	}
	select {
	case <-r.done:
	case <-ctx.Done():
		return ctx.Err()
	}
	return r.write(ctx)
}

func (r *Recorder) run() {
	defer close(r.done)
	t := time.NewTicker(flushEvery)
	defer t.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-t.C:
		case <-r.kick:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		if err := r.write(ctx); err != nil {
			r.log.Warn("journal entries not written", "err", err)
		}
		cancel()
	}
}

// Begin notes a request under way, for Flush; its Request call ends it.
func (r *Recorder) Begin() { r.inflight.Add(1) }

// Request records a request that Begin announced: its entry, with the
// bodies as sent and answered (or nil); sizes are the bodies' whole
// lengths.
func (r *Recorder) Request(e store.JournalEntry, reqBody []byte, reqSize int, respBody []byte, respSize int) {
	defer r.inflight.Add(-1)
	e.Kind = store.JournalRequest
	e.Clock = r.now()
	r.add(&Entry{JournalEntry: e, rawRequest: reqBody, requestSize: reqSize, rawResponse: respBody, responseSize: respSize})
}

// Event records an event bankfeed emitted.
func (r *Recorder) Event(customerID, loginID, requestID, event, detail string) {
	r.add(&Entry{JournalEntry: store.JournalEntry{Kind: store.JournalEvent, CustomerID: customerID, LoginID: loginID,
		RequestID: requestID, Event: event, Detail: detail, At: time.Now().UTC(), Clock: r.now()}})
}

func (r *Recorder) add(e *Entry) {
	r.mu.Lock()
	if len(r.pending) >= maxPending {
		r.dropped++
		r.mu.Unlock()
		return
	}
	r.pending = append(r.pending, e)
	n := len(r.pending)
	r.mu.Unlock()
	if n >= batchSize {
		select {
		case r.kick <- struct{}{}:
		default:
		}
	}
}

// write redacts and writes the pending entries.
func (r *Recorder) write(ctx context.Context) error {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	r.mu.Lock()
	batch, dropped := r.pending, r.dropped
	r.pending, r.dropped = nil, 0
	r.mu.Unlock()
	if dropped > 0 {
		r.log.Warn("journal entries dropped: the database did not keep up", "dropped", dropped)
	}
	if len(batch) == 0 {
		return nil
	}
	entries := make([]*store.JournalEntry, len(batch))
	for i, e := range batch {
		prepare(e)
		entries[i] = &e.JournalEntry
	}
	pre, err := r.ids.prefetch(ctx, entries)
	if err != nil {
		// Each entry's check reads what it needs, or fails alone.
		r.log.Warn("journal entries' sessions not read at once", "err", err)
	}
	for _, e := range batch {
		if err := r.ids.check(ctx, &e.JournalEntry, pre); err != nil {
			// Not known to exist, so not kept.
			r.log.Warn("journal entry's ids not checked", "err", err)
			scrub(&e.JournalEntry, e.LoginID, e.RequestID)
		}
	}
	return r.store.AppendJournal(ctx, entries, r.size)
}

// Flush writes what this process has recorded, after waiting a moment for
// the requests under way to be recorded: a reader of the journal sees the
// requests it made, even those whose answer reached it before the server
// had recorded them.
func (r *Recorder) Flush(ctx context.Context) error {
	deadline := time.Now().Add(100 * time.Millisecond)
	for r.inflight.Load() > 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	return r.write(ctx)
}

// Query reads the journal, newest first, after writing what this process
// has pending.
func (r *Recorder) Query(ctx context.Context, q store.JournalQuery) ([]*store.JournalEntry, error) {
	if err := r.Flush(ctx); err != nil {
		return nil, err
	}
	return r.store.Journal(ctx, q)
}

// WritePending writes what this process has recorded, at once: DeleteCard
// calls it before deleting a login, so that no entry of the login is
// written after the deletion deleted the others.
func (r *Recorder) WritePending(ctx context.Context) error {
	return r.write(ctx)
}

// sessionState notes a session's state and fetch state, and returns the
// ones noted before, if any.
func (r *Recorder) sessionState(id, state, fetch string) (prevState, prevFetch string, known bool) {
	key, err := uuid.Parse(id)
	if err != nil {
		return "", "", false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	prev, known := r.states[key]
	s, okS := r.stateIndex(state)
	f, okF := r.stateIndex(fetch)
	if len(r.states) >= maxStates {
		clear(r.states)
	}
	if okS && okF {
		r.states[key] = [2]uint8{s, f}
	} else {
		delete(r.states, key)
	}
	if !known {
		return "", "", false
	}
	return r.stateNames[prev[0]], r.stateNames[prev[1]], true
}

// stateIndex returns the index of a state's name in stateNames, adding it
// if new; false past 256 names, which bankfeed's few states never reach.
func (r *Recorder) stateIndex(name string) (uint8, bool) {
	for i, n := range r.stateNames {
		if n == name {
			return uint8(i), true
		}
	}
	if len(r.stateNames) > 255 {
		return 0, false
	}
	r.stateNames = append(r.stateNames, name)
	return uint8(len(r.stateNames) - 1), true
}
