package httpapi

import (
	"errors"
	"net/http"

	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/store"
)

// statusOf is the one table from FlinksCode to HTTP status. docs/errors.md
// shows it with the reasons for each choice where the Flinks sources
// disagree or are silent; keep the two in step.
var statusOf = map[flinks.Code]int{
	flinks.CodeOperationPending:            http.StatusAccepted,
	flinks.CodeOperationDispatched:         http.StatusAccepted,
	flinks.CodeSessionNonexistent:          http.StatusBadRequest,
	flinks.CodeCardInUse:                   http.StatusBadRequest,
	flinks.CodeInvalidRequest:              http.StatusBadRequest,
	flinks.CodeAlreadyAuthorized:           http.StatusBadRequest,
	flinks.CodeConcurrentSession:           http.StatusBadRequest,
	flinks.CodeSessionExpired:              http.StatusBadRequest,
	flinks.CodeInvalidLogin:                http.StatusUnauthorized,
	flinks.CodeAccessDenied:                http.StatusUnauthorized,
	flinks.CodeInvalidUsername:             http.StatusUnauthorized,
	flinks.CodeInvalidPassword:             http.StatusUnauthorized,
	flinks.CodeInvalidSecurityResponse:     http.StatusUnauthorized,
	flinks.CodeQuestionNotFound:            http.StatusUnauthorized,
	flinks.CodeRetryLater:                  http.StatusUnauthorized,
	flinks.CodeUnknownChallengeKey:         http.StatusUnauthorized,
	flinks.CodeSecurityResponsesIncomplete: http.StatusUnauthorized,
	flinks.CodeUnauthorized:                http.StatusUnauthorized,
	flinks.CodeDisabledLogin:               http.StatusUnauthorized,
	flinks.CodeNewAccount:                  http.StatusUnauthorized,
	flinks.CodeTooManyRequests:             http.StatusForbidden,
	flinks.CodeMethodNotAvailable:          http.StatusNotFound,
	flinks.CodeDisabledInstitution:         http.StatusMethodNotAllowed,
	flinks.CodeAggregationError:            http.StatusInternalServerError,
}

// StatusOf returns the HTTP status of a FlinksCode; 500 for a code missing
// from the table, which is a bug.
func StatusOf(code flinks.Code) int {
	if s, ok := statusOf[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// StatusTable returns a copy of the FlinksCode to HTTP status table, for the
// test that keeps docs/errors.md in step with it.
func StatusTable() map[flinks.Code]int {
	out := make(map[flinks.Code]int, len(statusOf))
	for k, v := range statusOf {
		out[k] = v
	}
	return out
}

// errorBody turns err into the error body a client receives. A
// *flinks.Error is shown as is; anything else is a server failure whose
// details go to the log only.
func errorBody(err error) *flinks.Error {
	var fe *flinks.Error
	if errors.As(err, &fe) {
		body := *fe
		if body.HttpStatusCode == 0 {
			body.HttpStatusCode = StatusOf(body.FlinksCode)
		}
		if body.Message == "" {
			body.Message = string(body.FlinksCode)
		}
		return &body
	}
	if errors.Is(err, store.ErrUnavailable) {
		// The database is down, restarting or too slow: nothing the client
		// sent is wrong, and the same request will succeed once it is back.
		return &flinks.Error{HttpStatusCode: http.StatusServiceUnavailable, FlinksCode: flinks.CodeRetryLater,
			Message: "bankfeed's database is unavailable for a moment; retry the request in a few seconds."}
	}
	return &flinks.Error{HttpStatusCode: http.StatusInternalServerError, FlinksCode: flinks.CodeAggregationError,
		Message: "bankfeed could not complete the request; it has been logged. Try again."}
}

// clientError builds a client error of the given code; its status comes from
// the table.
func clientError(code flinks.Code, msg string) *flinks.Error {
	return &flinks.Error{FlinksCode: code, Message: msg}
}
