package app_test

import (
	"bytes"
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/client"
	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/app"
	"github.com/bankfeed/bankfeed/internal/store/pgstore/pgtest"
)

// sandboxSecret is the public sandbox customer's secret key.
const sandboxSecret = "c4569c54-e167-4d34-8de6-f4113bc82414"

// TestScheduledRefresh saves logins with scheduled refresh on, lets days
// pass, and runs `bankfeed refresh --now` beside the server, on each
// database: logins whose stored answers suffice are refreshed with no one
// present, and a cached Authorize then sees the new days' transactions; a
// two-step login and one whose bank asks a question without a stored answer
// are not, and GetNightlyRefreshStatus reports both as needing the user.
func TestScheduledRefresh(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			var extra []string
			if kind == "postgres" {
				extra = []string{"--database", pgtest.NewDatabase(t)}
			}
			// No nightly pass of the server's own: this test runs them.
			s := startServerArgs(t, "", nil, append(extra, "--refresh-at", "off")...)
			ctx := context.Background()

			save := func(username string, scheduled bool) string {
				t.Helper()
				resp, err := s.client.Authorize(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: username,
					Password: "Everyday", Save: true, ScheduleRefresh: flinks.Bool(scheduled)})
				_, resp, err = walk(t, s, resp, err, false)
				login := wantAuthorized(t, resp, err, "FlinksCapital").Login.Id
				detail(t, s, flinks.DataRequest{RequestId: resp.RequestId})
				return login
			}
			question := save("Greatday", true)          // its question's answer is stored
			noMFA := save("greatday_nomfa", true)       // no question at all
			securID := save("mfa_securid", true)        // a one-time code at each login
			rotating := save("greatday_rotating", true) // a new question at the next login
			off := save("greatday_allquestions", false) // scheduled refresh off

			newest := func(login string) (string, int) {
				t.Helper()
				cached, err := s.client.AuthorizeCached(ctx, login)
				if err != nil {
					t.Fatalf("cached reopen of %s: %v", login, err)
				}
				d := detail(t, s, flinks.DataRequest{RequestId: cached.RequestId, DaysOfTransactions: "Days365"})
				var last string
				n := 0
				for _, a := range d.Accounts {
					n += len(a.Transactions)
					for _, tx := range a.Transactions {
						last = max(last, tx.Date)
					}
				}
				return last, n
			}
			beforeDate, beforeN := newest(question)
			newest(noMFA)

			s.clock.Advance(5 * 24 * time.Hour)
			var out bytes.Buffer
			args := append([]string{"refresh", "--now", "--data", s.dataDir}, extra...)
			if err := app.Main(ctx, args, func(string) string { return "" }, &out, testLogWriter{t}, app.WithClock(s.clock.Now)); err != nil {
				t.Fatalf("bankfeed refresh --now: %v", err)
			}
			t.Logf("bankfeed refresh --now: %s", out.String())
			// Three planned: not the one off schedule, nor the two-step one,
			// known to be so since its live login. Two refreshed; the
			// rotating one met a question without a stored answer.
			for _, want := range []string{"3 logins planned, 1 ineligible", "refreshed 2, need the user 1, failed 0"} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("refresh --now printed %q, want it to say %q", out.String(), want)
				}
			}

			// The window of 365 days moved too: count is not the test, the
			// new days are.
			afterDate, afterN := newest(question)
			if afterDate <= beforeDate {
				t.Errorf("after the refresh, a cached reopen sees %d transactions up to %s; before, %d up to %s",
					afterN, afterDate, beforeN, beforeDate)
			}
			if want := s.clock.Now().UTC().Format("2006-01-02"); afterDate != want {
				t.Errorf("newest transaction after the refresh is of %s, want today %s", afterDate, want)
			}
			cached, err := s.client.AuthorizeCached(ctx, noMFA)
			if err != nil || cached.Login.LastRefresh == nil || !strings.HasPrefix(*cached.Login.LastRefresh, s.clock.Now().UTC().Format("2006-01-02")) {
				t.Errorf("LastRefresh of a refreshed login: %+v, %v", cached.Login, err)
			}
			// A login the refresh could not pass replays its outcome on a
			// cached Authorize, as Flinks does.
			_, err = s.client.AuthorizeCached(ctx, rotating)
			if e := apiErr(t, err); e.Body.FlinksCode != flinks.CodeQuestionNotFound || e.Body.RequestId == "" {
				t.Errorf("cached reopen of a login the refresh could not pass: %+v", e.Body)
			}

			sc, err := client.New(s.url, sandboxCustomer, client.WithHTTPClient(validatingClient(t)))
			if err != nil {
				t.Fatal(err)
			}
			status, err := sc.NightlyRefreshStatus(ctx, sandboxSecret)
			if err != nil {
				t.Fatalf("GetNightlyRefreshStatus: %v", err)
			}
			got := map[string]flinks.IneligibleCard{}
			for _, c := range status.IneligibleCards {
				got[c.LoginId] = c
			}
			var ids []string
			for id := range got {
				ids = append(ids, id)
			}
			slices.Sort(ids)
			want := []string{securID, rotating}
			slices.Sort(want)
			if !slices.Equal(ids, want) {
				t.Fatalf("IneligibleCards = %v, want the SecurID and the rotating logins %v (not %s, %s, %s)", ids, want, question, noMFA, off)
			}
			stamp := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}$`)
			// Both need their user; the SecurID one was never tried, so it
			// has no error of its own.
			for id, wantCode := range map[string]string{securID: "", rotating: "QUESTION_NOT_FOUND"} {
				c := got[id]
				code := ""
				if c.LastRefreshErrorCode != nil {
					code = *c.LastRefreshErrorCode
				}
				if c.LastRefreshState != "AnsweringSecurityChallenge" || code != wantCode ||
					c.LastRefreshDate == nil || !stamp.MatchString(*c.LastRefreshDate) {
					t.Errorf("IneligibleCard of %s = %+v (error code %q), want AnsweringSecurityChallenge with code %q", id, c, code, wantCode)
				}
			}
			if _, err := sc.NightlyRefreshStatus(ctx, "not-the-secret"); apiErr(t, err).StatusCode != 401 {
				t.Errorf("GetNightlyRefreshStatus with a wrong secret: %v, want 401", err)
			}
		})
	}
}
