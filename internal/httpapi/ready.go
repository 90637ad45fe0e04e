package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/bankfeed/bankfeed/flinks"
)

// ReadyTimeout bounds the checks of one /readyz request together: an
// orchestrator's probe must get an answer, and a database that takes
// longer than this to answer a ping is not one to send traffic to.
const ReadyTimeout = 2 * time.Second

// ReadyCheck is one condition of readiness, for /readyz. Check returns nil
// when it holds; otherwise its error's text is shown in the body, so it
// says what fails in words fit for an operator and holds nothing secret
// (the composition root logs the details).
type ReadyCheck struct {
	Name  string
	Check func(ctx context.Context) error
}

// readyBody is the body of /readyz: the Flinks shape (HttpStatusCode, and
// on a 503 FlinksCode and Message), the outcome of each check by name, and
// the version of the server answering.
type readyBody struct {
	HttpStatusCode int
	FlinksCode     flinks.Code `json:",omitempty"`
	Message        string      `json:",omitempty"`
	Status         string
	Version        string
	Checks         map[string]string
}

// handleReady answers 200 when every readiness check holds, 503
// RETRY_LATER with the failing ones otherwise. The checks run in order,
// under ReadyTimeout altogether.
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), ReadyTimeout)
	defer cancel()
	body := readyBody{HttpStatusCode: http.StatusOK, Status: "ready", Version: s.version, Checks: map[string]string{}}
	for _, c := range s.ready {
		if err := c.Check(ctx); err != nil {
			body.Checks[c.Name] = err.Error()
			if body.HttpStatusCode == http.StatusOK {
				body.HttpStatusCode, body.FlinksCode, body.Status = http.StatusServiceUnavailable, flinks.CodeRetryLater, "unavailable"
				body.Message = "bankfeed is not ready: " + c.Name + ": " + err.Error() + "."
			}
			continue
		}
		body.Checks[c.Name] = "ok"
	}
	if body.FlinksCode != "" {
		setFlinksCode(r.Context(), body.FlinksCode)
	}
	return writeJSON(w, body.HttpStatusCode, body)
}
