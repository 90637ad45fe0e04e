package app_test

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

// TestPprof checks that --pprof serves the runtime profiles on its own
// address and that the API's listener never does.
func TestPprof(t *testing.T) {
	t.Parallel()
	// A free port: the server cannot report the address of a second
	// listener through WithReady.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pprofAddr := ln.Addr().String()
	ln.Close()
	s := startServerArgs(t, "", nil, "--pprof", pprofAddr)

	get := func(url string) (int, string) {
		t.Helper()
		res, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res.StatusCode, string(body)
	}
	if code, body := get("http://" + pprofAddr + "/debug/pprof/"); code != http.StatusOK || !strings.Contains(body, "goroutine") {
		t.Errorf("GET /debug/pprof/ on --pprof: %d %.200s", code, body)
	}
	if code, body := get("http://" + pprofAddr + "/debug/pprof/heap?debug=1"); code != http.StatusOK || !strings.Contains(body, "heap profile") {
		t.Errorf("GET /debug/pprof/heap on --pprof: %d %.200s", code, body)
	}
	for _, path := range []string{"/debug/pprof/", "/debug/pprof/profile?seconds=1"} {
		if code, body := get(s.url + path); code != http.StatusNotFound {
			t.Errorf("GET %s on the API: %d %.200s, want 404", path, code, body)
		}
	}
}
