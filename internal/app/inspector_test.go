package app_test

import (
	"context"
	"flag"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/client"
	"github.com/bankfeed/bankfeed/flinks"
	"github.com/chromedp/chromedp"
)

// screenshots makes TestInspectorInBrowser write the docs' screenshots:
// go test ./internal/app -run TestInspectorInBrowser -screenshots
var screenshots = flag.Bool("screenshots", false, "write the inspector's screenshots into docs/img")

// TestInspectorEndpoints: the page is served with its locked-down headers
// where the control surface is, and the logins calls it reads answer.
func TestInspectorEndpoints(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	auth := liveLogin(t, s, "greatday_nomfa")
	detail(t, s, flinks.DataRequest{RequestId: auth.RequestId})
	for _, path := range []string{"/sandbox/", "/sandbox/assets/inspector.js", "/sandbox/assets/inspector.css"} {
		res, err := http.Get(s.url + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		csp := res.Header.Get("Content-Security-Policy")
		if res.StatusCode != 200 || !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "script-src 'self'") ||
			strings.Contains(csp, "unsafe-inline") || res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: %d, CSP %q", path, res.StatusCode, csp)
		}
	}
	if r := s.doBad(http.MethodGet, "/sandbox/assets/nothing.js", "", nil); r.status != 404 {
		t.Errorf("an unknown asset: %d", r.status)
	}
	page, _ := http.Get(s.url + "/sandbox/")
	body := make([]byte, 1<<16)
	n, _ := page.Body.Read(body)
	page.Body.Close()
	if html := string(body[:n]); strings.Contains(html, "<script>") || strings.Contains(html, "style=") || strings.Contains(html, "http://") ||
		strings.Contains(html, "https://") {
		t.Errorf("the page has inline code or an outside reference:\n%s", html)
	}

	r := s.do(http.MethodGet, "/sandbox/v1/logins", "")
	logins, _ := r.json["logins"].([]any)
	if r.status != 200 || len(logins) != 1 {
		t.Fatalf("logins: %d %s", r.status, r.body)
	}
	l := logins[0].(map[string]any)
	if l["id"] != auth.Login.Id || l["state"] != "ok" || l["institution"] != "FlinksCapital" || l["last_refresh"] == nil {
		t.Errorf("login listed: %v", l)
	}
	r = s.do(http.MethodGet, "/sandbox/v1/logins/"+auth.Login.Id, "")
	sessions, _ := r.json["sessions"].([]any)
	accounts, _ := r.json["accounts"].([]any)
	if r.status != 200 || len(sessions) != 1 || len(accounts) == 0 || str(r.json, "holder") == "" {
		t.Errorf("login detail: %d %s", r.status, r.body)
	}
	if strings.Contains(string(r.body), "Everyday") {
		t.Error("the login detail shows the password")
	}
	if r := s.do(http.MethodGet, "/sandbox/v1/logins/"+auth.Login.Id+"?customer_id=7a0c1b2d-0000-4000-8000-00000000dead", ""); r.status != 404 {
		t.Errorf("the login under another customer: %d %s", r.status, r.body)
	}

	// The SDK reads the same.
	sb := sandboxOf(t, s)
	listed, err := sb.SavedLogins(context.Background(), sandboxCustomer, 10)
	if err != nil || len(listed) != 1 || listed[0].ID != auth.Login.Id || listed[0].State != "ok" || listed[0].LastRefresh.IsZero() {
		t.Errorf("SavedLogins = %+v, %v", listed, err)
	}
	d, err := sb.SavedLogin(context.Background(), "", auth.Login.Id)
	if err != nil || len(d.Sessions) != 1 || d.Sessions[0].RequestID != auth.RequestId || len(d.Accounts) == 0 ||
		len(d.Accounts[0].Transactions) == 0 || d.FetchedAt.IsZero() {
		t.Errorf("SavedLogin = %+v, %v", d, err)
	}
	if _, err := sb.SavedLogin(context.Background(), "", "00000000-0000-0000-0000-000000000000"); apiErr(t, err).StatusCode != 404 {
		t.Errorf("SavedLogin of no login: %v", err)
	}

	dir := t.TempDir()
	off := startServerArgs(t, dir, nil, "--sandbox=false", "--master-key-file", writeKeyFile(t, dir))
	if r := off.doBad(http.MethodGet, "/sandbox/", "", nil); r.status != 404 {
		t.Errorf("the page outside sandbox mode: %d", r.status)
	}
	// With an admin key the page loads without it, and its calls need it.
	dir = t.TempDir()
	keyed := startServerArgs(t, dir, nil, "--sandbox=false", "--master-key-file", writeKeyFile(t, dir), "--admin-key", "the-admin-key")
	if res, err := http.Get(keyed.url + "/sandbox/"); err != nil || res.StatusCode != 200 {
		t.Errorf("the page with an admin key: %v, %v", res, err)
	} else {
		res.Body.Close()
	}
	if r := keyed.do(http.MethodGet, "/sandbox/v1/logins", ""); r.status != 401 {
		t.Errorf("the logins without the admin key: %d", r.status)
	}
	if r := keyed.doWith(http.MethodGet, "/sandbox/v1/logins", "", hdr("Authorization", "Bearer the-admin-key")); r.status != 200 {
		t.Errorf("the logins with the admin key: %d %s", r.status, r.body)
	}
}

// chromium finds a Chromium or Chrome to drive; the test skips without
// one, and fails under CI, which installs it.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Chromium found (apt-get install chromium); CI requires it")
	}
	t.Skip("no Chromium found (apt-get install chromium): the inspector's browser test is skipped")
	return ""
}

// TestInspectorInBrowser drives the inspector in headless Chromium: the
// journal shows a request made through the SDK without a reload, a fault
// added through the page applies and is removed through it, and a login's
// sessions and data show.
func TestInspectorInBrowser(t *testing.T) {
	t.Parallel()
	bin := chromium(t)
	s := startServer(t, "", nil)
	sb := sandboxOf(t, s)
	ctx := context.Background()
	auth := liveLogin(t, s, "greatday_nomfa")
	detail(t, s, flinks.DataRequest{RequestId: auth.RequestId})

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin), chromedp.NoSandbox,
		chromedp.WindowSize(1400, 1100), chromedp.Flag("disable-gpu", true))
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	// No timeout on the browser's context: it would stop the browser; each
	// wait below has its own.
	bctx, cancelBrowser := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	defer cancelBrowser()

	// waitJS polls a JavaScript condition in the page.
	waitJS := func(what, cond string) {
		t.Helper()
		if _, err := chromedp.Run(bctx, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
			t.Fatalf("waiting for %s: %v", what, err)
		}
	}
	if err := chromedp.Do(bctx, chromedp.Navigate(s.url+"/sandbox/"), chromedp.WaitVisible(chromedp.CSS("#journal"))); err != nil {
		t.Fatal(err)
	}
	waitJS("the login's Authorize in the journal", `[...document.querySelectorAll("#journal td")].some(td => td.title === "`+auth.RequestId+`")`)
	waitJS("the login in the list", `document.querySelector('#logins tr[data-login="`+auth.Login.Id+`"]') !== null`)
	waitJS("the clock's absence or value", `document.getElementById("clock-now").textContent !== "–"`)

	// A request made after the page loaded appears without a reload.
	if _, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`window.notReloaded = true`)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.client.Institutions(ctx, 0, 1); err != nil {
		t.Fatal(err)
	}
	waitJS("the SDK's Institutions call in the journal", `[...document.querySelectorAll("#journal td")].some(td => td.title.endsWith("/BankingServices/Institutions") && td.textContent === "GET Institutions")`)
	if same, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`window.notReloaded === true`)); err != nil || !same {
		t.Errorf("the page reloaded to show the request (%v)", err)
	}

	// A fault added through the page.
	if err := chromedp.Do(bctx,
		chromedp.SetValue(chromedp.CSS(`#fault-form input[name="endpoint"]`), "GetAccountsSummary"),
		chromedp.SetValue(chromedp.CSS(`#fault-form input[name="status"]`), "503"),
		chromedp.SetValue(chromedp.CSS(`#fault-form input[name="times"]`), "2"),
		chromedp.Click(chromedp.CSS("#fault-add")),
	); err != nil {
		t.Fatal(err)
	}
	var fault client.Fault
	deadline := time.Now().Add(20 * time.Second)
	for {
		fs, err := sb.Faults(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(fs) == 1 {
			fault = fs[0]
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the page's fault never reached the server: %+v", fs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if fault.Endpoint != "GetAccountsSummary" || fault.Status != 503 || fault.FlinksCode != "RETRY_LATER" || fault.Times != 2 {
		t.Errorf("the fault the page added: %+v", fault)
	}
	_, err := s.client.AccountsSummary(ctx, flinks.DataRequest{RequestId: auth.RequestId})
	if e := apiErr(t, err); e.StatusCode != 503 {
		t.Errorf("GetAccountsSummary under the page's fault: %+v", e)
	}
	waitJS("the fault listed with its firing", `(() => { const tr = document.querySelector('#faults tr[data-fault="`+fault.ID+`"]');
		return tr !== null && tr.children[10].textContent === "1"; })()`)

	// One login's sessions and data.
	if err := chromedp.Do(bctx, chromedp.Click(chromedp.CSS(`#logins tr[data-login="`+auth.Login.Id+`"]`))); err != nil {
		t.Fatal(err)
	}
	waitJS("the login's sessions", `[...document.querySelectorAll("#sessions td")].some(td => td.textContent === "`+auth.RequestId+`")`)
	waitJS("the login's accounts", `document.querySelectorAll("#accounts .account").length > 0`)
	waitJS("the faulted call in the journal", `[...document.querySelectorAll("#journal tr.bad")].some(tr =>
		tr.children[2].textContent === "POST GetAccountsSummary" && tr.children[3].textContent === "503" && tr.children[4].textContent === "RETRY_LATER")`)

	if *screenshots {
		png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join("..", "..", "docs", "img", "inspector.png")
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(out, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d bytes)", out, len(png))
	}

	// The fault removed through the page.
	if err := chromedp.Do(bctx, chromedp.Click(chromedp.CSS(`button[data-remove="`+fault.ID+`"]`))); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(20 * time.Second)
	for {
		fs, err := sb.Faults(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(fs) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the page's remove never reached the server: %+v", fs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	waitJS("the fault gone from the page", `document.querySelector('#faults tr[data-fault="`+fault.ID+`"]') === null`)
	if _, err := s.client.AccountsSummary(ctx, flinks.DataRequest{RequestId: auth.RequestId}); err != nil {
		t.Errorf("GetAccountsSummary once the fault is removed: %v", err)
	}
}
