package app

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkCachedAuthorize measures a cached Authorize through the HTTP
// handler with the real SQLite store: decode, read the login, write a new
// session, encode.
func BenchmarkCachedAuthorize(b *testing.B) {
	h := newStack(b)
	body := `{"LoginId":"` + savedLogin(b, h) + `","MostRecentCached":true}`
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, authorizePath, strings.NewReader(body)))
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}
