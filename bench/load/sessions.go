package main

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// openSessions is the result of the sessions run.
type openSessions struct {
	sessions int           // sessions opened and held, waiting on an answer
	opening  time.Duration // how long opening them took
	errors   int           // failed openings and answers
	answers  result        // answering some of them, one at a time
	firstErr []string
}

// holdSessions opens n sessions waiting on an MFA answer (live logins of
// the harness's users, left at their 203) with conc workers, then answers
// answers of them, spread evenly over the n, one after the other, and
// times each answer. measured is called between the two, while the server
// holds every session, to read its memory.
func holdSessions(ctx context.Context, a *api, users, n, conc, answers int, measured func()) openSessions {
	type open struct{ requestID, prompt string }
	opened := make([]open, n)
	var (
		out  openSessions
		mu   sync.Mutex
		wg   sync.WaitGroup
		next = make(chan int)
	)
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		out.errors++
		if len(out.firstErr) < 5 {
			out.firstErr = append(out.firstErr, err.Error())
		}
	}
	begin := time.Now()
	for range conc {
		wg.Go(func() {
			var c client
			for i := range next {
				octx, cancel := context.WithTimeout(ctx, opTimeout)
				ar, _, err := a.authorize(octx, &c, credentialsBody(username(i%users)), 203)
				cancel()
				if err == nil && len(ar.SecurityChallenges) != 1 {
					err = fmt.Errorf("/Authorize: %d challenges, want 1", len(ar.SecurityChallenges))
				}
				if err != nil {
					fail(err)
					continue
				}
				opened[i] = open{ar.RequestId, ar.SecurityChallenges[0].Prompt}
			}
		})
	}
	for i := range n {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	out.opening = time.Since(begin)
	out.sessions = n - out.errors
	if measured != nil {
		measured()
	}

	var c client
	for j := range min(answers, n) {
		s := opened[j*n/min(answers, n)]
		if s.requestID == "" || ctx.Err() != nil {
			continue
		}
		octx, cancel := context.WithTimeout(ctx, opTimeout)
		start := time.Now()
		_, _, err := a.authorize(octx, &c, answerBody(s.requestID, s.prompt), 200)
		took := time.Since(start)
		cancel()
		if err != nil {
			fail(err)
			continue
		}
		out.answers.ops++
		out.answers.latencies = append(out.answers.latencies, took)
		out.answers.requests = append(out.answers.requests, took)
	}
	out.answers.sort()
	return out
}
