package app_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/internal/app"
	"github.com/chromedp/chromedp"
)

// TestConnectDemoPage runs a login in /v2/demo, the page that embeds the
// widget and prints every event it receives.
func TestConnectDemoPage(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	ctx := newTab(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(s.url+"/v2/demo")); err != nil {
		t.Fatal(err)
	}
	nodes, err := chromedp.Run(ctx, chromedp.Nodes(testID("demo-widget")))
	if err != nil || len(nodes) != 1 {
		t.Fatalf("the demo's iframe: %v", err)
	}
	w := &widget{t: t, ctx: ctx, frame: nodes[0], src: s.url + "/v2/?demo=true"}
	w.login("FlinksCapital", "", "greatday_nomfa", "Everyday")
	w.screen("success")
	var printed []string
	deadline := time.Now().Add(10 * time.Second)
	for len(printed) < 6 && time.Now().Before(deadline) {
		printed, err = chromedp.Run(ctx, chromedp.Evaluate[[]string](
			`Array.from(document.querySelectorAll('[data-testid="demo-event"]')).map(function (li) { return li.textContent; })`))
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(25 * time.Millisecond)
	}
	var steps []string
	for _, p := range printed {
		var e event
		if err := json.Unmarshal([]byte(p), &e); err != nil {
			t.Fatalf("the demo printed %q: %v", p, err)
		}
		steps = append(steps, e.step())
	}
	want := []string{"APP_MOUNTED", "COMPONENT_LOAD_INSTITUTION_SELECTOR", "INSTITUTION_SELECTED", "COMPONENT_LOAD_CREDENTIAL", "SUBMIT_CREDENTIAL", "REDIRECT"}
	if !slices.Equal(steps, want) {
		t.Errorf("the demo printed %v, want %v", steps, want)
	}
	if !strings.Contains(printed[len(printed)-1], `"loginId":"`) {
		t.Errorf("the demo's REDIRECT: %s", printed[len(printed)-1])
	}
}

// TestConnectOwnListener serves the widget on --connect-addr, an origin of
// its own: a login there reaches the same server, and the listener serves
// nothing but the widget and the API.
func TestConnectOwnListener(t *testing.T) {
	t.Parallel()
	connectAddr := make(chan string, 1)
	s := startServerWith(t, "", nil, []app.Option{app.WithConnectReady(func(addr string) { connectAddr <- addr })},
		"--connect-addr", "127.0.0.1:0")
	origin := "http://" + <-connectAddr
	if origin == s.url {
		t.Fatal("the widget's listener is the API's")
	}
	res, err := http.Get(origin + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /healthz on the widget's listener: %d", res.StatusCode)
	}
	w := openWidget(t, origin, "demo=true&jsRedirect=true", 420)
	w.login("FlinksCapital", "", "Greatday", "Everyday")
	w.screen("mfa")
	w.typeIn("mfa-answer-0", "Triangle")
	w.click("mfa-submit")
	evs := w.waitStep("REDIRECT")
	loginID, _ := redirectLogin(t, evs)
	// The API's listener opens the login the widget's listener made.
	openLogin(t, s, loginID, "Greatday")
}
