package main

import (
	"bytes"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
)

// recording holds, for each request the workloads send, the reply bankfeed
// gave it, so that the baseline answers the same requests with the same
// bytes. The keys are those of the functions below.
type recording map[string]reply

func keyLogin(user string) string       { return "login " + strings.ToLower(user) }
func keyAnswer(requestID string) string { return "answer " + requestID }
func keyCached(loginID string) string   { return "cached " + loginID }
func keyDetail(requestID string) string { return "detail " + requestID }

// provision saves the n logins of the harness's users on the server, each
// with a live login answering its question with Save, and waits until each
// one's data is fetched. It returns their LoginIds in order, and the
// recording of one run of every operation of the workloads on each login:
// the live login's 203, its 200 and its accounts; a cached Authorize and
// its accounts.
func provision(ctx context.Context, a *api, n, par int, poll time.Duration) ([]string, recording, error) {
	ids := make([]string, n)
	rec := recording{}
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	next := make(chan int)
	for range min(par, n) {
		wg.Go(func() {
			var c client
			for i := range next {
				got, err := provisionOne(ctx, a, &c, i, poll)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = fmt.Errorf("provisioning %s: %w", username(i), err)
				}
				if got != nil {
					for k, v := range got.recording {
						rec[k] = v
					}
					ids[i] = got.loginID
				}
				mu.Unlock()
			}
		})
	}
	for i := range n {
		mu.Lock()
		failed := firstErr != nil
		mu.Unlock()
		if failed || ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return ids, rec, firstErr
}

// provisioned is what provisionOne recorded of one login.
type provisioned struct {
	recording
	loginID string
}

func provisionOne(ctx context.Context, a *api, c *client, i int, poll time.Duration) (*provisioned, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	p := &provisioned{recording: recording{}}
	keep := func(key string, r reply) { p.recording[key] = reply{Status: r.Status, Body: bytes.Clone(r.Body)} }

	user := username(i)
	ar, r, err := a.authorize(ctx, c, credentialsBody(user), 203)
	if err != nil {
		return nil, err
	}
	if len(ar.SecurityChallenges) != 1 {
		return nil, fmt.Errorf("/Authorize: %d challenges, want 1", len(ar.SecurityChallenges))
	}
	keep(keyLogin(user), r)
	live := ar.RequestId
	ar, r, err = a.authorize(ctx, c, answerBody(live, ar.SecurityChallenges[0].Prompt), 200)
	if err != nil {
		return nil, err
	}
	if ar.Login == nil || ar.Login.Id == "" {
		return nil, errors.New("/Authorize: a 200 without Login.Id")
	}
	keep(keyAnswer(live), r)
	p.loginID = ar.Login.Id
	if r, _, err = a.accountsDetail(ctx, c, live, poll); err != nil {
		return nil, err
	}
	keep(keyDetail(live), r)

	ar, r, err = a.authorize(ctx, c, cachedBody(p.loginID), 200)
	if err != nil {
		return nil, err
	}
	keep(keyCached(p.loginID), r)
	if r, _, err = a.accountsDetail(ctx, c, ar.RequestId, poll); err != nil {
		return nil, err
	}
	keep(keyDetail(ar.RequestId), r)
	return p, nil
}

func (rec recording) save(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := gob.NewEncoder(f).Encode(rec); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func loadRecording(path string) (recording, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var rec recording
	if err := gob.NewDecoder(f).Decode(&rec); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return rec, nil
}
