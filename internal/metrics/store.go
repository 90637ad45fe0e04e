package metrics

import (
	"context"
	"errors"
	"time"

	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/internal/store"
)

// Store returns st with each operation timed into
// bankfeed_db_operation_duration_seconds and each ErrUnavailable counted
// into bankfeed_db_unavailable_total, by operation. The queries of a
// transaction are timed as the one InTx or ReadTx they run in: that is
// what holds a connection (on SQLite, the write lock).
func (m *Metrics) Store(st store.Store) store.Store {
	return observedStore{st: st, m: m}
}

// observedStore is a store.Store timing every operation of the store it
// wraps.
type observedStore struct {
	st store.Store
	m  *Metrics
}

// done records an operation that began at start and ended with err.
func (o observedStore) done(op string, start time.Time, err error) {
	o.m.dbOps.WithLabelValues(op).Observe(time.Since(start).Seconds())
	if errors.Is(err, store.ErrUnavailable) {
		o.m.dbUnavail.WithLabelValues(op).Inc()
	}
}

func (o observedStore) InTx(ctx context.Context, fn func(q store.Queries) error) (err error) {
	defer func(start time.Time) { o.done("InTx", start, err) }(time.Now())
	return o.st.InTx(ctx, fn)
}

func (o observedStore) ReadTx(ctx context.Context, fn func(q store.Queries) error) (err error) {
	defer func(start time.Time) { o.done("ReadTx", start, err) }(time.Now())
	return o.st.ReadTx(ctx, fn)
}

func (o observedStore) DeleteSessionsIdleSince(ctx context.Context, t time.Time) (_ int64, err error) {
	defer func(start time.Time) { o.done("DeleteSessionsIdleSince", start, err) }(time.Now())
	return o.st.DeleteSessionsIdleSince(ctx, t)
}

func (o observedStore) DeleteUnsavedLogins(ctx context.Context, t time.Time) (_ int64, err error) {
	defer func(start time.Time) { o.done("DeleteUnsavedLogins", start, err) }(time.Now())
	return o.st.DeleteUnsavedLogins(ctx, t)
}

func (o observedStore) Ping(ctx context.Context) (err error) {
	defer func(start time.Time) { o.done("Ping", start, err) }(time.Now())
	return o.st.Ping(ctx)
}

func (o observedStore) Migrated(ctx context.Context) (err error) {
	defer func(start time.Time) { o.done("Migrated", start, err) }(time.Now())
	return o.st.Migrated(ctx)
}

func (o observedStore) Stats(ctx context.Context) (_ *store.Stats, err error) {
	defer func(start time.Time) { o.done("Stats", start, err) }(time.Now())
	return o.st.Stats(ctx)
}

// Close closes the wrapped store; it is not timed.
func (o observedStore) Close() error { return o.st.Close() }

// The queries of store.Queries, outside a transaction.

func (o observedStore) Session(ctx context.Context, customerID string, id string) (_ *store.Session, err error) {
	defer func(start time.Time) { o.done("Session", start, err) }(time.Now())
	return o.st.Session(ctx, customerID, id)
}

func (o observedStore) CreateSession(ctx context.Context, s *store.Session) (err error) {
	defer func(start time.Time) { o.done("CreateSession", start, err) }(time.Now())
	return o.st.CreateSession(ctx, s)
}

func (o observedStore) UpdateSession(ctx context.Context, s *store.Session) (err error) {
	defer func(start time.Time) { o.done("UpdateSession", start, err) }(time.Now())
	return o.st.UpdateSession(ctx, s)
}

func (o observedStore) Login(ctx context.Context, customerID string, id string) (_ *store.Login, err error) {
	defer func(start time.Time) { o.done("Login", start, err) }(time.Now())
	return o.st.Login(ctx, customerID, id)
}

func (o observedStore) LoginByUsername(ctx context.Context, customerID string, institution string, usernameKey string) (_ *store.Login, err error) {
	defer func(start time.Time) { o.done("LoginByUsername", start, err) }(time.Now())
	return o.st.LoginByUsername(ctx, customerID, institution, usernameKey)
}

func (o observedStore) CreateLogin(ctx context.Context, l *store.Login) (err error) {
	defer func(start time.Time) { o.done("CreateLogin", start, err) }(time.Now())
	return o.st.CreateLogin(ctx, l)
}

func (o observedStore) UpdateLogin(ctx context.Context, l *store.Login) (err error) {
	defer func(start time.Time) { o.done("UpdateLogin", start, err) }(time.Now())
	return o.st.UpdateLogin(ctx, l)
}

func (o observedStore) MarkCached(ctx context.Context, customerID string, loginID string, t time.Time) (err error) {
	defer func(start time.Time) { o.done("MarkCached", start, err) }(time.Now())
	return o.st.MarkCached(ctx, customerID, loginID, t)
}

func (o observedStore) ScheduledLogins(ctx context.Context, q store.ScheduledQuery) (_ []*store.Login, err error) {
	defer func(start time.Time) { o.done("ScheduledLogins", start, err) }(time.Now())
	return o.st.ScheduledLogins(ctx, q)
}

func (o observedStore) DeleteLogin(ctx context.Context, customerID string, loginID string) (err error) {
	defer func(start time.Time) { o.done("DeleteLogin", start, err) }(time.Now())
	return o.st.DeleteLogin(ctx, customerID, loginID)
}

func (o observedStore) LoginFetching(ctx context.Context, customerID string, loginID string) (_ bool, err error) {
	defer func(start time.Time) { o.done("LoginFetching", start, err) }(time.Now())
	return o.st.LoginFetching(ctx, customerID, loginID)
}

func (o observedStore) Customer(ctx context.Context, id string) (_ *store.Customer, err error) {
	defer func(start time.Time) { o.done("Customer", start, err) }(time.Now())
	return o.st.Customer(ctx, id)
}

func (o observedStore) Customers(ctx context.Context) (_ []*store.Customer, err error) {
	defer func(start time.Time) { o.done("Customers", start, err) }(time.Now())
	return o.st.Customers(ctx)
}

func (o observedStore) CreateCustomer(ctx context.Context, c *store.Customer) (err error) {
	defer func(start time.Time) { o.done("CreateCustomer", start, err) }(time.Now())
	return o.st.CreateCustomer(ctx, c)
}

func (o observedStore) UpdateCustomer(ctx context.Context, c *store.Customer) (err error) {
	defer func(start time.Time) { o.done("UpdateCustomer", start, err) }(time.Now())
	return o.st.UpdateCustomer(ctx, c)
}

func (o observedStore) DeleteCustomer(ctx context.Context, id string) (err error) {
	defer func(start time.Time) { o.done("DeleteCustomer", start, err) }(time.Now())
	return o.st.DeleteCustomer(ctx, id)
}

func (o observedStore) CreateToken(ctx context.Context, t *store.AuthorizeToken) (err error) {
	defer func(start time.Time) { o.done("CreateToken", start, err) }(time.Now())
	return o.st.CreateToken(ctx, t)
}

func (o observedStore) Token(ctx context.Context, customerID string, hash []byte) (_ *store.AuthorizeToken, err error) {
	defer func(start time.Time) { o.done("Token", start, err) }(time.Now())
	return o.st.Token(ctx, customerID, hash)
}

func (o observedStore) UseToken(ctx context.Context, customerID string, hash []byte, now time.Time) (err error) {
	defer func(start time.Time) { o.done("UseToken", start, err) }(time.Now())
	return o.st.UseToken(ctx, customerID, hash, now)
}

func (o observedStore) BindToken(ctx context.Context, customerID string, hash []byte, requestID string) (err error) {
	defer func(start time.Time) { o.done("BindToken", start, err) }(time.Now())
	return o.st.BindToken(ctx, customerID, hash, requestID)
}

func (o observedStore) ReturnToken(ctx context.Context, customerID string, hash []byte, max int) (err error) {
	defer func(start time.Time) { o.done("ReturnToken", start, err) }(time.Now())
	return o.st.ReturnToken(ctx, customerID, hash, max)
}

func (o observedStore) DeleteTokensExpiredBefore(ctx context.Context, t time.Time) (_ int64, err error) {
	defer func(start time.Time) { o.done("DeleteTokensExpiredBefore", start, err) }(time.Now())
	return o.st.DeleteTokensExpiredBefore(ctx, t)
}

func (o observedStore) SealedValues(ctx context.Context, kind store.SealedKind, afterID string, limit int) (_ []store.SealedValue, err error) {
	defer func(start time.Time) { o.done("SealedValues", start, err) }(time.Now())
	return o.st.SealedValues(ctx, kind, afterID, limit)
}

func (o observedStore) ReplaceSealed(ctx context.Context, kind store.SealedKind, customerID string, id string, old []byte, new []byte) (_ bool, err error) {
	defer func(start time.Time) { o.done("ReplaceSealed", start, err) }(time.Now())
	return o.st.ReplaceSealed(ctx, kind, customerID, id, old, new)
}

func (o observedStore) SealedPrefixes(ctx context.Context, n int) (_ [][]byte, err error) {
	defer func(start time.Time) { o.done("SealedPrefixes", start, err) }(time.Now())
	return o.st.SealedPrefixes(ctx, n)
}

func (o observedStore) Webhook(ctx context.Context, customerID string) (_ *store.Webhook, err error) {
	defer func(start time.Time) { o.done("Webhook", start, err) }(time.Now())
	return o.st.Webhook(ctx, customerID)
}

func (o observedStore) Webhooks(ctx context.Context) (_ []*store.Webhook, err error) {
	defer func(start time.Time) { o.done("Webhooks", start, err) }(time.Now())
	return o.st.Webhooks(ctx)
}

func (o observedStore) PutWebhook(ctx context.Context, w *store.Webhook) (err error) {
	defer func(start time.Time) { o.done("PutWebhook", start, err) }(time.Now())
	return o.st.PutWebhook(ctx, w)
}

func (o observedStore) DeleteWebhook(ctx context.Context, customerID string) (err error) {
	defer func(start time.Time) { o.done("DeleteWebhook", start, err) }(time.Now())
	return o.st.DeleteWebhook(ctx, customerID)
}

func (o observedStore) CreateDelivery(ctx context.Context, d *store.Delivery) (err error) {
	defer func(start time.Time) { o.done("CreateDelivery", start, err) }(time.Now())
	return o.st.CreateDelivery(ctx, d)
}

func (o observedStore) Delivery(ctx context.Context, id string) (_ *store.Delivery, err error) {
	defer func(start time.Time) { o.done("Delivery", start, err) }(time.Now())
	return o.st.Delivery(ctx, id)
}

func (o observedStore) UpdateDelivery(ctx context.Context, d *store.Delivery) (err error) {
	defer func(start time.Time) { o.done("UpdateDelivery", start, err) }(time.Now())
	return o.st.UpdateDelivery(ctx, d)
}

func (o observedStore) Deliveries(ctx context.Context, q store.DeliveryQuery) (_ []*store.Delivery, err error) {
	defer func(start time.Time) { o.done("Deliveries", start, err) }(time.Now())
	return o.st.Deliveries(ctx, q)
}

func (o observedStore) RecordAttempt(ctx context.Context, a *store.DeliveryAttempt) (err error) {
	defer func(start time.Time) { o.done("RecordAttempt", start, err) }(time.Now())
	return o.st.RecordAttempt(ctx, a)
}

func (o observedStore) Attempts(ctx context.Context, deliveryID string) (_ []*store.DeliveryAttempt, err error) {
	defer func(start time.Time) { o.done("Attempts", start, err) }(time.Now())
	return o.st.Attempts(ctx, deliveryID)
}

func (o observedStore) PruneDeliveries(ctx context.Context, bodiesBefore time.Time, before time.Time) (_ int64, err error) {
	defer func(start time.Time) { o.done("PruneDeliveries", start, err) }(time.Now())
	return o.st.PruneDeliveries(ctx, bodiesBefore, before)
}

func (o observedStore) Enqueue(ctx context.Context, job store.Job) (err error) {
	defer func(start time.Time) { o.done("Enqueue", start, err) }(time.Now())
	return o.st.Enqueue(ctx, job)
}

func (o observedStore) PutSnapshot(ctx context.Context, customerID string, loginID string, fetchedAt time.Time, snap *connector.Snapshot) (err error) {
	defer func(start time.Time) { o.done("PutSnapshot", start, err) }(time.Now())
	return o.st.PutSnapshot(ctx, customerID, loginID, fetchedAt, snap)
}

func (o observedStore) ClockOffset(ctx context.Context) (_ time.Duration, _ bool, err error) {
	defer func(start time.Time) { o.done("ClockOffset", start, err) }(time.Now())
	return o.st.ClockOffset(ctx)
}

func (o observedStore) MoveClock(ctx context.Context, from, to time.Duration, wallNow time.Time) (err error) {
	defer func(start time.Time) { o.done("MoveClock", start, err) }(time.Now())
	return o.st.MoveClock(ctx, from, to, wallNow)
}

func (o observedStore) StartClock(ctx context.Context, offset time.Duration) (_ bool, err error) {
	defer func(start time.Time) { o.done("StartClock", start, err) }(time.Now())
	return o.st.StartClock(ctx, offset)
}

func (o observedStore) Reset(ctx context.Context, customerID string) (_ store.ResetCounts, err error) {
	defer func(start time.Time) { o.done("Reset", start, err) }(time.Now())
	return o.st.Reset(ctx, customerID)
}

func (o observedStore) SessionLogins(ctx context.Context, customerID string, ids []string) (_ map[string]string, err error) {
	defer func(start time.Time) { o.done("SessionLogins", start, err) }(time.Now())
	return o.st.SessionLogins(ctx, customerID, ids)
}

func (o observedStore) SessionView(ctx context.Context, customerID string, id string) (_ *store.SessionView, err error) {
	defer func(start time.Time) { o.done("SessionView", start, err) }(time.Now())
	return o.st.SessionView(ctx, customerID, id)
}

func (o observedStore) Snapshot(ctx context.Context, customerID string, loginID string, q store.SnapshotQuery) (_ *connector.Snapshot, _ time.Time, err error) {
	defer func(start time.Time) { o.done("Snapshot", start, err) }(time.Now())
	return o.st.Snapshot(ctx, customerID, loginID, q)
}
