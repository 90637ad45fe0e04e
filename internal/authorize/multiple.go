package authorize

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/bankfeed/bankfeed/flinks"
)

// maxAuthorizeMultiple bounds the LoginIds of one AuthorizeMultiple.
const maxAuthorizeMultiple = 100

// Opened is a cached session AuthorizeMultiple opened over a login.
type Opened struct {
	LoginID, RequestID string
}

// Multiple is what AuthorizeMultiple opened: a session for each login that
// can be reopened, and the LoginIds of the others, in the request's order.
type Multiple struct {
	Valid   []Opened
	Invalid []string
}

// AuthorizeMultiple opens a cached session over each of several saved
// logins: the logins that can be reopened get a RequestId, the others are
// listed as invalid. Only cached sessions can be opened this way, since no
// person is there to answer a bank's questions for many logins at once.
func (s *Service) AuthorizeMultiple(ctx context.Context, customerID string, req *flinks.AuthorizeMultipleRequest) (*Multiple, error) {
	switch {
	case len(req.LoginIds) == 0:
		return nil, &flinks.Error{FlinksCode: flinks.CodeInvalidRequest, Message: "LoginIds must list at least one LoginId.",
			ValidationDetails: map[string][]string{"LoginIds": {"required"}}}
	case len(req.LoginIds) > maxAuthorizeMultiple:
		return nil, &flinks.Error{FlinksCode: flinks.CodeInvalidRequest,
			Message:           fmt.Sprintf("LoginIds lists %d LoginIds; at most %d are accepted at once.", len(req.LoginIds), maxAuthorizeMultiple),
			ValidationDetails: map[string][]string{"LoginIds": {"too many"}}}
	case req.MostRecentCached != nil && !bool(*req.MostRecentCached):
		return nil, &flinks.Error{FlinksCode: flinks.CodeInvalidRequest,
			Message:           "AuthorizeMultiple opens cached sessions only (MostRecentCached: true); reopen a login live with Authorize.",
			ValidationDetails: map[string][]string{"MostRecentCached": {"must be true"}}}
	}
	res := &Multiple{Valid: []Opened{}, Invalid: []string{}}
	seen := make(map[string]bool, len(req.LoginIds))
	for _, id := range req.LoginIds {
		id = strings.TrimSpace(id)
		if seen[id] {
			continue
		}
		seen[id] = true
		out, err := s.cached(ctx, customerID, &flinks.AuthorizeRequest{LoginId: id, MostRecentCached: true})
		var fe *flinks.Error
		switch {
		case err == nil:
			res.Valid = append(res.Valid, Opened{LoginID: id, RequestID: out.RequestID})
		case errors.As(err, &fe) && fe.RequestId != "":
			// The last live refresh failed: the session still serves the
			// data of the last successful one, as a cached Authorize does.
			res.Valid = append(res.Valid, Opened{LoginID: id, RequestID: fe.RequestId})
		case errors.As(err, &fe):
			res.Invalid = append(res.Invalid, id)
		default:
			return nil, err
		}
	}
	return res, nil
}
