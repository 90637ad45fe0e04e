package httpapi

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/journal"
	"github.com/bankfeed/bankfeed/internal/store"
)

// statusClientClosed is the journal's status of a request whose client
// went away before the answer (nginx's convention; never sent).
const statusClientClosed = 499

// journaling is one API request being recorded: what was read of its body
// and written of its answer, up to the journal's limit, and their sizes.
type journaling struct {
	http.ResponseWriter
	reqBody, respBody []byte
	reqSize, respSize int
}

// journalStart begins the record of an API request, if the journal is on:
// it returns the writer the request is served through, and a function
// that records it once served.
func (s *Server) journalStart(w *recorder, r *http.Request, start time.Time) (http.ResponseWriter, func(info *requestInfo)) {
	if s.journal == nil || !strings.HasPrefix(r.URL.Path, "/v3/") {
		return w, nil
	}
	j := &journaling{ResponseWriter: w}
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = readCloser{&bodyTee{r: r.Body, j: j}, r.Body}
	}
	s.journal.Begin()
	return j, func(info *requestInfo) {
		e := store.JournalEntry{CustomerID: customerID(r), LoginID: strings.TrimSpace(r.PathValue("loginId")),
			RequestID: info.requestID, Method: r.Method, Path: r.URL.Path, Status: w.status,
			Duration: time.Since(start), At: start.UTC()}
		if e.RequestID == "" {
			e.RequestID = strings.TrimSpace(r.PathValue("requestId"))
		}
		if e.LoginID == "" {
			e.LoginID = info.loginID
		}
		if info.cancelled {
			e.Status = statusClientClosed
		}
		if len(e.CustomerID) > 64 {
			e.CustomerID = e.CustomerID[:64]
		}
		s.journal.Request(e, j.reqBody, j.reqSize, j.respBody, j.respSize)
	}
}

func (j *journaling) Write(b []byte) (int, error) {
	// A body over the limit is not kept, so not copied: the journal notes
	// its size only. writeJSON writes a body in one piece.
	if j.respSize+len(b) <= journal.MaxBody {
		j.respBody = append(j.respBody, b...)
	}
	j.respSize += len(b)
	return j.ResponseWriter.Write(b)
}

// bodyTee keeps what the handler reads of a request body.
type bodyTee struct {
	r io.Reader
	j *journaling
}

func (t *bodyTee) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if t.j.reqSize+n <= journal.MaxBody {
		t.j.reqBody = append(t.j.reqBody, p[:n]...)
	}
	t.j.reqSize += n
	return n, err
}

// JournalEntryView is a journal entry as the control surface shows it.
type JournalEntryView struct {
	ID           int64           `json:"id"`
	Kind         string          `json:"kind"`
	CustomerID   string          `json:"customer_id,omitempty"`
	LoginID      string          `json:"login_id,omitempty"`
	RequestID    string          `json:"request_id,omitempty"`
	Method       string          `json:"method,omitempty"`
	Path         string          `json:"path,omitempty"`
	Status       int             `json:"status,omitempty"`
	FlinksCode   string          `json:"flinks_code,omitempty"`
	DurationMs   float64         `json:"duration_ms,omitempty"`
	Event        string          `json:"event,omitempty"`
	Detail       string          `json:"detail,omitempty"`
	At           time.Time       `json:"at"`
	Clock        time.Time       `json:"clock"`
	RequestBody  json.RawMessage `json:"request_body,omitempty"`
	ResponseBody json.RawMessage `json:"response_body,omitempty"`
}

// JournalResponse is the body of GET /sandbox/v1/journal.
type JournalResponse struct {
	Entries []JournalEntryView `json:"entries"`
}

// handleJournal reads the journal, newest first.
func (s *Server) handleJournal(w http.ResponseWriter, r *http.Request) error {
	if s.journal == nil {
		return &flinks.Error{HttpStatusCode: http.StatusNotFound, FlinksCode: flinks.CodeMethodNotAvailable,
			Message: "The journal is off on this server (--journal-size 0)."}
	}
	limit, err := queryInt(r, "limit", 100)
	if err != nil {
		return err
	}
	if limit < 1 || limit > 1000 {
		return &flinks.Error{FlinksCode: flinks.CodeInvalidRequest, Message: "limit must be between 1 and 1000.",
			ValidationDetails: map[string][]string{"limit": {"must be between 1 and 1000"}}}
	}
	query := r.URL.Query()
	q := store.JournalQuery{CustomerID: strings.ToLower(strings.TrimSpace(query.Get("customer_id"))),
		LoginID: strings.TrimSpace(query.Get("login_id")), RequestID: strings.TrimSpace(query.Get("request_id")), Limit: limit}
	if since := strings.TrimSpace(query.Get("since")); since != "" {
		if n, err := strconv.ParseInt(since, 10, 64); err == nil && n >= 0 {
			q.AfterSeq = n
		} else if t, err := time.Parse(time.RFC3339Nano, since); err == nil {
			q.Since = t
		} else {
			return &flinks.Error{FlinksCode: flinks.CodeInvalidRequest,
				Message:           "since must be an entry's id (entries after it) or an RFC 3339 time (entries at it or later, on the server's clock).",
				ValidationDetails: map[string][]string{"since": {"must be an entry id or an RFC 3339 time"}}}
		}
	}
	es, err := s.journal.Query(r.Context(), q)
	if err != nil {
		return err
	}
	resp := JournalResponse{Entries: make([]JournalEntryView, len(es))}
	for i, e := range es {
		resp.Entries[i] = JournalEntryView{ID: e.Seq, Kind: e.Kind, CustomerID: e.CustomerID, LoginID: e.LoginID, RequestID: e.RequestID,
			Method: e.Method, Path: e.Path, Status: e.Status, FlinksCode: e.FlinksCode,
			DurationMs: float64(e.Duration.Microseconds()) / 1000, Event: e.Event, Detail: e.Detail, At: e.At, Clock: e.Clock}
		if json.Valid(e.RequestBody) {
			resp.Entries[i].RequestBody = e.RequestBody
		}
		if json.Valid(e.ResponseBody) {
			resp.Entries[i].ResponseBody = e.ResponseBody
		}
	}
	return writeJSON(w, http.StatusOK, resp)
}
