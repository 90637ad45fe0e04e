package client

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// JournalEntry is one entry of the request journal: an API request with
// its answer (Kind "request"), or an event bankfeed emitted (Kind
// "event": a session's state, a fetch, a stored snapshot, a refresh, a
// webhook attempt).
type JournalEntry struct {
	// ID orders the journal: higher is newer.
	ID         int64  `json:"id"`
	Kind       string `json:"kind"`
	CustomerID string `json:"customer_id,omitempty"`
	LoginID    string `json:"login_id,omitempty"`
	RequestID  string `json:"request_id,omitempty"`
	Method     string `json:"method,omitempty"`
	Path       string `json:"path,omitempty"`
	// Status is the HTTP status answered; 499 when the client went away
	// first.
	Status     int     `json:"status,omitempty"`
	FlinksCode string  `json:"flinks_code,omitempty"`
	DurationMs float64 `json:"duration_ms,omitempty"`
	Event      string  `json:"event,omitempty"`
	Detail     string  `json:"detail,omitempty"`
	// At is the wall clock's time of the entry, Clock the server's clock
	// (the sandbox's virtual one).
	At    time.Time `json:"at"`
	Clock time.Time `json:"clock"`
	// RequestBody and ResponseBody are the bodies with every credential,
	// answer, token and key replaced by "[redacted]"; a body over 16 KiB or
	// not JSON is replaced by a note of its size.
	RequestBody  json.RawMessage `json:"request_body,omitempty"`
	ResponseBody json.RawMessage `json:"response_body,omitempty"`
}

// JournalFilter selects journal entries; the zero value selects the newest
// 100.
type JournalFilter struct {
	CustomerID string
	LoginID    string
	RequestID  string
	// AfterID selects the entries newer than that entry, for a reader
	// that polls; Since those at or after a time on the server's clock.
	AfterID int64
	Since   time.Time
	// Limit is 1 to 1000; 0 for 100.
	Limit int
}

// Journal reads the request journal, newest first.
func (s *Sandbox) Journal(ctx context.Context, f JournalFilter) ([]JournalEntry, error) {
	q := url.Values{}
	for k, v := range map[string]string{"customer_id": f.CustomerID, "login_id": f.LoginID, "request_id": f.RequestID} {
		if v != "" {
			q.Set(k, v)
		}
	}
	switch {
	case f.AfterID > 0:
		q.Set("since", strconv.FormatInt(f.AfterID, 10))
	case !f.Since.IsZero():
		q.Set("since", f.Since.Format(time.RFC3339Nano))
	}
	if f.Limit > 0 {
		q.Set("limit", strconv.Itoa(f.Limit))
	}
	op := "journal"
	if len(q) > 0 {
		op += "?" + q.Encode()
	}
	var out struct {
		Entries []JournalEntry `json:"entries"`
	}
	err := s.do(ctx, http.MethodGet, op, nil, &out)
	return out.Entries, err
}
