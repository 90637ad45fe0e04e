package webhooks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/bankfeed/bankfeed/internal/store"
	"github.com/google/uuid"
)

// maxResponseBody is how much of a receiver's answer is read: enough for
// an error message in the log, not enough to fill memory.
const maxResponseBody = 4 << 10

// ErrNotAcknowledged is returned by Deliver when a delivery failed and has attempts
// left: the job is tried again after the retry interval.
var ErrNotAcknowledged = errors.New("webhooks: the receiver did not acknowledge the delivery")

// Deliver runs a DeliverJob: it sends each of its deliveries still
// pending, in order, recording every attempt. A delivery that fails with
// attempts left stops the job with an error, to be tried again after the
// retry interval; one that has used them all is marked failed, and the
// next is sent. Deliveries deleted meanwhile (with their login) are
// skipped.
func (s *Service) Deliver(ctx context.Context, job DeliverJob) error {
	max := job.MaxAttempts
	if max <= 0 {
		max = s.cfg.MaxAttempts
	}
	for _, id := range job.Deliveries {
		d, err := s.cfg.Store.Delivery(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if d.State != store.DeliveryPending || d.CustomerID != job.CustomerID {
			continue
		}
		a, final, err := s.attempt(ctx, d)
		if err != nil {
			return err
		}
		d.Attempts, d.UpdatedAt = a.Attempt, s.now()
		switch {
		case a.Error == "":
			d.State = store.DeliveryDelivered
		case final || d.Attempts-job.Base >= max:
			d.State = store.DeliveryFailed
		}
		if err := s.cfg.Store.UpdateDelivery(ctx, d); errors.Is(err, store.ErrNotFound) {
			continue // deleted while it was sent
		} else if err != nil {
			return err
		}
		s.observe(d.State)
		if d.State == store.DeliveryPending {
			return fmt.Errorf("%w: delivery %s, attempt %d: %s", ErrNotAcknowledged, d.ID, a.Attempt, a.Error)
		}
		if d.State == store.DeliveryFailed {
			s.log.Warn("webhook delivery failed for good", "delivery", d.ID, "customer", d.CustomerID, "attempts", d.Attempts,
				"err", a.Error)
		}
	}
	return nil
}

// observe passes the state a delivery is left in by an attempt to
// Config.Observe, as its outcome.
func (s *Service) observe(state string) {
	if s.cfg.Observe == nil {
		return
	}
	switch state {
	case store.DeliveryDelivered:
		s.cfg.Observe("delivered")
	case store.DeliveryFailed:
		s.cfg.Observe("failed")
	default:
		s.cfg.Observe("retrying")
	}
}

// attempt sends a delivery once, to the customer's endpoint as it is now
// (a URL fixed since the delivery was written is used), and records the
// attempt. final reports a failure no later attempt can mend: the
// customer's webhook removed, the body pruned.
func (s *Service) attempt(ctx context.Context, d *store.Delivery) (a *store.DeliveryAttempt, final bool, err error) {
	a = &store.DeliveryAttempt{DeliveryID: d.ID, CustomerID: d.CustomerID, LoginID: d.LoginID, Attempt: d.Attempts + 1,
		At: s.now(), URL: d.URL}
	w, err := s.cfg.Store.Webhook(ctx, d.CustomerID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		a.Error, final = "the customer has no webhook URL any more", true
	case err != nil:
		return nil, false, err
	case d.Body == nil:
		a.Error, final = "the body is no longer kept", true
	default:
		a.URL = w.URL
		secret, err := s.cfg.Secrets.OpenWebhook(w)
		if err != nil {
			return nil, false, err
		}
		start := time.Now()
		a.Status, a.Error = s.send(ctx, w.URL, secret, d, a.Attempt)
		a.Duration = time.Since(start)
	}
	if err := s.cfg.Store.RecordAttempt(ctx, a); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, false, err
	}
	return a, final, nil
}

// send POSTs the delivery's body, signed, and returns the receiver's
// status and, unless it is a 2xx, what went wrong. The timeout covers the
// whole exchange, the receiver's body included, which is read only up to
// maxResponseBody.
func (s *Service) send(ctx context.Context, url, secret string, d *store.Delivery, attempt int) (int, string) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(d.Body))
	if err != nil {
		return 0, err.Error()
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "bankfeed-webhooks/1")
	req.Header.Set(SignatureHeader, Sign(secret, d.Body))
	req.Header.Set(DeliveryHeader, d.ID)
	req.Header.Set(AttemptHeader, strconv.Itoa(attempt))
	resp, err := s.client.Do(req)
	if err != nil {
		if ctx.Err() == context.DeadlineExceeded {
			return 0, fmt.Sprintf("no answer within %v", s.cfg.Timeout)
		}
		return 0, err.Error()
	}
	defer resp.Body.Close()
	// The status is the acknowledgement; the body is read for the log, and
	// drained a little more so the connection can be reused (a receiver
	// that sends more than that loses it).
	head, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
	io.CopyN(io.Discard, resp.Body, 64<<10)
	if ctx.Err() == context.DeadlineExceeded {
		return resp.StatusCode, fmt.Sprintf("the answer did not end within %v", s.cfg.Timeout)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		msg := fmt.Sprintf("HTTP %d", resp.StatusCode)
		if loc := resp.Header.Get("Location"); loc != "" {
			msg += " (redirects are not followed)"
		} else if len(head) > 0 {
			msg += ": " + printable(head, 200)
		}
		return resp.StatusCode, msg
	}
	return resp.StatusCode, ""
}

// printable is b as text, cut at n bytes, for a log.
func printable(b []byte, n int) string {
	if len(b) > n {
		b = b[:n]
	}
	return string(bytes.ToValidUTF8(bytes.TrimSpace(b), []byte("?")))
}

// ErrNoBody is the refusal to replay a delivery whose body was pruned.
var ErrNoBody = fmt.Errorf("its body is no longer kept (deliveries keep theirs for %v)", BodyRetention)

// Replay sends a delivery again, with the same ID and body, on a schedule
// of its own. The delivery may be of any state; its body must still be
// kept (BodyRetention).
func (s *Service) Replay(ctx context.Context, id string) (*store.Delivery, error) {
	var out *store.Delivery
	err := store.RetryConflict(func() error {
		return s.cfg.Store.InTx(ctx, func(q store.Queries) error {
			d, err := q.Delivery(ctx, id)
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("%w %q", ErrNoDelivery, id)
			}
			if err != nil {
				return err
			}
			if d.Body == nil {
				return fmt.Errorf("delivery %s: %w", id, ErrNoBody)
			}
			d.State, d.UpdatedAt = store.DeliveryPending, s.now()
			if err := q.UpdateDelivery(ctx, d); err != nil {
				return err
			}
			out = d
			return q.Enqueue(ctx, DeliverJob{CustomerID: d.CustomerID, LoginID: d.LoginID, Deliveries: []string{d.ID},
				Base: d.Attempts, MaxAttempts: s.cfg.MaxAttempts})
		})
	})
	return out, err
}

// testBody is the body of a test delivery.
type testBody struct {
	ResponseType   string `json:"ResponseType"`
	HttpStatusCode int    `json:"HttpStatusCode"`
	CustomerId     string `json:"CustomerId"`
	Message        string `json:"Message"`
	SentAt         string `json:"SentAt"`
}

// Test writes a signed test delivery to the customer's endpoint and
// enqueues it: it is sent by the job workers, like every other.
func (s *Service) Test(ctx context.Context, customerID string) (*store.Delivery, error) {
	w, err := s.cfg.Store.Webhook(ctx, customerID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoWebhook
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	b, err := json.Marshal(testBody{ResponseType: TypeTest, HttpStatusCode: 200, CustomerId: customerID,
		Message: "A test delivery from bankfeed: verify its flinks-authenticity-key and answer 2xx.",
		SentAt:  now.Format(time.RFC3339)})
	if err != nil {
		return nil, err
	}
	d := &store.Delivery{ID: uuid.NewString(), CustomerID: customerID, Type: TypeTest, URL: w.URL, Body: b,
		State: store.DeliveryPending, CreatedAt: now, UpdatedAt: now}
	err = s.cfg.Store.InTx(ctx, func(q store.Queries) error {
		if err := q.CreateDelivery(ctx, d); err != nil {
			return err
		}
		return q.Enqueue(ctx, DeliverJob{CustomerID: customerID, Deliveries: []string{d.ID}, MaxAttempts: s.cfg.MaxAttempts})
	})
	return d, err
}

// Entry is a delivery with its attempts, as the log shows it.
type Entry struct {
	*store.Delivery
	Attempts []*store.DeliveryAttempt
}

// List reads the log: deliveries newest first, each with its attempts.
func (s *Service) List(ctx context.Context, q store.DeliveryQuery) ([]Entry, error) {
	var out []Entry
	err := s.cfg.Store.ReadTx(ctx, func(rq store.Queries) error {
		ds, err := rq.Deliveries(ctx, q)
		if err != nil {
			return err
		}
		out = make([]Entry, 0, len(ds))
		for _, d := range ds {
			as, err := rq.Attempts(ctx, d.ID)
			if err != nil {
				return err
			}
			out = append(out, Entry{Delivery: d, Attempts: as})
		}
		return nil
	})
	return out, err
}

// Get reads one delivery with its attempts.
func (s *Service) Get(ctx context.Context, id string) (Entry, error) {
	var e Entry
	err := s.cfg.Store.ReadTx(ctx, func(q store.Queries) error {
		d, err := q.Delivery(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("%w %q", ErrNoDelivery, id)
		}
		if err != nil {
			return err
		}
		as, err := q.Attempts(ctx, id)
		e = Entry{Delivery: d, Attempts: as}
		return err
	})
	return e, err
}

// Sweep drops the bodies of deliveries past BodyRetention and deletes
// deliveries past LogRetention: a periodic sweep.
func (s *Service) Sweep(ctx context.Context) error {
	now := s.now()
	_, err := s.cfg.Store.PruneDeliveries(ctx, now.Add(-BodyRetention), now.Add(-LogRetention))
	return err
}
