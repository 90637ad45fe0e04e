package app_test

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/client"
	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/store/pgstore/pgtest"
	"github.com/jackc/pgx/v5"
)

// The tests of this file run bankfeed as real processes (the binary that
// buildBankfeed builds), several of them on one database, as an operator
// runs them behind a load balancer.

// process is a `bankfeed serve` running as its own process.
type process struct {
	t    *testing.T
	cmd  *exec.Cmd
	url  string // http://host:port
	done chan struct{}
	err  error // the process's exit, once done is closed
	logs chan struct{}
}

var listeningAddr = regexp.MustCompile(`msg="bankfeed listening" addr=(http://\S+)`)

// startProcess runs `bankfeed serve` with args on a random loopback port and
// waits until it accepts connections. Its warnings and errors go to the
// test's log. It is stopped (SIGTERM) when the test ends, if still running.
func startProcess(t *testing.T, args ...string) *process {
	t.Helper()
	bin := buildBankfeed(t)
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), "BANKFEED_LOG_LEVEL=info")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{t: t, cmd: cmd, done: make(chan struct{}), logs: make(chan struct{})}
	ready := make(chan string, 1)
	go func() {
		defer close(p.logs)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if m := listeningAddr.FindStringSubmatch(line); m != nil {
				ready <- m[1]
			}
			if strings.Contains(line, "level=WARN") || strings.Contains(line, "level=ERROR") {
				t.Logf("[pid %d] %s", cmd.Process.Pid, line)
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	go func() {
		<-p.logs // Wait must not close the pipe before the log is read
		p.err = cmd.Wait()
		close(p.done)
	}()
	select {
	case p.url = <-ready:
	case <-p.done:
		t.Fatalf("bankfeed %v exited before listening: %v", args, p.err)
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		<-p.done
		t.Fatalf("bankfeed %v did not listen within 60s", args)
	}
	t.Cleanup(func() { p.stop() })
	return p
}

// stop ends the process gracefully (SIGTERM) and waits for it; a process
// that does not stop in 30 seconds is killed and fails the test.
func (p *process) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		if p.err != nil {
			p.t.Errorf("bankfeed (pid %d) stopped with %v", p.cmd.Process.Pid, p.err)
		}
	case <-time.After(30 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
		p.t.Errorf("bankfeed (pid %d) did not stop within 30s of SIGTERM", p.cmd.Process.Pid)
	}
}

// kill ends the process at once, as a crash or an OOM killer would: no
// shutdown runs, jobs in progress stay marked running.
func (p *process) kill() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// alternating sends each request to the next of several servers in turn,
// checking every response's Flinks shape and failing the test on a 5xx.
type alternating struct {
	t      *testing.T
	hosts  []string
	next   atomic.Int64
	served []atomic.Int64
}

func newAlternating(t *testing.T, procs ...*process) *alternating {
	a := &alternating{t: t, served: make([]atomic.Int64, len(procs))}
	for _, p := range procs {
		a.hosts = append(a.hosts, strings.TrimPrefix(p.url, "http://"))
	}
	return a
}

func (a *alternating) RoundTrip(req *http.Request) (*http.Response, error) {
	i := int((a.next.Add(1) - 1) % int64(len(a.hosts)))
	a.served[i].Add(1)
	r := req.Clone(req.Context())
	r.URL.Host, r.Host = a.hosts[i], a.hosts[i]
	if strings.HasSuffix(r.URL.Path, "/SetScheduledRefresh") {
		// Its 200 is a bare JSON string, as on Flinks: not the shape the
		// checking transport expects.
		return validatingTransport(a.t, nil).RoundTrip(r)
	}
	return shapeCheckingTransport{a.t}.RoundTrip(r)
}

// client returns an SDK client of the sandbox customer that alternates.
func (a *alternating) client() *client.Client {
	c, err := client.New("http://"+a.hosts[0], sandboxCustomer, client.WithHTTPClient(&http.Client{Transport: a, Timeout: time.Minute}))
	if err != nil {
		a.t.Fatal(err)
	}
	return c
}

// walkAcross answers every round from resp on (the first one wrong when
// wrongFirst), as walk does, waiting in real time for a trusted device's
// approval: the processes read the real clock.
func walkAcross(t *testing.T, s *server, resp *flinks.AuthorizeResponse, err error, wrongFirst bool) (*flinks.AuthorizeResponse, error) {
	t.Helper()
	for i := 0; err == nil && resp.Challenged(); i++ {
		if i == 10 {
			t.Fatalf("still challenged after %d rounds", i)
		}
		for _, c := range resp.SecurityChallenges {
			if c.Type == flinks.WaitUntilEUAccept {
				time.Sleep(deviceApproval + 200*time.Millisecond)
			}
		}
		responses := solveRound(t, s, resp.SecurityChallenges)
		if wrongFirst && i == 0 {
			for k := range responses {
				responses[k] = []string{"Circle"}
			}
		}
		resp, err = s.client.Answer(context.Background(), resp.RequestId, responses)
	}
	return resp, err
}

// TestTwoProcessesActAsOne runs two bankfeed processes on one PostgreSQL
// database and sends the requests of every flow to them in turn: each MFA
// answer reaches the process that did not ask the question, each poll of a
// fetch the other process than the last, each cached reopen the process
// that did not save the login.
func TestTwoProcessesActAsOne(t *testing.T) {
	t.Parallel()
	url := pgtest.NewDatabase(t)
	dir := t.TempDir()
	// One after the other: the first creates the sandbox's master key in
	// the shared data directory, which the second then reads.
	a := startProcess(t, "--data", dir, "--database", url)
	b := startProcess(t, "--data", dir, "--database", url)
	alt := newAlternating(t, a, b)
	s := &server{t: t, url: a.url, dataDir: dir, clock: newClock(), client: alt.client()}
	ctx := context.Background()

	flows := []struct {
		institution, username string
		wrongFirst            bool
	}{
		{"FlinksCapital", "Greatday", false},
		{"FlinksCapital", "greatday_nomfa", false},
		{"RBC", "Greatday", true}, // a wrong answer, then three questions at once
		{"RBC", "greatday_newquestions", false},
		{"Laurentienne", "Greatday", false},
		{"National", "Greatday", false},
		{"Scotia", "Greatday", false},
		{"TD", "Greatday", false},
		{"FlinksCapital", "mfa_device", false},
	}
	var loginIDs []string
	for _, f := range flows {
		name := f.institution + "/" + f.username
		resp, err := s.client.Authorize(ctx, flinks.AuthorizeRequest{
			Institution: f.institution, Username: f.username, Password: "Everyday", Save: true})
		resp, err = walkAcross(t, s, resp, err, f.wrongFirst)
		login := wantAuthorized(t, resp, err, f.institution).Login.Id
		loginIDs = append(loginIDs, login)

		fresh, err := s.client.AccountsDetailReady(ctx, flinks.DataRequest{RequestId: resp.RequestId}, fastPoll...)
		if err != nil || len(fresh.Accounts) == 0 {
			t.Fatalf("%s: data after the live login: %v", name, err)
		}
		if _, err := s.client.AccountsSummaryReady(ctx, flinks.DataRequest{RequestId: resp.RequestId}, fastPoll...); err != nil {
			t.Errorf("%s: summary: %v", name, err)
		}
		if st, err := s.client.StatementsReady(ctx, flinks.DataRequest{RequestId: resp.RequestId}, fastPoll...); err != nil ||
			len(st.StatementsByAccount) == 0 {
			t.Errorf("%s: statements: %v", name, err)
		}

		// A cached reopen on either process sees the login and the data
		// the other saved.
		for range 2 {
			cached, err := s.client.AuthorizeCached(ctx, login)
			if err != nil {
				t.Fatalf("%s: cached reopen: %v", name, err)
			}
			got, err := s.client.AccountsDetailReady(ctx, flinks.DataRequest{RequestId: cached.RequestId}, fastPoll...)
			if err != nil {
				t.Fatalf("%s: cached data: %v", name, err)
			}
			if !jsonEqual(t, got.Accounts, fresh.Accounts) {
				t.Errorf("%s: the cached session's accounts differ from the fetched ones", name)
			}
		}
		// A live reopen: stored answers replayed, one-time ones asked again.
		live, err := s.client.AuthorizeLive(ctx, login, true)
		live, err = walkAcross(t, s, live, err, false)
		wantAuthorized(t, live, err, f.institution)
		if _, err := s.client.AccountsDetailReady(ctx, flinks.DataRequest{RequestId: live.RequestId}, fastPoll...); err != nil {
			t.Errorf("%s: data after the live reopen: %v", name, err)
		}
		if _, err := s.client.SetScheduledRefresh(ctx, login, true); err != nil {
			t.Errorf("%s: SetScheduledRefresh: %v", name, err)
		}
	}

	multi, err := s.client.AuthorizeMultiple(ctx, loginIDs)
	if err != nil || len(multi.ValidLoginIds) != len(loginIDs) {
		t.Errorf("AuthorizeMultiple: %+v, %v", multi, err)
	}

	// Two answers to one round, one to each process at the same moment:
	// exactly one reaches the bank.
	first := begin(t, s, "FlinksCapital", "Greatday", "", false)
	answers := solveRound(t, s, first.SecurityChallenges)
	direct := [2]*client.Client{}
	for i, p := range []*process{a, b} {
		c, err := client.New(p.url, sandboxCustomer, client.WithHTTPClient(validatingClient(t)))
		if err != nil {
			t.Fatal(err)
		}
		direct[i] = c
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range 2 {
		wg.Go(func() { _, errs[i] = direct[i].Answer(ctx, first.RequestId, answers) })
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		var e *client.Error
		switch {
		case err == nil:
			won++
		case errors.As(err, &e) && (e.Body.FlinksCode == flinks.CodeConcurrentSession || e.Body.FlinksCode == flinks.CodeAlreadyAuthorized):
		default:
			t.Errorf("concurrent answer: %v", err)
		}
	}
	if won != 1 {
		t.Errorf("%d of two concurrent answers on two processes succeeded, want 1", won)
	}
	// Its fetch ends before DeleteCard, which would otherwise answer
	// CARD_IN_USE (the login is FlinksCapital/Greatday's, saved above).
	if _, err := s.client.AccountsDetailReady(ctx, flinks.DataRequest{RequestId: first.RequestId}, fastPoll...); err != nil {
		t.Errorf("data of the concurrently answered session: %v", err)
	}

	for _, login := range loginIDs {
		if _, err := s.client.DeleteCard(ctx, login); err != nil {
			t.Errorf("DeleteCard %s: %v", login, err)
		}
		_, err := s.client.AuthorizeCached(ctx, login)
		if e := apiErr(t, err); e.Body.FlinksCode != flinks.CodeInvalidLogin {
			t.Errorf("cached reopen of a deleted login on the other process: %+v", e.Body)
		}
	}
	for i := range alt.served {
		if n := alt.served[i].Load(); n < 50 {
			t.Errorf("process %d served %d requests; the alternation is broken", i, n)
		}
	}
}

// jobStateFunc reads the state and attempt of a login's job of a kind,
// straight from the database: "" when there is none.
type jobStateFunc func(t *testing.T, kind, loginID string) (state string, attempt int)

func sqliteJobState(dir string) jobStateFunc {
	return func(t *testing.T, kind, loginID string) (string, int) {
		t.Helper()
		db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "bankfeed.db")+"?mode=ro&_pragma=busy_timeout(5000)")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var state string
		var attempt int
		err = db.QueryRow(`SELECT state, attempt FROM river_job WHERE kind = ? AND json_extract(args, '$.login_id') = ?`, kind, loginID).
			Scan(&state, &attempt)
		if errors.Is(err, sql.ErrNoRows) {
			return "", 0
		}
		if err != nil {
			t.Fatalf("read the job: %v", err)
		}
		return state, attempt
	}
}

func postgresJobState(url string) jobStateFunc {
	return func(t *testing.T, kind, loginID string) (string, int) {
		t.Helper()
		conn, err := pgx.Connect(t.Context(), url)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		var state string
		var attempt int
		err = conn.QueryRow(t.Context(), `SELECT state::text, attempt FROM river_job WHERE kind = $1 AND args->>'login_id' = $2`, kind, loginID).
			Scan(&state, &attempt)
		if errors.Is(err, pgx.ErrNoRows) {
			return "", 0
		}
		if err != nil {
			t.Fatalf("read the job: %v", err)
		}
		return state, attempt
	}
}

// TestFetchSurvivesSIGKILL kills a process with SIGKILL while its worker is
// in the middle of a fetch (the bank takes 3 seconds), on each database: the
// job, left marked running, is rescued and completes on the process started
// next (a restart on SQLite; another process on PostgreSQL), and the
// session's data arrives.
func TestFetchSurvivesSIGKILL(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			// A job attempt may last 5s, so one still running 10s after it
			// started is rescued (the default is minutes).
			args := []string{"--data", dir, "--job-timeout", "5s"}
			state := sqliteJobState(dir)
			if kind == "postgres" {
				url := pgtest.NewDatabase(t)
				args = append(args, "--database", url)
				state = postgresJobState(url)
			}
			ctx := context.Background()
			a := startProcess(t, args...)
			ca, err := client.New(a.url, sandboxCustomer, client.WithHTTPClient(validatingClient(t)))
			if err != nil {
				t.Fatal(err)
			}
			auth, err := ca.Authorize(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "test_pending",
				Password: "Everyday", Save: true})
			if err != nil || auth.Login == nil {
				t.Fatalf("live login: %+v, %v", auth, err)
			}
			deadline := time.Now().Add(10 * time.Second)
			for {
				if st, _ := state(t, "fetch", auth.Login.Id); st == "running" {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("the fetch job did not start within 10s")
				}
				time.Sleep(20 * time.Millisecond)
			}
			a.kill()
			if st, attempt := state(t, "fetch", auth.Login.Id); st != "running" || attempt != 1 {
				t.Fatalf("after SIGKILL the job is %q (attempt %d), want running (attempt 1)", st, attempt)
			}

			b := startProcess(t, args...)
			cb, err := client.New(b.url, sandboxCustomer, client.WithHTTPClient(validatingClient(t)))
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			got, err := cb.AccountsDetailReady(ctx, flinks.DataRequest{RequestId: auth.RequestId},
				client.PollInterval(200*time.Millisecond), client.PollDeadline(2*time.Minute))
			if err != nil || len(got.Accounts) == 0 {
				t.Fatalf("data of the killed process's fetch: %v", err)
			}
			t.Logf("the fetch completed %v after the next process started", time.Since(start).Round(time.Second))
			// River records the completion just after the work returns.
			deadline = time.Now().Add(10 * time.Second)
			for {
				st, attempt := state(t, "fetch", auth.Login.Id)
				if st == "completed" && attempt == 2 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the job is %q after attempt %d, want completed after attempt 2", st, attempt)
				}
				time.Sleep(50 * time.Millisecond)
			}
		})
	}
}

// TestNightlyRefreshRunsOnce starts two processes on one PostgreSQL
// database, both carrying the nightly schedule, set to the coming minute:
// the pass is planned once (by the elected leader) and each saved login is
// refreshed exactly once, whichever process works it.
func TestNightlyRefreshRunsOnce(t *testing.T) {
	t.Parallel()
	url := pgtest.NewDatabase(t)
	dir := t.TempDir()
	// The processes read the real clock: the pass starts at the next whole
	// minute that leaves time to save the logins first.
	at := time.Now().UTC().Truncate(time.Minute).Add(time.Minute)
	if time.Until(at) < 20*time.Second {
		at = at.Add(time.Minute)
	}
	args := []string{"--data", dir, "--database", url, "--refresh-at", at.Format("15:04"), "--refresh-window", "0s"}
	a := startProcess(t, args...)
	b := startProcess(t, args...)
	s := &server{t: t, url: a.url, dataDir: dir, clock: newClock(), client: newAlternating(t, a, b).client()}
	ctx := context.Background()
	var logins []string
	for _, username := range []string{"Greatday", "greatday_nomfa", "greatday_allquestions"} {
		resp, err := s.client.Authorize(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: username,
			Password: "Everyday", Save: true, ScheduleRefresh: true})
		resp, err = walkAcross(t, s, resp, err, false)
		logins = append(logins, wantAuthorized(t, resp, err, "FlinksCapital").Login.Id)
		if _, err := s.client.AccountsDetailReady(ctx, flinks.DataRequest{RequestId: resp.RequestId}, fastPoll...); err != nil {
			t.Fatal(err)
		}
	}
	if time.Now().After(at) {
		t.Skip("saving the logins took past the pass's start; nothing to check")
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	count := func(query string, args ...any) int {
		t.Helper()
		var n int
		if err := conn.QueryRow(ctx, query, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return n
	}
	deadline := at.Add(90 * time.Second)
	for count(`SELECT count(*) FROM river_job WHERE kind = 'refresh' AND state = 'completed'`) < len(logins) {
		if time.Now().After(deadline) {
			t.Fatalf("the nightly pass at %s did not refresh the %d logins within 90s", at.Format("15:04"), len(logins))
		}
		time.Sleep(500 * time.Millisecond)
	}
	// Long enough for a second planner, if there were one, to have acted.
	time.Sleep(3 * time.Second)
	if n := count(`SELECT count(*) FROM river_job WHERE kind = 'refresh_plan'`); n != 1 {
		t.Errorf("%d passes planned by two processes, want 1", n)
	}
	for _, login := range logins {
		if n := count(`SELECT count(*) FROM river_job WHERE kind = 'refresh' AND args->>'login_id' = $1`, login); n != 1 {
			t.Errorf("login %s refreshed %d times, want once", login, n)
		}
		cached, err := s.client.AuthorizeCached(ctx, login)
		if err != nil || cached.Login.LastRefresh == nil || *cached.Login.LastRefresh < at.Format(flinks.TimeLayout) {
			t.Errorf("login %s after the pass: %+v, %v", login, cached, err)
		}
	}
}

// TestRefreshSurvivesSIGKILL kills `bankfeed refresh --now` with SIGKILL
// while its worker is in the middle of a login's refresh (the bank takes 3
// seconds to hand over the data), on each database: the refresh job, left
// running, is rescued and completes on the server started next, and a
// cached reopen sees the login refreshed.
func TestRefreshSurvivesSIGKILL(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			args := []string{"--data", dir, "--job-timeout", "5s"}
			state := sqliteJobState(dir)
			if kind == "postgres" {
				url := pgtest.NewDatabase(t)
				args = append(args, "--database", url)
				state = postgresJobState(url)
			}
			ctx := context.Background()
			a := startProcess(t, append(args, "--refresh-at", "off")...)
			ca, err := client.New(a.url, sandboxCustomer, client.WithHTTPClient(validatingClient(t)))
			if err != nil {
				t.Fatal(err)
			}
			auth, err := ca.Authorize(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "test_pending",
				Password: "Everyday", Save: true, ScheduleRefresh: true})
			if err != nil || auth.Login == nil {
				t.Fatalf("live login: %+v, %v", auth, err)
			}
			login := auth.Login.Id
			if _, err := ca.AccountsDetailReady(ctx, flinks.DataRequest{RequestId: auth.RequestId}, client.PollInterval(100*time.Millisecond)); err != nil {
				t.Fatal(err)
			}
			before, err := ca.AuthorizeCached(ctx, login)
			if err != nil {
				t.Fatal(err)
			}
			a.stop() // so that the refresh is the command's alone

			cmd := exec.Command(buildBankfeed(t), append([]string{"refresh", "--now"}, args...)...)
			cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(20 * time.Second)
			for {
				if st, _ := state(t, "refresh", login); st == "running" {
					break
				}
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					cmd.Wait()
					t.Fatal("the refresh job did not start within 20s")
				}
				time.Sleep(20 * time.Millisecond)
			}
			cmd.Process.Signal(syscall.SIGKILL)
			cmd.Wait()
			if st, attempt := state(t, "refresh", login); st != "running" || attempt != 1 {
				t.Fatalf("after SIGKILL the refresh job is %q (attempt %d), want running (attempt 1)", st, attempt)
			}

			b := startProcess(t, append(args, "--refresh-at", "off")...)
			deadline = time.Now().Add(2 * time.Minute)
			for {
				st, attempt := state(t, "refresh", login)
				if st == "completed" && attempt == 2 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the refresh job is %q after attempt %d, 2 minutes after the next server started", st, attempt)
				}
				time.Sleep(200 * time.Millisecond)
			}
			cb, err := client.New(b.url, sandboxCustomer, client.WithHTTPClient(validatingClient(t)))
			if err != nil {
				t.Fatal(err)
			}
			after, err := cb.AuthorizeCached(ctx, login)
			if err != nil {
				t.Fatal(err)
			}
			if *after.Login.LastRefresh <= *before.Login.LastRefresh {
				t.Errorf("LastRefresh %s after the rescued refresh, %s before", *after.Login.LastRefresh, *before.Login.LastRefresh)
			}
		})
	}
}
