package connect

import (
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func newHandler(t *testing.T) *Handler {
	t.Helper()
	h, err := New(Config{DemoCustomer: "43387ca6-0391-4c82-857d-70d95f087ecb"})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func get(h http.Handler, method, target string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec
}

func TestPagesAndTheirPolicies(t *testing.T) {
	h := newHandler(t)
	for _, tc := range []struct {
		path, ctype, csp string
	}{
		{"/v2/?demo=true", "text/html; charset=utf-8", widgetCSP},
		{"/v2/demo", "text/html; charset=utf-8", demoCSP},
		{"/v2/assets/connect.js", "text/javascript; charset=utf-8", "default-src 'none'"},
		{"/v2/assets/strings.js", "text/javascript; charset=utf-8", "default-src 'none'"},
		{"/v2/assets/connect.css", "text/css; charset=utf-8", "default-src 'none'"},
		{"/v2/assets/demo.js", "text/javascript; charset=utf-8", "default-src 'none'"},
	} {
		rec := get(h, http.MethodGet, tc.path)
		if rec.Code != http.StatusOK {
			t.Errorf("GET %s: %d", tc.path, rec.Code)
			continue
		}
		hdr := rec.Header()
		if hdr.Get("Content-Type") != tc.ctype || hdr.Get("Content-Security-Policy") != tc.csp ||
			hdr.Get("X-Content-Type-Options") != "nosniff" || hdr.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("GET %s: headers %v", tc.path, hdr)
		}
	}
	// The widget's policy: its own scripts and styles only, any ancestor.
	for _, want := range []string{"script-src 'self'", "style-src 'self'", "frame-ancestors *", "default-src 'none'"} {
		if !strings.Contains(widgetCSP, want) {
			t.Errorf("the widget's CSP %q lacks %q", widgetCSP, want)
		}
	}
	if strings.Contains(widgetCSP, "unsafe-") {
		t.Errorf("the widget's CSP allows unsafe sources: %q", widgetCSP)
	}
	if rec := get(h, http.MethodGet, "/v2/?demo=true"); !strings.Contains(rec.Body.String(),
		`<meta name="bankfeed-demo-customer" content="43387ca6-0391-4c82-857d-70d95f087ecb">`) {
		t.Errorf("the widget does not name the demo customer:\n%s", rec.Body)
	}
}

// TestNoInlineScriptOrStyle reads every page as served: a script without
// src, a style element or a style attribute, or an inline handler would
// be refused by the CSP, so none may exist.
func TestNoInlineScriptOrStyle(t *testing.T) {
	inline := regexp.MustCompile(`(?i)<script(?:\s[^>]*)?>\s*[^<\s]|<style|\sstyle=|\son[a-z]+=|javascript:`)
	external := regexp.MustCompile(`(?i)(src|href)="(https?:)?//`)
	err := fs.WalkDir(web, "web", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := web.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.HasSuffix(path, ".html") {
			if m := inline.Find(data); m != nil {
				t.Errorf("%s has inline code or style: %q", path, m)
			}
		}
		if m := external.Find(data); m != nil {
			t.Errorf("%s loads a third-party asset: %q", path, m)
		}
		if strings.HasSuffix(path, ".js") && (strings.Contains(string(data), "innerHTML") || strings.Contains(string(data), "eval(")) {
			t.Errorf("%s writes markup or evaluates code", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestErrorsAreFlinksShaped(t *testing.T) {
	h := newHandler(t)
	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{http.MethodGet, "/v2/nothing", http.StatusNotFound},
		{http.MethodGet, "/v2/assets/missing.js", http.StatusNotFound},
		{http.MethodGet, "/v2/assets/../connect.go", http.StatusNotFound},
		{http.MethodGet, "/v2/assets/", http.StatusNotFound},
		{http.MethodPost, "/v2/", http.StatusMethodNotAllowed},
	} {
		rec := get(h, tc.method, tc.path)
		var body struct {
			HttpStatusCode int
			FlinksCode     string
			Message        string
		}
		if rec.Code != tc.status || json.Unmarshal(rec.Body.Bytes(), &body) != nil || body.HttpStatusCode != tc.status ||
			body.FlinksCode != "METHOD_NOT_AVAILABLE" || body.Message == "" {
			t.Errorf("%s %s: %d %s", tc.method, tc.path, rec.Code, rec.Body)
		}
	}
	if rec := get(h, http.MethodGet, "/v2?demo=true"); rec.Code != http.StatusMovedPermanently || rec.Header().Get("Location") != "/v2/?demo=true" {
		t.Errorf("GET /v2: %d, Location %q", rec.Code, rec.Header().Get("Location"))
	}
}

func TestOriginServesOnlyTheWidgetAndTheAPI(t *testing.T) {
	server := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("server")) })
	o := Origin(server)
	for path, served := range map[string]bool{
		"/v2/": true, "/v2": true, "/v2/demo": true, "/v3/x/BankingServices/Authorize": true, "/V3/x/bankingservices/authorize": true,
		"/healthz": false, "/sandbox/v1/webhooks/deliveries": false, "/": false, "/v2x": false,
	} {
		rec := get(o, http.MethodGet, path)
		if got := rec.Body.String() == "server"; got != served {
			t.Errorf("GET %s on the widget's origin: %d %s", path, rec.Code, rec.Body)
		}
		if !served && rec.Code != http.StatusNotFound {
			t.Errorf("GET %s on the widget's origin: %d, want 404", path, rec.Code)
		}
	}
}

// TestEveryStringInFrench reads the widget's string tables: French has
// every key English has, and no French string is left in English.
func TestEveryStringInFrench(t *testing.T) {
	data, err := web.ReadFile("web/assets/strings.js")
	if err != nil {
		t.Fatal(err)
	}
	src := string(data)
	i := strings.Index(src, "\n  fr: {")
	if i < 0 || !strings.Contains(src[:i], "\n  en: {") {
		t.Fatal("strings.js has no en and fr tables")
	}
	entry := regexp.MustCompile(`(?m)^\s+([A-Za-z_]+): '((?:[^'\\]|\\.)*)'`)
	table := func(s string) map[string]string {
		m := map[string]string{}
		for _, e := range entry.FindAllStringSubmatch(s, -1) {
			m[e[1]] = e[2]
		}
		return m
	}
	en, fr := table(src[:i]), table(src[i:])
	if len(en) < 40 {
		t.Fatalf("read %d English strings: the pattern misses them", len(en))
	}
	// Names and the like, the same in both languages.
	same := map[string]bool{"imageAlt": true}
	for k, v := range en {
		f, ok := fr[k]
		switch {
		case !ok:
			t.Errorf("no French for %s (%q)", k, v)
		case f == v && !same[k]:
			t.Errorf("the French of %s is the English %q", k, v)
		}
	}
	for k := range fr {
		if _, ok := en[k]; !ok {
			t.Errorf("French %s has no English", k)
		}
	}
}
