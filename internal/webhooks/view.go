package webhooks

import "time"

// View is a delivery as the log shows it, in the JSON of the sandbox
// control surface and of `bankfeed webhooks list --json`. The Go SDK has
// the same type (client.WebhookDelivery).
type View struct {
	ID         string        `json:"id"`
	CustomerID string        `json:"customer_id"`
	LoginID    string        `json:"login_id,omitempty"`
	RequestID  string        `json:"request_id,omitempty"`
	Type       string        `json:"type"`
	URL        string        `json:"url"`
	State      string        `json:"state"`
	CreatedAt  time.Time     `json:"created_at"`
	Attempts   []AttemptView `json:"attempts"`
}

// AttemptView is one attempt of a View.
type AttemptView struct {
	Attempt int       `json:"attempt"`
	At      time.Time `json:"at"`
	URL     string    `json:"url"`
	// StatusCode is the receiver's HTTP status; 0 when none came.
	StatusCode int     `json:"status_code"`
	Error      string  `json:"error,omitempty"`
	DurationMs float64 `json:"duration_ms"`
}

// ViewOf is the View of an entry of the log.
func ViewOf(e Entry) View {
	v := View{ID: e.ID, CustomerID: e.CustomerID, LoginID: e.LoginID, RequestID: e.RequestID, Type: e.Type, URL: e.URL,
		State: e.State, CreatedAt: e.CreatedAt, Attempts: []AttemptView{}}
	for _, a := range e.Attempts {
		v.Attempts = append(v.Attempts, AttemptView{Attempt: a.Attempt, At: a.At, URL: a.URL, StatusCode: a.Status, Error: a.Error,
			DurationMs: float64(a.Duration.Microseconds()) / 1000})
	}
	return v
}

// ViewsOf is the View of each entry.
func ViewsOf(es []Entry) []View {
	out := make([]View, 0, len(es))
	for _, e := range es {
		out = append(out, ViewOf(e))
	}
	return out
}
