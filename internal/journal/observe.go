package journal

import (
	"context"
	"fmt"
	"time"

	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/internal/store"
)

// Observe returns st recording, as journal events, what its writes say
// bankfeed did: a session's new state or fetch state, a snapshot stored, a
// login's refresh, a webhook attempt. The services write through it
// unaware. A write in a transaction is recorded once the transaction
// commits, and only then.
func Observe(st store.Store, r *Recorder) store.Store {
	return &observed{Store: st, rec: r}
}

type observed struct {
	store.Store
	rec *Recorder
}

// event is an event waiting for its transaction's commit.
type event struct{ customerID, loginID, requestID, name, detail string }

func (o *observed) emit(evs []event) {
	for _, e := range evs {
		o.rec.Event(e.customerID, e.loginID, e.requestID, e.name, e.detail)
	}
}

func (o *observed) InTx(ctx context.Context, fn func(q store.Queries) error) error {
	var evs []event
	err := o.Store.InTx(ctx, func(q store.Queries) error {
		evs = evs[:0]
		return fn(&observedQueries{Queries: q, o: o, evs: &evs})
	})
	if err == nil {
		o.emit(evs)
	}
	return err
}

func (o *observed) CreateSession(ctx context.Context, s *store.Session) error {
	return o.now(func(q store.Queries) error { return q.CreateSession(ctx, s) })
}

func (o *observed) UpdateSession(ctx context.Context, s *store.Session) error {
	return o.now(func(q store.Queries) error { return q.UpdateSession(ctx, s) })
}

func (o *observed) DeleteLogin(ctx context.Context, customerID, loginID string) error {
	if err := o.Store.DeleteLogin(ctx, customerID, loginID); err != nil {
		return err
	}
	o.rec.ids.forget(customerID, loginID)
	return nil
}

func (o *observed) CreateLogin(ctx context.Context, l *store.Login) error {
	return o.now(func(q store.Queries) error { return q.CreateLogin(ctx, l) })
}

func (o *observed) UpdateLogin(ctx context.Context, l *store.Login) error {
	return o.now(func(q store.Queries) error { return q.UpdateLogin(ctx, l) })
}

func (o *observed) PutSnapshot(ctx context.Context, customerID, loginID string, at time.Time, snap *connector.Snapshot) error {
	return o.now(func(q store.Queries) error { return q.PutSnapshot(ctx, customerID, loginID, at, snap) })
}

func (o *observed) RecordAttempt(ctx context.Context, a *store.DeliveryAttempt) error {
	return o.now(func(q store.Queries) error { return q.RecordAttempt(ctx, a) })
}

// now runs one write outside a transaction and records its events.
func (o *observed) now(write func(q store.Queries) error) error {
	var evs []event
	if err := write(&observedQueries{Queries: o.Store, o: o, evs: &evs}); err != nil {
		return err
	}
	o.emit(evs)
	return nil
}

// observedQueries collects the events of the writes made through it.
type observedQueries struct {
	store.Queries
	o   *observed
	evs *[]event
}

func (q *observedQueries) add(e event) { *q.evs = append(*q.evs, e) }

func (q *observedQueries) CreateSession(ctx context.Context, s *store.Session) error {
	if err := q.Queries.CreateSession(ctx, s); err != nil {
		return err
	}
	q.session(s, true)
	return nil
}

func (q *observedQueries) UpdateSession(ctx context.Context, s *store.Session) error {
	if err := q.Queries.UpdateSession(ctx, s); err != nil {
		return err
	}
	q.session(s, false)
	return nil
}

// session records a session's state and fetch state when they changed
// since last recorded.
func (q *observedQueries) session(s *store.Session, created bool) {
	prevState, prevFetch, known := q.o.rec.sessionState(s.ID, s.State, s.Fetch)
	if created || !known || prevState != s.State {
		q.add(event{s.CustomerID, s.LoginID, s.ID, "session " + s.State, s.Mode + " " + s.Institution})
	}
	if s.Fetch != "" && (!known || prevFetch != s.Fetch) {
		q.add(event{s.CustomerID, s.LoginID, s.ID, "fetch " + s.Fetch, s.FetchCode})
	}
}

func (q *observedQueries) PutSnapshot(ctx context.Context, customerID, loginID string, at time.Time, snap *connector.Snapshot) error {
	if err := q.Queries.PutSnapshot(ctx, customerID, loginID, at, snap); err != nil {
		return err
	}
	n := 0
	if snap != nil {
		n = len(snap.Accounts)
	}
	q.add(event{customerID, loginID, "", "snapshot stored", fmt.Sprintf("%d accounts", n)})
	return nil
}

func (q *observedQueries) DeleteLogin(ctx context.Context, customerID, loginID string) error {
	if err := q.Queries.DeleteLogin(ctx, customerID, loginID); err != nil {
		return err
	}
	// Forgotten before the commit: at worst a read more.
	q.o.rec.ids.forget(customerID, loginID)
	return nil
}

func (q *observedQueries) CreateLogin(ctx context.Context, l *store.Login) error {
	if err := q.Queries.CreateLogin(ctx, l); err != nil {
		return err
	}
	q.add(event{l.CustomerID, l.ID, "", "login created", l.Institution})
	return nil
}

func (q *observedQueries) UpdateLogin(ctx context.Context, l *store.Login) error {
	if err := q.Queries.UpdateLogin(ctx, l); err != nil {
		return err
	}
	// A write that records a live login or refresh attempt sets its time
	// to the write's.
	if !l.LastAttempt.IsZero() && l.LastAttempt.Equal(l.UpdatedAt) {
		if l.LastRefreshCode == "" {
			q.add(event{l.CustomerID, l.ID, "", "login refreshed", l.Institution})
		} else {
			q.add(event{l.CustomerID, l.ID, "", "login refresh failed", l.LastRefreshCode})
		}
	}
	return nil
}

func (q *observedQueries) RecordAttempt(ctx context.Context, a *store.DeliveryAttempt) error {
	if err := q.Queries.RecordAttempt(ctx, a); err != nil {
		return err
	}
	detail := fmt.Sprintf("delivery %s attempt %d: status %d", a.DeliveryID, a.Attempt, a.Status)
	if a.Error != "" {
		detail += ": " + a.Error
	}
	q.add(event{a.CustomerID, a.LoginID, "", "webhook attempt", detail})
	return nil
}
