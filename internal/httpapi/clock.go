package httpapi

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/vclock"
)

// ClockResponse is the body of GET and POST /sandbox/v1/clock.
type ClockResponse struct {
	Now time.Time `json:"now"`
	// OffsetSeconds is how far the virtual clock is ahead of the real one
	// (behind it when negative: --clock-start in the past).
	OffsetSeconds float64 `json:"offset_seconds"`
}

// ClockRequest is the body of POST /sandbox/v1/clock: exactly one of
// Advance (a Go duration such as "72h", or a number of days such as "30d")
// and Set (an RFC 3339 time).
type ClockRequest struct {
	Advance string `json:"advance"`
	Set     string `json:"set"`
}

func (s *Server) clockResponse(w http.ResponseWriter, now time.Time) error {
	off := s.clock.Offset()
	return writeJSON(w, http.StatusOK, ClockResponse{Now: now.UTC(), OffsetSeconds: float64(off.Microseconds()) / 1e6})
}

// handleClock reads the virtual clock.
func (s *Server) handleClock(w http.ResponseWriter, r *http.Request) error {
	return s.clockResponse(w, s.clock.Now())
}

// handleMoveClock advances the virtual clock, or sets it to a later time.
func (s *Server) handleMoveClock(w http.ResponseWriter, r *http.Request) error {
	var req ClockRequest
	if err := s.decodeBody(w, r, &req); err != nil {
		return err
	}
	advance, set := strings.TrimSpace(req.Advance), strings.TrimSpace(req.Set)
	if (advance == "") == (set == "") {
		return clientError(flinks.CodeInvalidRequest, `Give exactly one of "advance" (a duration such as "72h") and "set" (an RFC 3339 time).`)
	}
	var now time.Time
	var err error
	if advance != "" {
		d, perr := parseAdvance(advance)
		if perr != nil {
			return perr
		}
		now, err = s.clock.Advance(r.Context(), d)
	} else {
		t, perr := time.Parse(time.RFC3339Nano, set)
		if perr != nil {
			return clientError(flinks.CodeInvalidRequest, `"set" must be an RFC 3339 time such as "2027-01-15T04:00:00Z".`)
		}
		now, err = s.clock.Set(r.Context(), t)
	}
	if errors.Is(err, vclock.ErrBackwards) {
		return &flinks.Error{HttpStatusCode: http.StatusConflict, FlinksCode: flinks.CodeInvalidRequest,
			Message: "The clock never goes backwards: " + strings.TrimPrefix(err.Error(), vclock.ErrBackwards.Error()+": ") + "."}
	}
	if err != nil {
		return err
	}
	return s.clockResponse(w, now)
}

// parseAdvance reads a Go duration, or a whole number of days ("30d"), not
// negative.
func parseAdvance(v string) (time.Duration, error) {
	var d time.Duration
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n > 100*365 {
			return 0, clientError(flinks.CodeInvalidRequest, `"advance" must be a duration such as "72h" or "90m", or a whole number of days such as "30d".`)
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(v); err != nil {
			return 0, clientError(flinks.CodeInvalidRequest, `"advance" must be a duration such as "72h" or "90m", or a whole number of days such as "30d".`)
		}
	}
	if d < 0 {
		return 0, &flinks.Error{HttpStatusCode: http.StatusConflict, FlinksCode: flinks.CodeInvalidRequest,
			Message: "The clock never goes backwards: \"advance\" must not be negative."}
	}
	return d, nil
}
