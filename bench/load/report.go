package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"text/tabwriter"
)

// report is the result of one workload: a line of the table, or with -json
// one JSON object. Throughput counts operations, not requests: one
// operation is one iteration of the workload (cached: two requests; live:
// three and the polls), and the ratio compares the same operations on
// bankfeed and on the baseline. A figure that is unknown is null: the
// memory of a server the harness did not start (-url), the baseline of the
// sessions run.
type report struct {
	Workload string `json:"workload"`
	Target   string `json:"target"` // sqlite, postgres, or url
	// Metrics reports a server started with --metrics-addr and scraped
	// (-metrics).
	Metrics       bool     `json:"metrics"`
	Concurrency   int      `json:"concurrency"`
	Logins        int      `json:"logins"`
	DurationS     float64  `json:"duration_s"`
	Ops           int      `json:"ops"`
	Requests      int      `json:"requests"`
	ThroughputRPS float64  `json:"throughput_rps"`
	BaselineRPS   *float64 `json:"baseline_rps"`
	Ratio         *float64 `json:"ratio"`
	P50MS         float64  `json:"p50_ms"`
	P95MS         float64  `json:"p95_ms"`
	P99MS         float64  `json:"p99_ms"`
	MaxMS         float64  `json:"max_ms"`
	// RequestP50MS and RequestP99MS are of single requests, where the
	// others are of whole operations.
	RequestP50MS float64 `json:"request_p50_ms"`
	RequestP99MS float64 `json:"request_p99_ms"`
	Errors       int     `json:"errors"`
	PeakRSSBytes *int64  `json:"peak_rss_bytes"`
	// Baseline is the baseline's side of the run.
	Baseline *baselineReport `json:"baseline,omitempty"`
	// Sessions and RSSBytes are the sessions run's: how many sessions the
	// server held waiting on an answer, and its RSS then. Its throughput is
	// how fast they were opened, its latencies those of answering.
	Sessions *int   `json:"sessions,omitempty"`
	RSSBytes *int64 `json:"rss_bytes,omitempty"`
}

type baselineReport struct {
	Ops          int     `json:"ops"`
	P50MS        float64 `json:"p50_ms"`
	P95MS        float64 `json:"p95_ms"`
	P99MS        float64 `json:"p99_ms"`
	RequestP99MS float64 `json:"request_p99_ms"`
	Errors       int     `json:"errors"`
	PeakRSSBytes *int64  `json:"peak_rss_bytes"`
}

// fill sets the figures of r from a run's result.
func (rep *report) fill(r result) {
	rep.DurationS = r.window.Seconds()
	rep.Ops, rep.Requests, rep.Errors = r.ops, len(r.requests), r.errors
	if r.window > 0 {
		rep.ThroughputRPS = round(r.throughput(), 1)
	}
	rep.P50MS, rep.P95MS, rep.P99MS = percentile(r.latencies, 50), percentile(r.latencies, 95), percentile(r.latencies, 99)
	rep.MaxMS = percentile(r.latencies, 100)
	rep.RequestP50MS, rep.RequestP99MS = percentile(r.requests, 50), percentile(r.requests, 99)
}

func (rep *report) setBaseline(b result, peak *int64) {
	rps := round(b.throughput(), 1)
	rep.BaselineRPS = &rps
	if rps > 0 {
		ratio := round(rep.ThroughputRPS/rps, 3)
		rep.Ratio = &ratio
	}
	rep.Baseline = &baselineReport{Ops: b.ops, P50MS: percentile(b.latencies, 50), P95MS: percentile(b.latencies, 95),
		P99MS: percentile(b.latencies, 99), RequestP99MS: percentile(b.requests, 99), Errors: b.errors, PeakRSSBytes: peak}
}

func round(v float64, digits int) float64 {
	p := math.Pow10(digits)
	return math.Round(v*p) / p
}

func writeJSON(w io.Writer, rep report) error {
	data, err := json.Marshal(rep)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", data)
	return err
}

// writeTable writes the reports as a table readable in a terminal.
func writeTable(w io.Writer, reps []report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "workload\ttarget\tconc\tops/s\tbaseline ops/s\tratio\tp50 ms\tp95 ms\tp99 ms\treq p99 ms\terrors\tpeak RSS\tbaseline p99 ms\t")
	for _, r := range reps {
		if r.Sessions != nil {
			continue
		}
		base, ratio, bp99 := "-", "-", "-"
		if r.BaselineRPS != nil {
			base = fmt.Sprintf("%.1f", *r.BaselineRPS)
			bp99 = fmt.Sprintf("%.2f", r.Baseline.P99MS)
		}
		if r.Ratio != nil {
			ratio = fmt.Sprintf("%.3f", *r.Ratio)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.1f\t%s\t%s\t%.2f\t%.2f\t%.2f\t%.2f\t%d\t%s\t%s\t\n", r.Workload, r.Target, r.Concurrency,
			r.ThroughputRPS, base, ratio, r.P50MS, r.P95MS, r.P99MS, r.RequestP99MS, r.Errors, mib(r.PeakRSSBytes), bp99)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range reps {
		if r.Sessions == nil {
			continue
		}
		fmt.Fprintf(w, "\nsessions (%s): %d sessions waiting on an MFA answer, opened at %.1f/s; server RSS %s holding them, peak %s\n",
			r.Target, *r.Sessions, r.ThroughputRPS, mib(r.RSSBytes), mib(r.PeakRSSBytes))
		fmt.Fprintf(w, "answering %d of them, one at a time: p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms; errors %d\n",
			r.Ops, r.P50MS, r.P95MS, r.P99MS, r.MaxMS, r.Errors)
	}
	return nil
}

func mib(b *int64) string {
	if b == nil {
		return "unknown"
	}
	return fmt.Sprintf("%.1f MiB", float64(*b)/(1<<20))
}
