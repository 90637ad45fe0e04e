package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/faults"
	"github.com/bankfeed/bankfeed/internal/store"
)

// Endpoints are the names of the API's endpoints, as a fault rule names
// them: the BankingServices operations, the attribute packages, and
// Categorization.
func Endpoints() []string {
	out := append([]string(nil), operations...)
	return append(append(out, attributePackages...), "Categorization")
}

// endpointOf is the endpoint name of a route's pattern.
func endpointOf(pattern string) string {
	switch {
	case strings.Contains(pattern, "/BankingServices/"):
		op := pattern[strings.Index(pattern, "/BankingServices/")+len("/BankingServices/"):]
		op, _, _ = strings.Cut(op, "/")
		return op
	case strings.Contains(pattern, "/categorization/"):
		return "Categorization"
	}
	return pattern[strings.LastIndex(pattern, "/")+1:]
}

// injectFaults applies the fault rules to a request of an endpoint, once
// its customer is admitted: a rule that fires waits its latency, honouring
// the client's cancellation, then answers its error or lets the request
// through.
func (s *Server) injectFaults(endpoint string, h handlerFunc) handlerFunc {
	if s.faults == nil {
		return h
	}
	return func(w http.ResponseWriter, r *http.Request) error {
		eff, err := s.faults.Check(r.Context(), faults.Request{Endpoint: endpoint, CustomerID: customerID(r),
			Names: func() (string, string, string) { return s.requestNames(w, r) }})
		if err != nil {
			return err
		}
		if eff == nil {
			return h(w, r)
		}
		w.Header().Set("X-Bankfeed-Fault", eff.Rule.ID)
		if eff.Latency > 0 {
			t := time.NewTimer(eff.Latency)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				// The client is gone: nobody reads an answer.
				s.log.Debug("fault latency cut short by the client", "fault", eff.Rule.ID, "path", r.URL.Path)
				noteCancelled(r.Context())
				return nil
			}
		}
		if eff.Err != nil {
			return eff.Err
		}
		return h(w, r)
	}
}

// requestNames reads the RequestId, LoginId and Institution a request
// names, in its path or its JSON body; the body stays readable for the
// handler.
func (s *Server) requestNames(w http.ResponseWriter, r *http.Request) (requestID, loginID, institution string) {
	requestID, loginID = strings.TrimSpace(r.PathValue("requestId")), strings.TrimSpace(r.PathValue("loginId"))
	if r.Body == nil || r.Method == http.MethodGet || r.Method == http.MethodDelete {
		return requestID, loginID, ""
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, s.maxBody+1))
	r.Body = readCloser{io.MultiReader(bytes.NewReader(body), r.Body), r.Body}
	if err != nil {
		return requestID, loginID, ""
	}
	var named struct {
		RequestId, LoginId, Institution string
	}
	// Leniently: a body the handler will refuse names nothing.
	_ = json.Unmarshal(body, &named)
	if requestID == "" {
		requestID = strings.TrimSpace(named.RequestId)
	}
	if loginID == "" {
		loginID = strings.TrimSpace(named.LoginId)
	}
	return requestID, loginID, strings.TrimSpace(named.Institution)
}

// readCloser reads from a reader that replays what was read of a body,
// and closes the body.
type readCloser struct {
	io.Reader
	body io.Closer
}

func (rc readCloser) Close() error { return rc.body.Close() }

// FaultRequest is the body of POST /sandbox/v1/faults: every field is
// optional but one effect (status, flinks_code or latency).
type FaultRequest struct {
	Endpoint    string   `json:"endpoint"`
	Institution string   `json:"institution"`
	LoginID     string   `json:"login_id"`
	CustomerID  string   `json:"customer_id"`
	Status      int      `json:"status"`
	FlinksCode  string   `json:"flinks_code"`
	Latency     string   `json:"latency"`
	Probability *float64 `json:"probability"`
	Seed        *int64   `json:"seed"`
	Times       *int64   `json:"times"`
}

// FaultView is a rule as the control surface shows it.
type FaultView struct {
	ID          string    `json:"id"`
	Endpoint    string    `json:"endpoint,omitempty"`
	Institution string    `json:"institution,omitempty"`
	LoginID     string    `json:"login_id,omitempty"`
	CustomerID  string    `json:"customer_id,omitempty"`
	Status      int       `json:"status,omitempty"`
	FlinksCode  string    `json:"flinks_code,omitempty"`
	Latency     string    `json:"latency,omitempty"`
	Probability float64   `json:"probability"`
	Seed        int64     `json:"seed"`
	Times       int64     `json:"times,omitempty"`
	Matched     int64     `json:"matched"`
	Fired       int64     `json:"fired"`
	CreatedAt   time.Time `json:"created_at"`
}

func faultView(f *store.Fault) FaultView {
	v := FaultView{ID: f.ID, Endpoint: f.Endpoint, Institution: f.Institution, LoginID: f.LoginID, CustomerID: f.CustomerID,
		Status: f.Status, FlinksCode: f.FlinksCode, Probability: f.Probability, Seed: f.Seed, Times: f.Times,
		Matched: f.Matched, Fired: f.Fired, CreatedAt: f.CreatedAt}
	if f.Latency > 0 {
		v.Latency = f.Latency.String()
	}
	return v
}

// FaultsResponse is the body of GET /sandbox/v1/faults.
type FaultsResponse struct {
	Faults []FaultView `json:"faults"`
}

// handleAddFault adds a fault rule.
func (s *Server) handleAddFault(w http.ResponseWriter, r *http.Request) error {
	if s.faults == nil {
		return errNoFaults
	}
	var req FaultRequest
	if err := s.decodeStrict(w, r, &req); err != nil {
		return err
	}
	f, err := s.faults.Add(r.Context(), faults.Spec{Endpoint: req.Endpoint, Institution: req.Institution, LoginID: req.LoginID,
		CustomerID: req.CustomerID, Status: req.Status, FlinksCode: req.FlinksCode, Latency: req.Latency,
		Probability: req.Probability, Seed: req.Seed, Times: req.Times})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, faultView(f))
}

// handleFaults lists the rules with their counts.
func (s *Server) handleFaults(w http.ResponseWriter, r *http.Request) error {
	if s.faults == nil {
		return errNoFaults
	}
	fs, err := s.faults.List(r.Context())
	if err != nil {
		return err
	}
	resp := FaultsResponse{Faults: make([]FaultView, len(fs))}
	for i, f := range fs {
		resp.Faults[i] = faultView(f)
	}
	return writeJSON(w, http.StatusOK, resp)
}

// handleRemoveFault removes one rule.
func (s *Server) handleRemoveFault(w http.ResponseWriter, r *http.Request) error {
	if s.faults == nil {
		return errNoFaults
	}
	if err := s.faults.Remove(r.Context(), r.PathValue("id")); errors.Is(err, faults.ErrNoRule) {
		return &flinks.Error{HttpStatusCode: http.StatusNotFound, FlinksCode: flinks.CodeInvalidRequest, Message: "No such fault rule."}
	} else if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, RemovedResponse{Removed: 1})
}

// RemovedResponse counts what a DELETE removed.
type RemovedResponse struct {
	Removed int64 `json:"removed"`
}

// handleClearFaults removes every rule, or a customer's with
// ?customer_id=.
func (s *Server) handleClearFaults(w http.ResponseWriter, r *http.Request) error {
	if s.faults == nil {
		return errNoFaults
	}
	n, err := s.faults.Clear(r.Context(), r.URL.Query().Get("customer_id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, RemovedResponse{Removed: n})
}

var errNoFaults = &flinks.Error{HttpStatusCode: http.StatusNotFound, FlinksCode: flinks.CodeMethodNotAvailable,
	Message: "Fault injection is not configured on this server."}

// decodeStrict reads the JSON object of a control call: unlike the Flinks
// API, which ignores what it does not know, the control surface refuses
// an unknown field, which is a typo that would otherwise change nothing.
func (s *Server) decodeStrict(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.maxBody))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return &flinks.Error{HttpStatusCode: http.StatusRequestEntityTooLarge, FlinksCode: flinks.CodeInvalidRequest,
			Message: "The request body is larger than " + byteSize(s.maxBody) + "."}
	}
	if err != nil {
		return clientError(flinks.CodeInvalidRequest, "The request body could not be read.")
	}
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return clientError(flinks.CodeInvalidRequest, "The request body must be a JSON object.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return &flinks.Error{FlinksCode: flinks.CodeInvalidRequest, Message: "Unknown field " + name + ".",
				ValidationDetails: map[string][]string{strings.Trim(name, `"`): {"unknown field"}}}
		}
		return clientError(flinks.CodeInvalidRequest, describe(err))
	}
	if dec.More() {
		return clientError(flinks.CodeInvalidRequest, "The request body must hold one JSON object and nothing after it.")
	}
	return nil
}
