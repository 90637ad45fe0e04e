package metrics

import (
	"context"
	"log/slog"
	"time"

	"github.com/bankfeed/bankfeed/internal/store"
	"github.com/prometheus/client_golang/prometheus"
)

// jobStates are the states of an unfinished job, as store.Stats counts
// them.
var jobStates = []string{"available", "scheduled", "retryable", "running"}

var (
	sessionsDesc = prometheus.NewDesc("bankfeed_sessions",
		"Sessions (RequestIds) in the database, by state.", []string{"state"}, nil)
	savedLoginsDesc = prometheus.NewDesc("bankfeed_logins_saved",
		"Logins whose credentials are kept (saved with Save: true).", nil, nil)
	jobsDesc = prometheus.NewDesc("bankfeed_jobs",
		"Background jobs not finished, by kind and state (available, scheduled, retryable, running).", []string{"kind", "state"}, nil)
	jobWaitDesc = prometheus.NewDesc("bankfeed_job_oldest_available_seconds",
		"How long the available job of each kind that was due first has waited to be worked; 0 when none waits.", []string{"kind"}, nil)
	statsUpDesc = prometheus.NewDesc("bankfeed_database_stats_up",
		"1 when the database's counts (bankfeed_sessions, bankfeed_logins_saved, bankfeed_jobs...) were read at this scrape, 0 when the database did not answer in time and they are missing.", nil, nil)
)

// statsCollector reads the database's counts at each scrape: several
// processes may share the database, so no process could keep them in
// memory. It is bounded by a timeout, so that a scrape answers, with
// bankfeed_database_stats_up at 0, when the database does not.
type statsCollector struct {
	read    func(ctx context.Context) (*store.Stats, error)
	timeout time.Duration
	states  []string
	kinds   []string
	log     *slog.Logger
}

func (c *statsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{sessionsDesc, savedLoginsDesc, jobsDesc, jobWaitDesc, statsUpDesc} {
		ch <- d
	}
}

func (c *statsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	st, err := c.read(ctx)
	if err != nil {
		c.log.Warn("metrics: the database's counts could not be read", "err", err)
		ch <- prometheus.MustNewConstMetric(statsUpDesc, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(statsUpDesc, prometheus.GaugeValue, 1)

	sessions := map[string]int64{}
	for _, s := range c.states {
		sessions[s] = 0
	}
	for s, n := range st.Sessions {
		sessions[s] = n
	}
	for s, n := range sessions {
		ch <- prometheus.MustNewConstMetric(sessionsDesc, prometheus.GaugeValue, float64(n), s)
	}
	ch <- prometheus.MustNewConstMetric(savedLoginsDesc, prometheus.GaugeValue, float64(st.SavedLogins))

	type key struct{ kind, state string }
	jobs := map[key]int64{}
	waits := map[string]time.Duration{}
	for _, k := range c.kinds {
		waits[k] = 0
		for _, s := range jobStates {
			jobs[key{k, s}] = 0
		}
	}
	for _, j := range st.Jobs {
		jobs[key{j.Kind, j.State}] = j.Count
		if _, ok := waits[j.Kind]; !ok {
			waits[j.Kind] = 0
		}
		if j.State == "available" {
			waits[j.Kind] = j.OldestWait
		}
	}
	for k, n := range jobs {
		ch <- prometheus.MustNewConstMetric(jobsDesc, prometheus.GaugeValue, float64(n), k.kind, k.state)
	}
	for kind, w := range waits {
		ch <- prometheus.MustNewConstMetric(jobWaitDesc, prometheus.GaugeValue, w.Seconds(), kind)
	}
}
