// Package refresh holds the rules of the scheduled (nightly) refresh of
// saved logins (reference section 11): which logins are eligible, when in
// the night each one runs, the pass that plans them, and the report of the
// ineligible ones that GetNightlyRefreshStatus answers.
//
// Service runs the work that reaches a bank with nobody waiting on the
// request: the fetch that follows a live Authorize (FetchJob) and the
// scheduled refresh of one login (Job). Package jobs runs both, and the
// pass that plans the refreshes, as durable jobs, the pass on one process
// only.
package refresh

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/store"
)

// Job refreshes one login. Its JSON names the login and the customer, so
// that DeleteCard and the removal of a customer take it with them.
type Job struct {
	CustomerID string `json:"customer_id"`
	LoginID    string `json:"login_id"`
	// Pass is the id of the plan job that inserted it: the same login
	// appears once per pass.
	Pass int64 `json:"pass"`
}

// Kind names the job for the jobs engine.
func (Job) Kind() string { return "refresh" }

// PlanJob plans a pass: it inserts a Job for every eligible login, spread
// over the window from when it runs.
type PlanJob struct {
	// WindowSeconds is the length of the window; 0 runs every refresh at
	// once (bankfeed refresh --now).
	WindowSeconds int64 `json:"window_s"`
	// StartMicros, when set, is the pass's start in unix microseconds on
	// the application's clock, in the past: the pass of a night that a
	// jump of the virtual clock went past, run as it would have been, its
	// refreshes due by now at once. Zero starts the pass when it runs.
	StartMicros int64 `json:"start_us,omitempty"`
}

// Kind names the job for the jobs engine.
func (PlanJob) Kind() string { return "refresh_plan" }

// Window returns the pass's window.
func (p PlanJob) Window() time.Duration { return time.Duration(p.WindowSeconds) * time.Second }

// Reason says why a login is not refreshed; Eligible when it is.
type Reason string

// The reasons, by the rules of reference section 11 and bankfeed's own.
const (
	Eligible Reason = ""
	// NotScheduled: scheduled refresh is off, or the login keeps no
	// credentials to log in with.
	NotScheduled Reason = "not scheduled"
	// TwoStep: the bank asks a one-time challenge at each login (a
	// SecurID, a texted code, a device approval); only the user can pass
	// it.
	TwoStep Reason = "two-step"
	// LastRefreshFailed: the last live login or refresh failed with a code
	// that needs someone to act (a changed password, a question without a
	// stored answer, ...).
	LastRefreshFailed Reason = "last refresh failed"
	// NoRecentSuccess: no successful refresh in MaxAge.
	NoRecentSuccess Reason = "no recent success"
	// NoRecentRead: nobody reopened the login from cache in MaxAge, and it
	// was saved longer ago than that: its data is not read any more.
	NoRecentRead Reason = "no recent cached call"
)

// MaxAge is how old a login's last successful refresh, and its last cached
// call, may be for it to stay eligible.
const MaxAge = 7 * 24 * time.Hour

// tolerated are the FlinksCodes of a last refresh that keep a login
// eligible: failures of the bank or of the session, not of the login
// (reference section 11, spelled as listed there).
var tolerated = map[string]bool{
	"":                                     true,
	string(flinks.CodeRetryLater):          true,
	string(flinks.CodeAggregationError):    true,
	string(flinks.CodeSessionExpired):      true,
	string(flinks.CodeDisabledInstitution): true,
	string(flinks.CodeUnauthorized):        true,
	string(flinks.CodeSessionNonexistent):  true,
	"BANK MAINTENANCE_RETRY_LATER":         true,
}

// Check returns whether the login is refreshed by a pass at now, and if
// not, why. webhook tells that the login's customer has a webhook
// endpoint: its data is pushed, not read, so the rule of a recent cached
// call is waived, as Flinks waives it for webhook integrations.
func Check(l *store.Login, now time.Time, webhook bool) Reason {
	switch {
	case !l.Saved || !l.ScheduledRefresh:
		return NotScheduled
	case l.TwoStep:
		return TwoStep
	case !tolerated[l.LastRefreshCode]:
		return LastRefreshFailed
	case l.LastRefresh.IsZero() || now.Sub(l.LastRefresh) > MaxAge:
		return NoRecentSuccess
	case !webhook && now.Sub(l.LastCached) > MaxAge && now.Sub(l.CreatedAt) > MaxAge:
		// A login saved less than MaxAge ago counts as read: its client has
		// had no reason to reopen it from cache yet.
		return NoRecentRead
	}
	return Eligible
}

// Refresh states of GetNightlyRefreshStatus.
const (
	StateCompleted         = "Completed"
	StateAnsweringSecurity = "AnsweringSecurityChallenge"
	StateError             = "Error"
)

// Card returns the login as GetNightlyRefreshStatus lists it: when it was
// last refreshed or tried, and how that ended. A login that needs its user
// (two-step, or a question no stored answer passes) is
// AnsweringSecurityChallenge.
func Card(l *store.Login) flinks.IneligibleCard {
	c := flinks.IneligibleCard{LoginId: l.ID, LastRefreshState: StateCompleted}
	last := l.LastAttempt
	if last.IsZero() {
		last = l.LastRefresh
	}
	if !last.IsZero() {
		v := last.UTC().Format(flinks.TimeLayout)
		c.LastRefreshDate = &v
	}
	if l.LastRefreshCode != "" {
		code := l.LastRefreshCode
		c.LastRefreshErrorCode = &code
		c.LastRefreshState = StateError
	}
	if l.TwoStep || l.LastRefreshCode == string(flinks.CodeQuestionNotFound) {
		c.LastRefreshState = StateAnsweringSecurity
	}
	return c
}

// Offset returns when in a window of the given length the login's refresh
// runs: a hash of its id, so that a pass spreads its logins evenly over
// the window rather than starting them all at once, and a login runs at
// about the same time every night.
func Offset(loginID string, window time.Duration) time.Duration {
	if window <= 0 {
		return 0
	}
	h := fnv.New64a()
	h.Write([]byte(loginID))
	// The top 53 bits as a fraction of the window, exactly representable.
	frac := float64(h.Sum64()>>11) / float64(uint64(1)<<53)
	return time.Duration(frac * float64(window))
}

// Schedule is when the nightly pass starts each day, and how long the
// window it spreads the refreshes over is. It implements River's
// PeriodicSchedule.
type Schedule struct {
	// At is the time of day the pass starts, from midnight UTC.
	At     time.Duration
	Window time.Duration
}

// ParseTimeOfDay reads a time of day "HH:MM" (UTC).
func ParseTimeOfDay(s string) (time.Duration, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, herr := strconv.Atoi(h)
	mm, merr := strconv.Atoi(m)
	if !ok || herr != nil || merr != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 || len(m) != 2 {
		return 0, fmt.Errorf("%q is not a time of day HH:MM (UTC), such as 04:00", s)
	}
	return time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute, nil
}

// Next returns the first start of the pass strictly after t.
func (s Schedule) Next(t time.Time) time.Time {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	next := day.Add(s.At)
	if !next.After(t) {
		next = day.AddDate(0, 0, 1).Add(s.At)
	}
	return next
}

// Last returns the latest start of the pass after from and at or before
// to, and false when none is: the night a jump of the clock from from to
// to went past. Of several nights passed at once only the last one's pass
// runs: the earlier ones would refresh the same logins at the same moment.
func (s Schedule) Last(from, to time.Time) (time.Time, bool) {
	next := s.Next(from)
	if next.After(to) {
		return time.Time{}, false
	}
	for {
		after := s.Next(next)
		if after.After(to) {
			return next, true
		}
		next = after
	}
}

// Planned is a refresh a pass plans: a login and when it runs.
type Planned struct {
	CustomerID, LoginID string
	At                  time.Time
}

// PassPlan counts what a pass planned.
type PassPlan struct {
	Planned    int `json:"planned"`
	Ineligible int `json:"ineligible"`
}

// pageSize is how many logins a pass reads, and plans, at a time.
const pageSize = 500

// Plan walks every login with scheduled refresh on, and calls insert with
// each page of the eligible ones, each at start plus its Offset in window.
func Plan(ctx context.Context, st store.Store, start time.Time, window time.Duration, insert func([]Planned) error) (PassPlan, error) {
	var plan PassPlan
	hooked, err := webhookCustomers(ctx, st)
	if err != nil {
		return plan, err
	}
	after := ""
	for {
		page, err := st.ScheduledLogins(ctx, store.ScheduledQuery{AfterID: after, Limit: pageSize})
		if err != nil {
			return plan, err
		}
		if len(page) == 0 {
			return plan, nil
		}
		after = page[len(page)-1].ID
		planned := make([]Planned, 0, len(page))
		for _, l := range page {
			if Check(l, start, hooked[l.CustomerID]) != Eligible {
				plan.Ineligible++
				continue
			}
			planned = append(planned, Planned{CustomerID: l.CustomerID, LoginID: l.ID, At: start.Add(Offset(l.ID, window))})
		}
		if len(planned) > 0 {
			if err := insert(planned); err != nil {
				return plan, err
			}
		}
		plan.Planned += len(planned)
	}
}

// Status answers GetNightlyRefreshStatus: the customer's logins with
// scheduled refresh on that a pass at now would skip.
func Status(ctx context.Context, q store.Queries, customerID string, now time.Time) ([]flinks.IneligibleCard, error) {
	cards := []flinks.IneligibleCard{}
	_, err := q.Webhook(ctx, customerID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	hooked := err == nil
	after := ""
	for {
		page, err := q.ScheduledLogins(ctx, store.ScheduledQuery{CustomerID: customerID, AfterID: after, Limit: pageSize})
		if err != nil {
			return nil, err
		}
		if len(page) == 0 {
			return cards, nil
		}
		after = page[len(page)-1].ID
		for _, l := range page {
			if Check(l, now, hooked) != Eligible {
				cards = append(cards, Card(l))
			}
		}
	}
}

// webhookCustomers is the set of customers with a webhook endpoint.
func webhookCustomers(ctx context.Context, q store.Queries) (map[string]bool, error) {
	ws, err := q.Webhooks(ctx)
	if err != nil {
		return nil, err
	}
	set := make(map[string]bool, len(ws))
	for _, w := range ws {
		set[w.CustomerID] = true
	}
	return set, nil
}

// PassOutcomes counts how the refreshes of a pass ended.
type PassOutcomes struct {
	Refreshed int
	// NeedUser counts logins the bank asked what only their user can
	// answer (QUESTION_NOT_FOUND).
	NeedUser int
	// Failed counts the other failures.
	Failed int
}

// Outcomes counts the outcomes of the refreshes tried since t, from the
// logins with scheduled refresh on.
func Outcomes(ctx context.Context, st store.Store, since time.Time) (PassOutcomes, error) {
	var out PassOutcomes
	after := ""
	for {
		page, err := st.ScheduledLogins(ctx, store.ScheduledQuery{AfterID: after, Limit: pageSize})
		if err != nil || len(page) == 0 {
			return out, err
		}
		after = page[len(page)-1].ID
		for _, l := range page {
			switch {
			case l.LastAttempt.Before(since):
			case l.LastRefreshCode == "":
				out.Refreshed++
			case l.LastRefreshCode == string(flinks.CodeQuestionNotFound):
				out.NeedUser++
			default:
				out.Failed++
			}
		}
	}
}
