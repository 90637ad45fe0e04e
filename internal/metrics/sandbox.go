package metrics

import (
	"context"
	"time"

	"github.com/bankfeed/bankfeed/internal/store"
)

// Sandbox returns sb with each operation timed and each ErrUnavailable
// counted, as Store does: the fault rules are read on the way of every API
// request of a sandbox on PostgreSQL, and an outage met there is the
// database's like any other.
func (m *Metrics) Sandbox(sb store.Sandbox) store.Sandbox {
	return observedSandbox{sb: sb, o: observedStore{m: m}}
}

type observedSandbox struct {
	sb store.Sandbox
	o  observedStore // for done
}

func (o observedSandbox) CreateFault(ctx context.Context, f *store.Fault) (err error) {
	defer func(start time.Time) { o.o.done("CreateFault", start, err) }(time.Now())
	return o.sb.CreateFault(ctx, f)
}

func (o observedSandbox) Faults(ctx context.Context) (_ []*store.Fault, err error) {
	defer func(start time.Time) { o.o.done("Faults", start, err) }(time.Now())
	return o.sb.Faults(ctx)
}

func (o observedSandbox) DeleteFault(ctx context.Context, id string) (err error) {
	defer func(start time.Time) { o.o.done("DeleteFault", start, err) }(time.Now())
	return o.sb.DeleteFault(ctx, id)
}

func (o observedSandbox) DeleteFaults(ctx context.Context, customerID string) (_ int64, err error) {
	defer func(start time.Time) { o.o.done("DeleteFaults", start, err) }(time.Now())
	return o.sb.DeleteFaults(ctx, customerID)
}

func (o observedSandbox) MatchFault(ctx context.Context, id string, fires func(n int64) bool) (_ bool, err error) {
	defer func(start time.Time) { o.o.done("MatchFault", start, err) }(time.Now())
	return o.sb.MatchFault(ctx, id, fires)
}

func (o observedSandbox) AppendJournal(ctx context.Context, entries []*store.JournalEntry, keep int) (err error) {
	defer func(start time.Time) { o.o.done("AppendJournal", start, err) }(time.Now())
	return o.sb.AppendJournal(ctx, entries, keep)
}

func (o observedSandbox) Journal(ctx context.Context, q store.JournalQuery) (_ []*store.JournalEntry, err error) {
	defer func(start time.Time) { o.o.done("Journal", start, err) }(time.Now())
	return o.sb.Journal(ctx, q)
}

func (o observedSandbox) SandboxLogins(ctx context.Context, customerID string, limit int) (_ []*store.Login, err error) {
	defer func(start time.Time) { o.o.done("SandboxLogins", start, err) }(time.Now())
	return o.sb.SandboxLogins(ctx, customerID, limit)
}

func (o observedSandbox) LoginSessions(ctx context.Context, customerID, loginID string, limit int) (_ []*store.Session, err error) {
	defer func(start time.Time) { o.o.done("LoginSessions", start, err) }(time.Now())
	return o.sb.LoginSessions(ctx, customerID, loginID, limit)
}
