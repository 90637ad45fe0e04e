package app_test

// The Connect widget's browser harness: one headless Chromium per test
// binary, a fresh tab per test, an integrator's parent page on an origin
// of its own that embeds the widget and records every event it receives.

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

var (
	browserOnce   sync.Once
	browserCtx    context.Context
	browserCancel context.CancelFunc
	browserErr    error
	browserDir    string
)

// chromiumPath finds a Chromium or Chrome to drive.
func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// stopBrowser ends the test binary's browser, if one was started, and
// removes its profile; TestMain calls it.
func stopBrowser() {
	if browserCancel != nil {
		browserCancel()
	}
	if browserDir != "" {
		os.RemoveAll(browserDir)
	}
}

// newTab returns a context driving a new tab of the test binary's browser,
// started on first use. Without a browser the test skips, except under
// CI=true, where .ci/run has installed Chromium and the test fails.
func newTab(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("no chromium on PATH: the Connect browser tests need it (apt-get install chromium); CI=true, so this fails instead of skipping")
		}
		t.Skip("no chromium on PATH: skipping the Connect browser tests (apt-get install chromium to run them)")
	}
	browserOnce.Do(func() {
		browserDir, browserErr = os.MkdirTemp("", "bankfeed-chromium-")
		if browserErr != nil {
			return
		}
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(path),
			chromedp.UserDataDir(browserDir),
			chromedp.Flag("headless", true),
			chromedp.NoSandbox, // test machines and containers run as root
			chromedp.Flag("disable-dev-shm-usage", true),
			chromedp.WindowSize(1024, 900),
		)
		alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancelCtx := chromedp.NewContext(alloc)
		browserCtx = ctx
		browserCancel = func() { cancelCtx(); cancelAlloc() }
		// Start the browser now, with a first (blank) tab that keeps it up.
		browserErr = chromedp.Do(ctx)
	})
	if browserErr != nil {
		t.Fatalf("start chromium: %v", browserErr)
	}
	tab, cancelTab := chromedp.NewContext(browserCtx)
	tab, cancelTimeout := context.WithTimeout(tab, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelTab() })
	return tab
}

// parentPage is an integrator's page: it embeds the widget URL of its
// ?widget= parameter in an iframe and keeps every message whose origin is
// the widget's in window.events, as an integrator's listener would.
const parentPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Integrator</title>
<script src="/parent.js" defer></script></head>
<body><h1>Integrator</h1><iframe id="widget" title="Connect your bank"></iframe></body></html>`

const parentScript = `'use strict';
window.events = [];
window.foreign = 0;
var q = new URLSearchParams(location.search);
var src = q.get('widget');
var origin = new URL(src).origin;
window.addEventListener('message', function (e) {
  if (e.origin !== origin) { window.foreign++; return; }
  window.events.push(e.data);
});
var f = document.getElementById('widget');
f.width = q.get('width') || '420';
f.height = '1000';
f.src = src;
`

// startParent serves the parent page on an origin of its own.
func startParent(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, parentPage)
		case "/parent.js":
			w.Header().Set("Content-Type", "text/javascript")
			fmt.Fprint(w, parentScript)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// widget is the Connect widget embedded in a parent page in a tab.
type widget struct {
	t     *testing.T
	ctx   context.Context
	frame *chromedp.Node
	src   string // the widget's URL
}

// event is one message the parent received.
type event map[string]any

func (e event) step() string { s, _ := e["step"].(string); return s }
func (e event) field(k string) string {
	s, _ := e[k].(string)
	return s
}

// openWidget opens the parent page embedding the widget at widgetBase
// (the server's origin) with the query, in an iframe width pixels wide,
// and waits for the widget's first event.
func openWidget(t *testing.T, widgetBase, query string, width int) *widget {
	t.Helper()
	ctx := newTab(t)
	src := widgetBase + "/v2/?" + query
	parent := startParent(t) + "/?width=" + fmt.Sprint(width) + "&widget=" + url.QueryEscape(src)
	if err := chromedp.Do(ctx, chromedp.Navigate(parent)); err != nil {
		t.Fatalf("open the parent page: %v", err)
	}
	w := &widget{t: t, ctx: ctx, src: src}
	w.waitEvents(1)
	nodes, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSS("#widget")))
	if err != nil || len(nodes) != 1 {
		t.Fatalf("the widget's iframe: %v, %d nodes", err, len(nodes))
	}
	w.frame = nodes[0]
	return w
}

func testID(id string) chromedp.CSS { return chromedp.CSS(`[data-testid="` + id + `"]`) }

// run runs actions in the tab, failing the test with what was being done.
func (w *widget) run(what string, actions ...chromedp.Action[chromedp.Void]) {
	w.t.Helper()
	if err := chromedp.Do(w.ctx, actions...); err != nil {
		w.t.Fatalf("%s: %v\nevents so far: %v", what, err, w.steps())
	}
}

// screen waits until the widget shows the screen name, and checks that
// every control on it has a data-testid and a label, for integrators'
// tests and for screen readers.
func (w *widget) screen(name string) {
	w.t.Helper()
	w.run("wait for screen "+name, chromedp.WaitVisible(chromedp.CSS(`main[data-testid="screen-`+name+`"]`), chromedp.FromNode(w.frame)))
	attrs, err := chromedp.Run(w.ctx, chromedp.AttributesAll(chromedp.CSSAll("button, input, select, a"), chromedp.FromNode(w.frame)))
	if err != nil {
		w.t.Fatalf("read the controls of screen %s: %v", name, err)
	}
	if len(attrs) < 2 { // the header's back and close buttons at least
		w.t.Fatalf("screen %s: read %d controls", name, len(attrs))
	}
	for _, a := range attrs {
		if a["data-testid"] == "" {
			w.t.Errorf("screen %s: a control has no data-testid: %v", name, a)
		}
	}
	unlabelled, err := chromedp.Run(w.ctx, chromedp.Nodes(chromedp.CSSAll(`input:not([type=radio]):not([type=checkbox]):not([id]), select:not([id])`),
		chromedp.FromNode(w.frame), chromedp.AtLeast(0)))
	if err != nil {
		w.t.Fatal(err)
	}
	if len(unlabelled) > 0 {
		w.t.Errorf("screen %s: %d text fields have no id for a label", name, len(unlabelled))
	}
}

// click clicks the element of a data-testid, as a mouse would.
func (w *widget) click(id string) {
	w.t.Helper()
	w.run("click "+id, chromedp.Click(testID(id), chromedp.FromNode(w.frame), chromedp.NodeVisible))
}

// typeIn types text into the element of a data-testid, key by key.
func (w *widget) typeIn(id, text string) {
	w.t.Helper()
	w.run("type into "+id, chromedp.SendKeys(testID(id), text, chromedp.FromNode(w.frame), chromedp.NodeVisible))
}

// enter presses Enter in the element of a data-testid: a form submitted
// from the keyboard.
func (w *widget) enter(id string) {
	w.t.Helper()
	w.typeIn(id, kb.Enter)
}

// choose picks an option of a select by its visible text, from the
// keyboard: the select takes the focus and the text is typed.
func (w *widget) choose(id, option string) {
	w.t.Helper()
	w.run("choose "+option+" in "+id, chromedp.SetValue(testID(id), option, chromedp.FromNode(w.frame)))
}

// text reads the text of the element of a data-testid.
func (w *widget) text(id string) string {
	w.t.Helper()
	s, err := chromedp.Run(w.ctx, chromedp.Text(testID(id), chromedp.FromNode(w.frame), chromedp.NodeVisible))
	if err != nil {
		w.t.Fatalf("read %s: %v", id, err)
	}
	return s
}

// events returns the messages the parent received so far.
func (w *widget) events() []event {
	w.t.Helper()
	evs, err := chromedp.Run(w.ctx, chromedp.Evaluate[[]event](`window.events`))
	if err != nil {
		w.t.Fatalf("read the parent's events: %v", err)
	}
	return evs
}

func (w *widget) steps() []string {
	evs, err := chromedp.Run(w.ctx, chromedp.Evaluate[[]event](`window.events`))
	if err != nil {
		return []string{"(unreadable: " + err.Error() + ")"}
	}
	steps := make([]string, len(evs))
	for i, e := range evs {
		steps[i] = e.step()
	}
	return steps
}

// waitEvents waits until the parent has received at least n events.
func (w *widget) waitEvents(n int) []event {
	w.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		evs, err := chromedp.Run(w.ctx, chromedp.Evaluate[[]event](`window.events || []`))
		if err == nil && len(evs) >= n {
			return evs
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("waited for %d events; got %v (%v)", n, len(evs), err)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// waitStep waits until the parent has received an event of step and
// returns the events received so far.
func (w *widget) waitStep(step string) []event {
	w.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		evs := w.events()
		if slices.ContainsFunc(evs, func(e event) bool { return e.step() == step }) {
			return evs
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("waited for %s; events: %v", step, w.steps())
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// wantSteps checks the exact sequence of events the parent received.
func (w *widget) wantSteps(want ...string) []event {
	w.t.Helper()
	evs := w.waitStep(want[len(want)-1])
	got := make([]string, len(evs))
	for i, e := range evs {
		got[i] = e.step()
	}
	if !slices.Equal(got, want) {
		w.t.Fatalf("events:\n got %v\nwant %v", got, want)
	}
	return evs
}

// frameURLs lists the URL of every frame of the tab: the parent's and the
// widget's.
func (w *widget) frameURLs() []string {
	w.t.Helper()
	res, err := chromedp.Call(w.ctx, page.GetFrameTree, cdp.Empty{})
	if err != nil {
		w.t.Fatalf("read the frame tree: %v", err)
	}
	tree := res.FrameTree
	var urls []string
	var walk func(*page.FrameTree)
	walk = func(ft *page.FrameTree) {
		urls = append(urls, ft.Frame.URL+ft.Frame.URLFragment)
		for _, c := range ft.ChildFrames {
			walk(c)
		}
	}
	walk(tree)
	return urls
}

// shot saves the widget's frame as name-<language>.png when
// BANKFEED_SCREENSHOTS names a directory: the docs' images are taken by
// the tests (docs/connect.md says how).
func (w *widget) shot(name string) {
	w.t.Helper()
	dir := os.Getenv("BANKFEED_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(w.ctx, chromedp.Screenshot(chromedp.CSS("#widget")))
	if err != nil {
		w.t.Fatalf("screenshot %s: %v", name, err)
	}
	lang := "en"
	if strings.Contains(w.src, "language=fr") {
		lang = "fr"
	}
	if err := os.WriteFile(filepath.Join(dir, name+"-"+lang+".png"), png, 0o644); err != nil {
		w.t.Fatal(err)
	}
}

// redirectLogin reads the REDIRECT event: its url's loginId, which must be
// its loginId field too, and its url's query.
func redirectLogin(t *testing.T, evs []event) (string, url.Values) {
	t.Helper()
	i := slices.IndexFunc(evs, func(e event) bool { return e.step() == "REDIRECT" })
	if i < 0 {
		t.Fatal("no REDIRECT event")
	}
	u, err := url.Parse(evs[i].field("url"))
	if err != nil {
		t.Fatalf("REDIRECT url %q: %v", evs[i].field("url"), err)
	}
	q := u.Query()
	if q.Get("loginId") == "" || q.Get("loginId") != evs[i].field("loginId") {
		t.Fatalf("REDIRECT %v: the url's loginId and the loginId field differ", evs[i])
	}
	return q.Get("loginId"), q
}
