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

// BenchmarkCachedAuthorizeParallel is BenchmarkCachedAuthorize from 32
// concurrent callers per CPU, as a loaded server sees it: the sessions'
// writes queue for SQLite's one writer and share its transactions.
func BenchmarkCachedAuthorizeParallel(b *testing.B) {
	h := newStack(b)
	body := `{"LoginId":"` + savedLogin(b, h) + `","MostRecentCached":true}`
	b.ReportAllocs()
	b.SetParallelism(32)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, authorizePath, strings.NewReader(body)))
			if rec.Code != http.StatusOK {
				b.Errorf("status %d: %s", rec.Code, rec.Body)
				return
			}
		}
	})
}
