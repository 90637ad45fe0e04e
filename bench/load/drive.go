package main

import (
	"bytes"
	"context"
	"fmt"
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
	buf  bytes.Buffer
}

// cached is one operation of the cached workload: a cached Authorize of a
// saved login, then its accounts with 90 days of transactions. It returns
// how many requests it sent.
func (w *worker) cached(ctx context.Context, loginID string) (int, error) {
	ar, _, err := w.api.authorize(ctx, &w.buf, cachedBody(loginID), 200)
	if err != nil {
		return 1, err
	}
	_, n, err := w.api.accountsDetail(ctx, &w.buf, ar.RequestId, w.poll)
	return 1 + n, err
}

// live is one operation of the live workload: a live login with
// credentials, its one MFA round, then its accounts, polling while the
// server fetches them.
func (w *worker) live(ctx context.Context, user string) (int, error) {
	ar, _, err := w.api.authorize(ctx, &w.buf, credentialsBody(user), 203)
	if err != nil {
		return 1, err
	}
	if len(ar.SecurityChallenges) != 1 {
		return 1, fmt.Errorf("Authorize: %d challenges, want 1", len(ar.SecurityChallenges))
	}
	requestID := ar.RequestId
	if _, _, err := w.api.authorize(ctx, &w.buf, answerBody(requestID, ar.SecurityChallenges[0].Prompt), 200); err != nil {
		return 2, err
	}
	_, n, err := w.api.accountsDetail(ctx, &w.buf, requestID, w.poll)
	return 2 + n, err
}

// opFunc is one operation of a workload: k counts the operations worker w
// began, so that a workload spreads them over the logins.
type opFunc func(ctx context.Context, w *worker, k int) (requests int, err error)

// workloads are the operations of each workload over the provisioned
// logins: ids are the LoginIds of the users in order.
func workloads(ids []string, conc int) map[string]opFunc {
	// Worker w's k-th operation uses login (w + k*conc) mod n: the workers
	// take the logins in turn, never two at once while n >= conc.
	pick := func(w *worker, k int) int { return (w.id + k*conc) % len(ids) }
	cached := func(ctx context.Context, w *worker, k int) (int, error) { return w.cached(ctx, ids[pick(w, k)]) }
	live := func(ctx context.Context, w *worker, k int) (int, error) { return w.live(ctx, username(pick(w, k))) }
	return map[string]opFunc{
		"cached": cached,
		"live":   live,
		// One operation in ten is live, at a fixed place in each worker's
		// sequence, so every run mixes exactly the same way.
		"mixed": func(ctx context.Context, w *worker, k int) (int, error) {
			if (w.id+k)%10 == 9 {
				return live(ctx, w, k)
			}
			return cached(ctx, w, k)
		},
	}
}

// result is what a run measured.
type result struct {
	ops       int // operations finished without error in the window
	errors    int // operations that failed in the window
	requests  int // requests of the operations counted
	window    time.Duration
	latencies []time.Duration // of the operations counted, sorted
	firstErrs []string
}

func (r result) throughput() float64 { return float64(r.ops) / r.window.Seconds() }

// percentile returns the p-th percentile (0 < p <= 100) of the latencies,
// nearest rank, in milliseconds.
func (r result) percentile(p float64) float64 {
	if len(r.latencies) == 0 {
		return 0
	}
	i := int(float64(len(r.latencies))*p/100+0.5) - 1
	i = min(max(i, 0), len(r.latencies)-1)
	return float64(r.latencies[i].Microseconds()) / 1000
}

// drive runs conc workers through op for warmup then dur. Only operations
// that finish within the measured window (the dur after warmup) count:
// their number over dur is the throughput, their durations the latencies.
// At the end of the window no operation is cut short: the workers stop
// beginning new ones, and those in flight finish uncounted, so that the
// server is idle when drive returns. measuring, if not nil, is called as
// the window opens.
func drive(ctx context.Context, a *api, poll time.Duration, conc int, warmup, dur time.Duration, op opFunc, measuring func()) result {
	begin := time.Now()
	open, end := begin.Add(warmup), begin.Add(warmup+dur)
	var (
		mu  sync.Mutex
		all result
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
				octx, cancel := context.WithTimeout(ctx, opTimeout)
				n, err := op(octx, w, k)
				cancel()
				done := time.Now()
				if done.Before(open) || done.After(end) || ctx.Err() != nil {
					continue
				}
				if err != nil {
					mine.errors++
					if len(mine.firstErrs) < 3 {
						mine.firstErrs = append(mine.firstErrs, err.Error())
					}
					continue
				}
				mine.ops++
				mine.requests += n
				mine.latencies = append(mine.latencies, done.Sub(start))
			}
			mu.Lock()
			defer mu.Unlock()
			all.ops += mine.ops
			all.errors += mine.errors
			all.requests += mine.requests
			all.latencies = append(all.latencies, mine.latencies...)
			if len(all.firstErrs) < 5 {
				all.firstErrs = append(all.firstErrs, mine.firstErrs...)
			}
		})
	}
	wg.Wait()
	all.window = dur
	slices.Sort(all.latencies)
	return all
}
