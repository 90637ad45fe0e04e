package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"regexp"
	"testing"
	"time"
)

// TestMain lets the test binary serve as the baseline, as the harness's
// binary does when it starts one.
func TestMain(m *testing.M) {
	if os.Getenv(roleEnv) == roleBaseline {
		os.Exit(baselineMain(os.Stderr))
	}
	os.Exit(m.Run())
}

// TestRunJSON runs every workload briefly, with a few logins and clients,
// against a bankfeed the harness builds and starts, and checks the shape of
// the JSON it prints and that nothing failed. It checks no figure: a
// loaded machine makes any of them slow.
func TestRunJSON(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts bankfeed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	err := run(ctx, []string{"-json", "-workload", "cached,live,mixed,sessions", "-duration", "500ms", "-warmup", "0s",
		"-concurrency", "2", "-logins", "3", "-sessions", "20", "-answers", "5", "-poll", "10ms"}, &stdout, &stderr)
	t.Log(stderr.String())
	if err != nil {
		t.Fatal(err)
	}

	want := []string{"cached", "live", "mixed", "sessions"}
	var got []map[string]any
	sc := bufio.NewScanner(&stdout)
	for sc.Scan() {
		var obj map[string]any
		if err := json.Unmarshal(sc.Bytes(), &obj); err != nil {
			t.Fatalf("a line of the output is not a JSON object: %v\n%s", err, sc.Bytes())
		}
		got = append(got, obj)
	}
	if len(got) != len(want) {
		t.Fatalf("%d JSON objects, want %d:\n%s", len(got), len(want), stdout.String())
	}
	number := func(obj map[string]any, key string) float64 {
		t.Helper()
		v, ok := obj[key].(float64)
		if !ok {
			t.Errorf("%s: %s = %#v, want a number", obj["workload"], key, obj[key])
		}
		return v
	}
	for i, obj := range got {
		if obj["workload"] != want[i] {
			t.Errorf("object %d: workload %v, want %s", i, obj["workload"], want[i])
		}
		if obj["target"] != "sqlite" {
			t.Errorf("%s: target %v, want sqlite", want[i], obj["target"])
		}
		for _, key := range []string{"throughput_rps", "p50_ms", "p95_ms", "p99_ms", "peak_rss_bytes"} {
			number(obj, key)
		}
		if n := number(obj, "errors"); n != 0 {
			t.Errorf("%s: %v errors", want[i], n)
		}
		if number(obj, "peak_rss_bytes") <= 0 {
			t.Errorf("%s: peak_rss_bytes %v, want the server's", want[i], obj["peak_rss_bytes"])
		}
		if want[i] == "sessions" {
			if obj["baseline_rps"] != nil || obj["ratio"] != nil {
				t.Errorf("sessions: baseline_rps %v, ratio %v, want null: the baseline holds no session", obj["baseline_rps"], obj["ratio"])
			}
			if number(obj, "sessions") != 20 || number(obj, "ops") != 5 || number(obj, "rss_bytes") <= 0 {
				t.Errorf("sessions: %v", obj)
			}
			continue
		}
		number(obj, "baseline_rps")
		number(obj, "ratio")
		if b, ok := obj["baseline"].(map[string]any); !ok || b["errors"] != 0.0 {
			t.Errorf("%s: baseline %v, want one without errors", want[i], obj["baseline"])
		}
	}
	// A cached operation takes milliseconds: half a second holds some, on
	// either server, however loaded the machine.
	if got[0]["ops"] == 0.0 || got[0]["baseline"].(map[string]any)["ops"] == 0.0 {
		t.Errorf("cached: no operation finished: %v", got[0])
	}
}

// TestRunMetrics runs the cached workload briefly against a server with
// --metrics-addr, scraped by the harness, and checks that the report says
// so and that every scrape succeeded.
func TestRunMetrics(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts bankfeed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	err := run(ctx, []string{"-json", "-workload", "cached", "-duration", "500ms", "-warmup", "0s", "-concurrency", "2",
		"-logins", "3", "-baseline=false", "-metrics", "-scrape-interval", "50ms"}, &stdout, &stderr)
	t.Log(stderr.String())
	if err != nil {
		t.Fatal(err)
	}
	var rep map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("%v\n%s", err, stdout.Bytes())
	}
	if rep["metrics"] != true || rep["errors"] != 0.0 {
		t.Errorf("report: metrics %v, errors %v; want true and 0", rep["metrics"], rep["errors"])
	}
	m := regexp.MustCompile(`scraped http://\S+/metrics (\d+) times, (\d+) failed`).FindStringSubmatch(stderr.String())
	if m == nil || m[1] == "0" || m[2] != "0" {
		t.Errorf("scrapes: %q, want some and none failed", m)
	}
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := range 100 {
		d = append(d, time.Duration(i+1)*time.Millisecond)
	}
	for _, c := range []struct{ p, want float64 }{{50, 50}, {95, 95}, {99, 99}, {100, 100}, {0.5, 1}} {
		if got := percentile(d, c.p); got != c.want {
			t.Errorf("percentile(1..100 ms, %v) = %v, want %v", c.p, got, c.want)
		}
	}
	if got := percentile(d[:3], 50); got != 2 {
		t.Errorf("percentile(1..3 ms, 50) = %v, want 2", got)
	}
	if got := percentile(nil, 99); got != 0 {
		t.Errorf("percentile of nothing = %v, want 0", got)
	}
}

// TestTable checks that without -json the harness prints its table.
func TestTable(t *testing.T) {
	rps, ratio, peak := 100.0, 0.5, int64(64<<20)
	var out bytes.Buffer
	reps := []report{{Workload: "cached", Target: "sqlite", Concurrency: 64, ThroughputRPS: 50, BaselineRPS: &rps, Ratio: &ratio,
		P99MS: 12.5, PeakRSSBytes: &peak, Baseline: &baselineReport{P99MS: 3}}}
	if err := writeTable(&out, reps); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"workload", "cached", "0.500", "12.50", "64.0 MiB"} {
		if !bytes.Contains(out.Bytes(), []byte(want)) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
}
