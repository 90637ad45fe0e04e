package app

import (
	"log/slog"
	"net/http"

	"github.com/bankfeed/bankfeed/internal/jobs"
	"github.com/bankfeed/bankfeed/internal/metrics"
	"github.com/bankfeed/bankfeed/internal/refresh"
	"github.com/bankfeed/bankfeed/internal/session"
	"github.com/bankfeed/bankfeed/internal/webhooks"
)

// newMetrics builds the metrics of a server on the stack's database: the
// counts are read from it at each scrape, with every session state and job
// kind bankfeed has reported even at zero.
func (s *stack) newMetrics() *metrics.Metrics {
	b := readBuildInfo()
	return metrics.New(metrics.Config{
		Build: metrics.Build{Version: b.Version, Revision: b.Revision, GoVersion: b.GoVersion},
		Stats: s.store.Stats,
		SessionStates: []string{string(session.Challenged), string(session.Answering), string(session.Authorized),
			string(session.Failed)},
		JobKinds: []string{refresh.FetchJob{}.Kind(), refresh.Job{}.Kind(), refresh.PlanJob{}.Kind(), webhooks.DeliverJob{}.Kind(),
			jobs.SweepJob{}.Kind()},
		Logger: s.log,
	})
}

// startMetrics serves /metrics on addr, a listener of its own like
// --pprof's: what the server counts is for the operator's Prometheus, not
// for the API's clients.
func startMetrics(addr string, m *metrics.Metrics, log *slog.Logger) (stop func() error, err error) {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	stop, bound, err := serveAside("metrics", addr, mux, log)
	if err != nil {
		return nil, err
	}
	log.Info("metrics listening", "addr", "http://"+bound+"/metrics")
	return stop, nil
}
