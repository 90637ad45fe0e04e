// Package webhooks pushes a login's data to its customer's endpoint, as
// Flinks does: after a fetch or a scheduled refresh, a KYC delivery and
// then a GetAccountsDetail delivery, each a signed POST of JSON. The
// deliveries are written in the transaction that stores the data (the
// refresh service's Notify hook), and sent by a durable job that retries
// on a schedule, records every attempt, and stops when the login is
// deleted.
package webhooks

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/accounts"
	"github.com/bankfeed/bankfeed/internal/institutions"
	"github.com/bankfeed/bankfeed/internal/refresh"
	"github.com/bankfeed/bankfeed/internal/secrets"
	"github.com/bankfeed/bankfeed/internal/session"
	"github.com/bankfeed/bankfeed/internal/store"
	"github.com/google/uuid"
)

// The types of delivery: the ResponseType of its body.
const (
	TypeKYC            = "KYC"
	TypeAccountsDetail = "GetAccountsDetail"
	// TypeTest is a delivery sent on request, to check an endpoint.
	TypeTest = "Test"
)

// Flinks' schedule, and the defaults of Config.
const (
	DefaultRetryInterval = 30 * time.Minute
	DefaultMaxAttempts   = 10
	DefaultTimeout       = 10 * time.Second
	// BodyRetention is how long a finished delivery keeps its body, for a
	// replay; LogRetention how long the delivery and its attempts stay in
	// the log.
	BodyRetention = 7 * 24 * time.Hour
	LogRetention  = 30 * 24 * time.Hour
)

// Config holds the dependencies and settings of a Service.
type Config struct {
	Store        store.Store
	Secrets      *secrets.Keeper
	Institutions *institutions.Registry
	Logger       *slog.Logger
	// Now is the application's clock; time.Now when nil.
	Now func() time.Time
	// StatusOf is the HTTP status of a FlinksCode, for the body of a
	// failure (httpapi.StatusOf).
	StatusOf func(flinks.Code) int
	// RetryInterval is the wait between attempts; MaxAttempts the attempts
	// of one delivery; Timeout bounds one attempt, the receiver's answer
	// included. Flinks' schedule when zero.
	RetryInterval time.Duration
	MaxAttempts   int
	Timeout       time.Duration
	// AllowPrivate lets deliveries reach loopback, link-local and private
	// addresses: sandbox mode, or --webhook-allow-private.
	AllowPrivate bool
	// Observe, when set, is told the outcome of each attempt of a delivery,
	// for the metrics: "delivered", "retrying" (not acknowledged, tried
	// again after RetryInterval) or "failed" (given up).
	Observe func(outcome string)
}

// Service configures endpoints, writes deliveries and sends them. It is
// safe for concurrent use.
type Service struct {
	cfg    Config
	log    *slog.Logger
	now    func() time.Time
	client *http.Client
}

// New returns a Service.
func New(cfg Config) *Service {
	if cfg.RetryInterval <= 0 {
		cfg.RetryInterval = DefaultRetryInterval
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	s := &Service{cfg: cfg, log: cfg.Logger, now: store.Clock(cfg.Now), client: newClient(cfg.AllowPrivate)}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// RetryInterval is the wait between two attempts of a delivery.
func (s *Service) RetryInterval() time.Duration { return s.cfg.RetryInterval }

// ErrNoWebhook is returned for a customer without a webhook endpoint.
var ErrNoWebhook = errors.New("the customer has no webhook URL")

// ErrNoDelivery is returned for a delivery ID that names none.
var ErrNoDelivery = errors.New("no such delivery")

// Configure sets the customer's webhook endpoint and returns its signing
// secret: secret, or a new random one when empty.
func (s *Service) Configure(ctx context.Context, customerID, url, secret string) (string, error) {
	url = strings.TrimSpace(url)
	if err := CheckURL(url, s.cfg.AllowPrivate); err != nil {
		return "", err
	}
	if secret == "" {
		secret = NewSecret()
	}
	now := s.now()
	w := &store.Webhook{CustomerID: customerID, URL: url, CreatedAt: now, UpdatedAt: now}
	if err := s.cfg.Secrets.SealWebhook(w, secret); err != nil {
		return "", err
	}
	if err := s.cfg.Store.PutWebhook(ctx, w); err != nil {
		return "", err
	}
	return secret, nil
}

// ConfigureKeeping is Configure, except that without a secret it keeps the
// endpoint's current one, if any: a server restarted with the same
// --sandbox-webhook-url keeps signing with the secret its receiver knows.
// made reports a new secret.
func (s *Service) ConfigureKeeping(ctx context.Context, customerID, url, secret string) (_ string, made bool, err error) {
	if secret == "" {
		w, err := s.cfg.Store.Webhook(ctx, customerID)
		switch {
		case err == nil:
			if secret, err = s.cfg.Secrets.OpenWebhook(w); err != nil {
				return "", false, err
			}
		case !errors.Is(err, store.ErrNotFound):
			return "", false, err
		default:
			made = true
		}
	}
	secret, err = s.Configure(ctx, customerID, url, secret)
	return secret, made, err
}

// Remove removes the customer's webhook endpoint; deliveries still pending
// then fail at their next attempt.
func (s *Service) Remove(ctx context.Context, customerID string) error {
	err := s.cfg.Store.DeleteWebhook(ctx, customerID)
	if errors.Is(err, store.ErrNotFound) {
		return ErrNoWebhook
	}
	return err
}

// DeliverJob is the durable job that sends deliveries in order: the KYC
// delivery, then the GetAccountsDetail one. Its JSON names the login, so
// that DeleteCard takes the job with the login.
type DeliverJob struct {
	CustomerID string   `json:"customer_id"`
	LoginID    string   `json:"login_id,omitempty"`
	Deliveries []string `json:"deliveries"`
	// Base is the attempts each delivery had before this job: a replay
	// gets a whole schedule of its own.
	Base int `json:"base,omitempty"`
	// MaxAttempts is each delivery's attempts, as configured when the job
	// was written.
	MaxAttempts int `json:"max_attempts"`
}

// Kind names the job for the jobs engine.
func (DeliverJob) Kind() string { return "webhook" }

// Notify writes the deliveries that report ev, if its customer has a
// webhook endpoint, and enqueues the job that sends them. It runs in the
// transaction that records ev (refresh.Config.Notify).
func (s *Service) Notify(ctx context.Context, q store.Queries, ev refresh.Event) error {
	w, err := q.Webhook(ctx, ev.CustomerID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	login, err := q.Login(ctx, ev.CustomerID, ev.LoginID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	bodies, err := s.bodies(ctx, q, login, ev)
	if err != nil {
		return err
	}
	job := DeliverJob{CustomerID: ev.CustomerID, LoginID: ev.LoginID, MaxAttempts: s.cfg.MaxAttempts}
	for _, b := range bodies {
		d := &store.Delivery{ID: uuid.NewString(), CustomerID: ev.CustomerID, LoginID: ev.LoginID, RequestID: ev.RequestID,
			Type: b.typ, URL: w.URL, Body: b.json, State: store.DeliveryPending, CreatedAt: ev.At, UpdatedAt: ev.At}
		if err := q.CreateDelivery(ctx, d); err != nil {
			return err
		}
		job.Deliveries = append(job.Deliveries, d.ID)
	}
	return q.Enqueue(ctx, job)
}

type body struct {
	typ  string
	json []byte
}

// kycBody is the body of a KYC delivery: the holder as soon as it is known
// (reference: docs.flinks.com/reference/kyc).
type kycBody struct {
	ResponseType    string           `json:"ResponseType"`
	HttpStatusCode  int              `json:"HttpStatusCode"`
	Holders         []*flinks.Holder `json:"Holders"`
	Login           *flinks.Login    `json:"Login"`
	InstitutionName string           `json:"InstitutionName"`
	InstitutionId   int              `json:"InstitutionId"`
	Institution     string           `json:"Institution"`
	LoginId         string           `json:"LoginId"`
	RequestId       string           `json:"RequestId"`
	Tag             string           `json:"Tag,omitempty"`
}

// detailBody is the body of a GetAccountsDetail delivery: the 200 of
// GetAccountsDetail with its default options, and the ResponseType and
// LoginId.
type detailBody struct {
	ResponseType string `json:"ResponseType"`
	*flinks.AccountsDetailResponse
	LoginId string `json:"LoginId"`
}

// failureBody is the body of a GetAccountsDetail delivery reporting a
// failure: what GetAccountsDetail answers for it.
type failureBody struct {
	ResponseType string `json:"ResponseType"`
	*flinks.Error
	LoginId string `json:"LoginId"`
}

// bodies builds the deliveries that report ev.
func (s *Service) bodies(ctx context.Context, q store.Queries, login *store.Login, ev refresh.Event) ([]body, error) {
	inst := institutionOf(s.cfg.Institutions, login.Institution)
	if ev.Code != "" {
		fe := failure(ev)
		fe.HttpStatusCode = s.cfg.StatusOf(fe.FlinksCode)
		fe.Institution = inst.Name
		b, err := json.Marshal(failureBody{ResponseType: TypeAccountsDetail, Error: fe, LoginId: login.ID})
		return []body{{TypeAccountsDetail, b}}, err
	}
	opts, err := accounts.Parse(&flinks.DataRequest{}, ev.At)
	if err != nil {
		return nil, err
	}
	snap, _, err := q.Snapshot(ctx, login.CustomerID, login.ID, opts.Query)
	if err != nil {
		return nil, err
	}
	fl := accounts.Login(login)
	kyc, err := json.Marshal(kycBody{
		ResponseType: TypeKYC, HttpStatusCode: 200, Holders: []*flinks.Holder{accounts.Holder(snap)}, Login: fl,
		InstitutionName: inst.Name, InstitutionId: inst.ID, Institution: inst.Name, LoginId: login.ID, RequestId: ev.RequestID, Tag: ev.Tag,
	})
	if err != nil {
		return nil, err
	}
	detail, err := json.Marshal(detailBody{ResponseType: TypeAccountsDetail, LoginId: login.ID,
		AccountsDetailResponse: &flinks.AccountsDetailResponse{
			HttpStatusCode: 200, Accounts: accounts.Detail(snap, opts), InstitutionName: inst.Name, Login: fl,
			InstitutionId: inst.ID, Institution: inst.Name, RequestId: ev.RequestID, Tag: ev.Tag,
		}})
	if err != nil {
		return nil, err
	}
	return []body{{TypeKYC, kyc}, {TypeAccountsDetail, detail}}, nil
}

// failure is the error GetAccountsDetail answers for the failure ev
// reports: for a fetch, what a data call on its RequestId gets, from the
// session machine's one rule; for a refresh, the code the next cached
// Authorize replays.
func failure(ev refresh.Event) *flinks.Error {
	if !ev.Refresh {
		m := session.Machine{State: session.Authorized, Fetch: session.FetchFailed, FetchCode: ev.Code, LastRequest: ev.At}
		var fe *flinks.Error
		if _, err := session.Step(m, session.Read, ev.At, session.Rules{}); errors.As(err, &fe) {
			fe.RequestId, fe.Tag = ev.RequestID, ev.Tag
			return fe
		}
	}
	return &flinks.Error{FlinksCode: ev.Code, RequestId: ev.RequestID, Tag: ev.Tag,
		Message: "The scheduled refresh of this login failed with " + string(ev.Code) +
			": its user must log in again (a live Authorize) before it is refreshed again."}
}

// institutionOf is the institution of a login, by name; the name alone
// when no connector serves it any more.
func institutionOf(reg *institutions.Registry, name string) connector.Institution {
	if reg != nil {
		if e, ok := reg.Lookup(name); ok {
			return e.Inst
		}
	}
	return connector.Institution{Name: name}
}
