package main

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"
)

// opTimeout bounds one operation of a workload: a live login polls for its
// data, which the server fetches within a second when it keeps up.
const opTimeout = 30 * time.Second

// worker is one of the concurrent clients of a run.
type worker struct {
	id   int
	api  *api
	poll time.Duration
	c    client
}

// cached is one operation of the cached workload: a cached Authorize of a
// saved login, then its accounts with 90 days of transactions.
func (w *worker) cached(ctx context.Context, loginID string) error {
	ar, _, err := w.api.authorize(ctx, &w.c, cachedBody(loginID), 200)
	if err != nil {
		return err
	}
	_, _, err = w.api.accountsDetail(ctx, &w.c, ar.RequestId, w.poll)
	return err
}

// live is one operation of the live workload: a live login with
// credentials, its one MFA round, then its accounts, polling while the
// server fetches them.
func (w *worker) live(ctx context.Context, user string) error {
	ar, _, err := w.api.authorize(ctx, &w.c, credentialsBody(user), 203)
	if err != nil {
		return err
	}
	if len(ar.SecurityChallenges) != 1 {
		return fmt.Errorf("/Authorize: %d challenges, want 1", len(ar.SecurityChallenges))
	}
	requestID := ar.RequestId
	if _, _, err := w.api.authorize(ctx, &w.c, answerBody(requestID, ar.SecurityChallenges[0].Prompt), 200); err != nil {
		return err
	}
	_, _, err = w.api.accountsDetail(ctx, &w.c, requestID, w.poll)
	return err
}

// opFunc is one operation of a workload: k counts the operations worker w
// began, so that a workload spreads them over the logins.
type opFunc func(ctx context.Context, w *worker, k int) error

// workloads are the operations of each workload over the provisioned
// logins: ids are the LoginIds of the users in order.
func workloads(ids []string, conc int) map[string]opFunc {
	// Worker w's k-th operation uses login (w + k*conc) mod n: the workers
	// take the logins in turn, never two at once while n >= conc.
	pick := func(w *worker, k int) int { return (w.id + k*conc) % len(ids) }
	cached := func(ctx context.Context, w *worker, k int) error { return w.cached(ctx, ids[pick(w, k)]) }
	live := func(ctx context.Context, w *worker, k int) error { return w.live(ctx, username(pick(w, k))) }
	return map[string]opFunc{
		"cached": cached,
		"live":   live,
		// One operation in ten is live, at a fixed place in each worker's
		// sequence, so every run mixes exactly the same way.
		"mixed": func(ctx context.Context, w *worker, k int) error {
			if (w.id+k)%10 == 9 {
				return live(ctx, w, k)
			}
			return cached(ctx, w, k)
		},
	}
}

// result is what a run measured.
type result struct {
	ops       int           // operations finished without error in the window
	errors    int           // operations that failed in the window
	window    time.Duration // the time measured
	latencies []time.Duration
	requests  []time.Duration // of each request of the operations counted
	firstErrs []string
}

func (r result) throughput() float64 { return float64(r.ops) / r.window.Seconds() }

// add merges s into r.
func (r *result) add(s result) {
	r.ops += s.ops
	r.errors += s.errors
	r.window += s.window
	r.latencies = append(r.latencies, s.latencies...)
	r.requests = append(r.requests, s.requests...)
	r.firstErrs = append(r.firstErrs, s.firstErrs...)
	r.firstErrs = r.firstErrs[:min(len(r.firstErrs), 5)]
}

// sort sorts the durations, for percentile.
func (r *result) sort() {
	slices.Sort(r.latencies)
	slices.Sort(r.requests)
}

// percentile returns the p-th percentile (0 < p <= 100) of sorted
// durations, nearest rank, in milliseconds.
func percentile(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(float64(len(sorted))*p/100)) - 1
	i = min(max(i, 0), len(sorted)-1)
	return float64(sorted[i].Microseconds()) / 1000
}

// drive runs conc workers through op for warmup then dur, and returns what
// it measured, unsorted. Only operations that finish within the measured
// window (the dur after warmup) count: their number over dur is the
// throughput, their durations the latencies. At the end of the window no
// operation is cut short: the workers stop beginning new ones, and those
// in flight finish uncounted, so that the server is idle when drive
// returns. measuring, if not nil, is called as the window opens.
func drive(ctx context.Context, a *api, poll time.Duration, conc int, warmup, dur time.Duration, op opFunc, measuring func()) result {
	begin := time.Now()
	open, end := begin.Add(warmup), begin.Add(warmup+dur)
	var (
		mu  sync.Mutex
		all = result{window: dur}
		wg  sync.WaitGroup
	)
	if measuring != nil {
		wg.Go(func() {
			t := time.NewTimer(time.Until(open))
			defer t.Stop()
			select {
			case <-t.C:
				measuring()
			case <-ctx.Done():
			}
		})
	}
	for id := range conc {
		wg.Go(func() {
			w := &worker{id: id, api: a, poll: poll}
			var mine result
			for k := 0; ctx.Err() == nil; k++ {
				start := time.Now()
				if !start.Before(end) {
					break
				}
				sent := len(w.c.took)
				octx, cancel := context.WithTimeout(ctx, opTimeout)
				err := op(octx, w, k)
				cancel()
				done := time.Now()
				if done.Before(open) || done.After(end) || ctx.Err() != nil {
					w.c.took = w.c.took[:sent]
					continue
				}
				if err != nil {
					w.c.took = w.c.took[:sent]
					mine.errors++
					if len(mine.firstErrs) < 5 {
						mine.firstErrs = append(mine.firstErrs, err.Error())
					}
					continue
				}
				mine.ops++
				mine.latencies = append(mine.latencies, done.Sub(start))
			}
			mine.requests = w.c.took
			mu.Lock()
			defer mu.Unlock()
			all.add(mine)
		})
	}
	wg.Wait()
	return all
}
