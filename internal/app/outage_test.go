package app_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/client"
	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/store/pgstore/pgtest"
	"github.com/jackc/pgx/v5"
)

// tcpProxy forwards loopback connections to a PostgreSQL server, and can
// cut them (a database that is down: connections reset, new ones refused)
// or stall them (a database, or a network, that stops answering: nothing
// is refused, nothing comes back). It is the test's stand-in for a database
// that restarts, without touching the real server that others share.
type tcpProxy struct {
	ln     net.Listener
	target string
	wg     sync.WaitGroup

	mu    sync.Mutex
	mode  proxyMode
	pairs map[net.Conn]net.Conn // client side to server side
	held  []net.Conn            // client sides left open by a stall
}

type proxyMode int

const (
	forwarding proxyMode = iota
	cut
	stalled
)

func startProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{ln: ln, target: target, pairs: map[net.Conn]net.Conn{}}
	p.wg.Go(p.accept)
	t.Cleanup(func() {
		ln.Close()
		p.set(cut)
		p.wg.Wait()
	})
	return p
}

func (p *tcpProxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		mode := p.mode
		if mode == stalled {
			p.held = append(p.held, c) // accepted, never answered
		}
		p.mu.Unlock()
		switch mode {
		case cut:
			c.Close()
			continue
		case stalled:
			continue
		}
		up, err := net.DialTimeout("tcp", p.target, 5*time.Second)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.pairs[c] = up
		p.mu.Unlock()
		p.wg.Go(func() { io.Copy(up, c); up.Close() })
		p.wg.Go(func() {
			io.Copy(c, up)
			p.mu.Lock()
			defer p.mu.Unlock()
			delete(p.pairs, c)
			if p.mode == stalled {
				p.held = append(p.held, c)
				return
			}
			c.Close()
		})
	}
}

// set changes the mode: a cut closes every connection, a stall closes the
// server sides only, leaving the clients waiting for answers that never
// come.
func (p *tcpProxy) set(mode proxyMode) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.mode = mode
	switch mode {
	case cut:
		for c, up := range p.pairs {
			c.Close()
			up.Close()
		}
		for _, c := range p.held {
			c.Close()
		}
		p.held = nil
	case stalled:
		for _, up := range p.pairs {
			up.Close()
		}
	case forwarding:
		// Connections held by a stall stay silent: the client gives up on
		// them, as on a connection lost to a network partition.
	}
}

// TestDatabaseOutage runs a server on PostgreSQL through a proxy, under a
// steady load of cached reopens, data calls and live logins, and cuts the
// database off for a few seconds: every request during the outage gets a
// Flinks-shaped 503 RETRY_LATER within a bounded time (never a 500, never a
// hang, even when the database stops answering without refusing), the server serves again by itself within seconds of the database's
// return, every login acknowledged before or during the outage is still
// there, and a fetch job inserted after the outage runs. Then the same with
// the server's connections terminated by PostgreSQL itself.
func TestDatabaseOutage(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.NewDatabase(t)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := startProxy(t, u.Host)
	u.Host = proxy.ln.Addr().String()
	const dbTimeout = 2 * time.Second
	s := startServerArgs(t, "", nil, "--database", u.String(), "--db-timeout", dbTimeout.String())
	ctx := context.Background()
	first := liveLogin(t, s, "Greatday").Login.Id
	saved := []string{first} // appended to under mu

	// Each worker loops: a cached reopen and a data call on a saved login,
	// then a new live login, recording every outcome.
	var (
		mu        sync.Mutex
		retry     int // 503 RETRY_LATER
		ok        int
		slowest   time.Duration
		failures  []string
		stop      = make(chan struct{})
		wg        sync.WaitGroup
		loginSeq  atomic.Int64
		clientFor = func() *client.Client {
			c, err := client.New(s.url, sandboxCustomer, client.WithHTTPClient(validatingClient(t)))
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
	)
	record := func(what string, d time.Duration, err error) {
		mu.Lock()
		defer mu.Unlock()
		slowest = max(slowest, d)
		var e *client.Error
		switch {
		case err == nil:
			ok++
		case errors.As(err, &e) && e.StatusCode == 503 && e.Body.FlinksCode == flinks.CodeRetryLater && e.Body.Message != "":
			retry++
		case errors.As(err, &e) && e.StatusCode == 202:
			ok++ // the data is on its way
		default:
			failures = append(failures, fmt.Sprintf("%s: %v", what, err))
		}
	}
	for w := range 4 {
		wg.Go(func() {
			c := clientFor()
			for {
				select {
				case <-stop:
					return
				default:
				}
				begin := time.Now()
				cached, err := c.AuthorizeCached(ctx, first)
				record("cached reopen", time.Since(begin), err)
				if err == nil {
					begin = time.Now()
					_, err = c.AccountsSummary(ctx, flinks.DataRequest{RequestId: cached.RequestId})
					record("summary", time.Since(begin), err)
				}
				if w == 0 {
					// Live logins write: a login, a session and a job.
					begin = time.Now()
					user := []string{"greatday_nomfa", "test_pending"}[loginSeq.Add(1)%2]
					resp, err := c.Authorize(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: user,
						Password: "Everyday", Save: true})
					record("live login", time.Since(begin), err)
					if err == nil {
						mu.Lock()
						saved = append(saved, resp.Login.Id)
						mu.Unlock()
					}
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
	waitOK := func(phase string, within time.Duration) {
		t.Helper()
		start := time.Now()
		for {
			_, err := s.client.AuthorizeCached(ctx, first)
			if err == nil {
				t.Logf("%s: serving again %v after the database's return", phase, time.Since(start).Round(time.Millisecond))
				return
			}
			if time.Since(start) > within {
				t.Fatalf("%s: still failing %v after the database's return: %v", phase, within, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}

	time.Sleep(time.Second)
	proxy.set(cut)
	time.Sleep(4 * time.Second)
	mu.Lock()
	retriesDuringCut := retry
	mu.Unlock()
	proxy.set(forwarding)
	waitOK("proxy cut", 15*time.Second)

	// The database stops answering: requests wait, but no longer than the
	// store's timeout, then answer RETRY_LATER.
	proxy.set(stalled)
	time.Sleep(3 * dbTimeout)
	mu.Lock()
	retriesDuringStall := retry - retriesDuringCut
	mu.Unlock()
	proxy.set(forwarding)
	waitOK("proxy stalled", 15*time.Second)

	// PostgreSQL itself ends the server's connections, as a restart does.
	admin, err := pgx.Connect(ctx, pgtest.ServerURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(context.Background())
	var terminated int
	if err := admin.QueryRow(ctx, `SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = $1 AND pid <> pg_backend_pid()) t`, u.Path[1:]).Scan(&terminated); err != nil {
		t.Fatal(err)
	}
	if terminated == 0 {
		t.Error("no connection of the server to terminate")
	}
	waitOK("backends terminated", 15*time.Second)
	time.Sleep(time.Second)
	close(stop)
	wg.Wait()

	t.Logf("%d requests served, %d answered RETRY_LATER (%d during the cut, %d during the stall), slowest %v",
		ok, retry, retriesDuringCut, retriesDuringStall, slowest)
	for _, f := range failures {
		t.Errorf("neither served nor RETRY_LATER: %s", f)
	}
	if retriesDuringCut == 0 || retriesDuringStall == 0 {
		t.Errorf("%d requests answered RETRY_LATER while the database was cut off, %d while it stalled: the test did not see the outage",
			retriesDuringCut, retriesDuringStall)
	}
	// Bounded: the store's timeout, plus a retry of a conflict or two.
	if limit := 3 * dbTimeout; slowest > limit {
		t.Errorf("the slowest request took %v, more than %v", slowest, limit)
	}
	// Every login acknowledged is there, and its data arrives: the fetch
	// jobs inserted with them ran, some after the outage.
	for _, login := range saved {
		cached, err := s.client.AuthorizeCached(ctx, login)
		if err != nil {
			t.Errorf("login %s acknowledged before or during the outage: %v", login, err)
			continue
		}
		if _, err := s.client.AccountsDetailReady(ctx, flinks.DataRequest{RequestId: cached.RequestId}, fastPoll...); err != nil {
			t.Errorf("data of login %s: %v", login, err)
		}
	}
	// A live login after the outage: its fetch job runs on the recovered
	// workers.
	detail(t, s, flinks.DataRequest{RequestId: liveLogin(t, s, "greatday_nomfa").RequestId})
}
