package app_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// waitFrameURL waits until a frame of the tab (the parent at index 0, the
// widget after) is at a URL beginning with prefix, and returns it.
func (w *widget) waitFrameURL(prefix string) (string, []string) {
	w.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		urls := w.frameURLs()
		for _, u := range urls {
			if strings.HasPrefix(u, prefix) {
				return u, urls
			}
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("no frame went to %s; frames: %v", prefix, urls)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestConnectRedirects checks where the widget goes after REDIRECT: the
// top window by default, the iframe itself with innerRedirect, nowhere
// with jsRedirect (the parent acts on the event); each time to
// redirectUrl with the loginId and institution in its query.
func TestConnectRedirects(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	done := startParent(t) + "/done"
	for _, tc := range []struct {
		name, query string
		top, inner  bool
	}{
		{"Top", "", true, false},
		{"Inner", "&innerRedirect=true", false, true},
		{"JS", "&jsRedirect=true", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := openWidget(t, s.url, "demo=true&redirectUrl="+url.QueryEscape(done)+tc.query, 420)
			w.login("FlinksCapital", "", "greatday_nomfa", "Everyday")
			var evs []event
			if !tc.top {
				evs = w.waitStep("REDIRECT")
			}
			switch {
			case tc.top:
				u, _ := w.waitFrameURL(done)
				loc, err := chromedp.Run(w.ctx, chromedp.Location())
				if err != nil || loc != u {
					t.Errorf("the top window is at %q (%v), want %q", loc, err, u)
				}
				q, _ := url.Parse(u)
				if q.Query().Get("loginId") == "" || q.Query().Get("institution") != "FlinksCapital" {
					t.Errorf("redirected to %s", u)
				}
				openLogin(t, s, q.Query().Get("loginId"), "greatday_nomfa")
			case tc.inner:
				loginID, _ := redirectLogin(t, evs)
				u, urls := w.waitFrameURL(done)
				if len(urls) != 2 || urls[1] != u || !strings.Contains(u, "loginId="+loginID) {
					t.Errorf("frames %v: want the widget's frame at %s with loginId %s", urls, done, loginID)
				}
			default:
				time.Sleep(500 * time.Millisecond)
				urls := w.frameURLs()
				if len(urls) != 2 || !strings.Contains(urls[1], "/v2/") {
					t.Errorf("with jsRedirect the widget navigated: %v", urls)
				}
				w.screen("success")
				w.shot("success")
			}
		})
	}
}

// TestConnectWebView posts the events to ReactNativeWebView, as JSON
// strings, when the widget runs in a mobile WebView (webview=true).
func TestConnectWebView(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	ctx := newTab(t)
	bridge := `window.ReactNativeWebView = { postMessage: function (m) { (window.nativeMessages = window.nativeMessages || []).push(m); } };`
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: bridge}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(s.url+"/v2/?demo=true&webview=true")); err != nil {
		t.Fatal(err)
	}
	sel := func(id string) chromedp.CSS { return testID(id) }
	if err := chromedp.Do(ctx,
		chromedp.Click(sel("institution-FlinksCapital"), chromedp.NodeVisible),
		chromedp.SendKeys(sel("credential-username"), "greatday_nomfa", chromedp.NodeVisible),
		chromedp.SendKeys(sel("credential-password"), "Everyday", chromedp.NodeVisible),
		chromedp.Click(sel("credential-submit"), chromedp.NodeVisible),
		chromedp.WaitVisible(chromedp.CSS(`main[data-testid="screen-success"]`)),
	); err != nil {
		t.Fatal(err)
	}
	msgs, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.nativeMessages`))
	if err != nil {
		t.Fatal(err)
	}
	var steps []string
	for _, m := range msgs {
		if !strings.HasPrefix(m, `{"step":"`) {
			t.Errorf("a WebView message is not the event's JSON: %q", m)
		}
		steps = append(steps, strings.SplitN(strings.TrimPrefix(m, `{"step":"`), `"`, 2)[0])
	}
	want := []string{"APP_MOUNTED", "COMPONENT_LOAD_INSTITUTION_SELECTOR", "INSTITUTION_SELECTED", "COMPONENT_LOAD_CREDENTIAL", "SUBMIT_CREDENTIAL", "REDIRECT"}
	if !slices.Equal(steps, want) {
		t.Errorf("WebView events %v, want %v", steps, want)
	}
}
