package authorize

import (
	"context"
	"errors"
	"strings"

	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/session"
	"github.com/bankfeed/bankfeed/internal/store"
)

// Status is where the session requestID stands, for the polls of
// /AuthorizeAsync: its round while challenged (as an empty
// SecurityResponses shows it), its login once authorized, and the error
// an Authorize would return otherwise (unknown, expired or failed).
// Reading it counts as activity, as showing a round does.
func (s *Service) Status(ctx context.Context, customerID, requestID string) (*Result, error) {
	sess, err := s.store.Session(ctx, customerID, strings.TrimSpace(requestID))
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if err == nil && session.State(sess.State) == session.Authorized && !session.Expired(machineOf(sess), s.now()) && sess.LoginID != "" {
		e, ok := s.banks.Lookup(sess.Institution)
		if !ok {
			return nil, &flinks.Error{FlinksCode: flinks.CodeDisabledInstitution, RequestId: sess.ID,
				Message: "The institution " + sess.Institution + " is no longer served."}
		}
		login, err := s.store.Login(ctx, customerID, sess.LoginID)
		if errors.Is(err, store.ErrNotFound) {
			return nil, &flinks.Error{FlinksCode: flinks.CodeSessionNonexistent, RequestId: sess.ID, Institution: sess.Institution,
				Message: "The login this RequestId authorized has been deleted."}
		}
		if err != nil {
			return nil, err
		}
		c := &conversation{sess: sess, stored: true, entry: e}
		return s.authorizedResult(c, login), nil
	}
	// Challenged, or an error: exactly what asking for the round answers.
	return s.answer(ctx, customerID, &flinks.AuthorizeRequest{RequestId: requestID})
}
