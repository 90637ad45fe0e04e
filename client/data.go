package client

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/bankfeed/bankfeed/flinks"
)

// The data endpoints answer 202 (an *Error with FlinksCode
// OPERATION_PENDING or OPERATION_DISPATCHED) while the session's data is
// being collected; Pending tells such an error apart, and the *Async
// methods, or Poll, continue the call.

// Pending reports whether err is a 202: the data is not ready yet, and the
// *Async twin of the call will bring it.
func Pending(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.StatusCode == http.StatusAccepted
}

// AccountsDetail calls GetAccountsDetail.
func (c *Client) AccountsDetail(ctx context.Context, req flinks.DataRequest) (*flinks.AccountsDetailResponse, error) {
	var out flinks.AccountsDetailResponse
	return &out, c.do(ctx, http.MethodPost, "GetAccountsDetail", nil, req, &out)
}

// AccountsDetailAsync calls GetAccountsDetailAsync, which continues a
// GetAccountsDetail answered 202 with that call's options.
func (c *Client) AccountsDetailAsync(ctx context.Context, requestID string) (*flinks.AccountsDetailResponse, error) {
	var out flinks.AccountsDetailResponse
	return &out, c.do(ctx, http.MethodGet, "GetAccountsDetailAsync/"+url.PathEscape(requestID), nil, nil, &out)
}

// AccountsSummary calls GetAccountsSummary.
func (c *Client) AccountsSummary(ctx context.Context, req flinks.DataRequest) (*flinks.AccountsSummaryResponse, error) {
	var out flinks.AccountsSummaryResponse
	return &out, c.do(ctx, http.MethodPost, "GetAccountsSummary", nil, req, &out)
}

// AccountsSummaryAsync calls GetAccountsSummaryAsync.
func (c *Client) AccountsSummaryAsync(ctx context.Context, requestID string) (*flinks.AccountsSummaryResponse, error) {
	var out flinks.AccountsSummaryResponse
	return &out, c.do(ctx, http.MethodGet, "GetAccountsSummaryAsync/"+url.PathEscape(requestID), nil, nil, &out)
}

// Statements calls GetStatements.
func (c *Client) Statements(ctx context.Context, req flinks.DataRequest) (*flinks.StatementsResponse, error) {
	var out flinks.StatementsResponse
	return &out, c.do(ctx, http.MethodPost, "GetStatements", nil, req, &out)
}

// StatementsAsync calls GetStatementsAsync.
func (c *Client) StatementsAsync(ctx context.Context, requestID string) (*flinks.StatementsResponse, error) {
	var out flinks.StatementsResponse
	return &out, c.do(ctx, http.MethodGet, "GetStatementsAsync/"+url.PathEscape(requestID), nil, nil, &out)
}

// DeleteCard removes a saved login and everything about it, and returns the
// API's message.
func (c *Client) DeleteCard(ctx context.Context, loginID string) (string, error) {
	var out flinks.MessageResponse
	err := c.do(ctx, http.MethodDelete, "DeleteCard/"+url.PathEscape(loginID), nil, nil, &out)
	return out.Message, err
}

// AuthorizeMultiple opens cached sessions over several saved logins.
func (c *Client) AuthorizeMultiple(ctx context.Context, loginIDs []string) (*flinks.AuthorizeMultipleResponse, error) {
	cached := flinks.Bool(true)
	var out flinks.AuthorizeMultipleResponse
	return &out, c.do(ctx, http.MethodPost, "AuthorizeMultiple", nil,
		flinks.AuthorizeMultipleRequest{LoginIds: loginIDs, MostRecentCached: &cached}, &out)
}

// PollOption configures Poll.
type PollOption func(*pollConfig)

type pollConfig struct {
	interval time.Duration
	deadline time.Duration
}

// PollInterval sets how long Poll waits between two calls of the *Async
// endpoint; 10 seconds by default, as Flinks asks.
func PollInterval(d time.Duration) PollOption { return func(p *pollConfig) { p.interval = d } }

// PollDeadline sets how long Poll tries before it gives up; 30 minutes by
// default, as Flinks asks. ctx's own deadline also applies.
func PollDeadline(d time.Duration) PollOption { return func(p *pollConfig) { p.deadline = d } }

// Poll makes a data call and, while the API answers 202, polls its *Async
// twin until the data is ready:
//
//	detail, err := client.Poll(ctx, func(ctx context.Context) (*flinks.AccountsDetailResponse, error) {
//		return c.AccountsDetail(ctx, req)
//	}, func(ctx context.Context) (*flinks.AccountsDetailResponse, error) {
//		return c.AccountsDetailAsync(ctx, req.RequestId)
//	})
//
// It returns the first answer that is not a 202: the data, or an error. Past
// the deadline it returns the last 202's *Error wrapped with
// context.DeadlineExceeded.
func Poll[T any](ctx context.Context, call, async func(context.Context) (T, error), opts ...PollOption) (T, error) {
	cfg := pollConfig{interval: 10 * time.Second, deadline: 30 * time.Minute}
	for _, o := range opts {
		o(&cfg)
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.deadline)
	defer cancel()
	out, err := call(ctx)
	for Pending(err) {
		pending := err
		t := time.NewTimer(cfg.interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return out, errors.Join(pending, ctx.Err())
		case <-t.C:
		}
		if out, err = async(ctx); err != nil && ctx.Err() != nil {
			// The deadline cut the poll short: what the caller needs to
			// know is that the data was still pending.
			return out, errors.Join(pending, ctx.Err())
		}
	}
	return out, err
}

// AccountsDetailReady calls GetAccountsDetail and polls
// GetAccountsDetailAsync until the data is ready.
func (c *Client) AccountsDetailReady(ctx context.Context, req flinks.DataRequest, opts ...PollOption) (*flinks.AccountsDetailResponse, error) {
	return Poll(ctx,
		func(ctx context.Context) (*flinks.AccountsDetailResponse, error) { return c.AccountsDetail(ctx, req) },
		func(ctx context.Context) (*flinks.AccountsDetailResponse, error) {
			return c.AccountsDetailAsync(ctx, req.RequestId)
		}, opts...)
}

// AccountsSummaryReady calls GetAccountsSummary and polls
// GetAccountsSummaryAsync until the data is ready.
func (c *Client) AccountsSummaryReady(ctx context.Context, req flinks.DataRequest, opts ...PollOption) (*flinks.AccountsSummaryResponse, error) {
	return Poll(ctx,
		func(ctx context.Context) (*flinks.AccountsSummaryResponse, error) { return c.AccountsSummary(ctx, req) },
		func(ctx context.Context) (*flinks.AccountsSummaryResponse, error) {
			return c.AccountsSummaryAsync(ctx, req.RequestId)
		}, opts...)
}

// StatementsReady calls GetStatements and polls GetStatementsAsync until
// the statements are ready.
func (c *Client) StatementsReady(ctx context.Context, req flinks.DataRequest, opts ...PollOption) (*flinks.StatementsResponse, error) {
	return Poll(ctx,
		func(ctx context.Context) (*flinks.StatementsResponse, error) { return c.Statements(ctx, req) },
		func(ctx context.Context) (*flinks.StatementsResponse, error) {
			return c.StatementsAsync(ctx, req.RequestId)
		},
		opts...)
}
