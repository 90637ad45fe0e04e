package authorize

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/store"
)

// This file holds the use cases that change a saved login outside an
// Authorize conversation: scheduled refresh, and the Enhanced MFA flow.

// SetScheduledRefresh turns the scheduled (nightly) refresh of a saved login
// on or off, and returns the message Flinks answers with.
func (s *Service) SetScheduledRefresh(ctx context.Context, customerID, loginID string, on bool) (string, error) {
	err := s.updateSavedLogin(ctx, customerID, loginID, func(l *store.Login, _ *loginSecret) (bool, error) {
		l.ScheduledRefresh = on
		return false, nil
	})
	if err != nil {
		return "", err
	}
	state := "deactivated"
	if on {
		state = "activated"
	}
	return "LoginId " + strings.TrimSpace(loginID) + " has now been " + state + " for automatic refresh", nil
}

// MFAQuestions returns the security questions of a saved login that have no
// stored answer. The questions are those recorded by a live Authorize with
// WithMfaQuestions and Save.
func (s *Service) MFAQuestions(ctx context.Context, customerID, loginID string) ([]string, error) {
	var out []string
	err := s.readSavedLogin(ctx, customerID, loginID, func(_ *store.Login, ls *loginSecret) error {
		if ls.Questions == nil {
			return &flinks.Error{FlinksCode: flinks.CodeInvalidRequest,
				Message: "This login's questions were never recorded: authorize it live with WithMfaQuestions: true and Save: true first."}
		}
		out = []string{}
		for _, q := range ls.Questions {
			if len(ls.Answers[q]) == 0 {
				out = append(out, q)
			}
		}
		return nil
	})
	return out, err
}

// AnswerMFAQuestions stores answers to a saved login's security questions.
// They are checked at the next live login: a wrong one is erased, and its
// question is asked again.
func (s *Service) AnswerMFAQuestions(ctx context.Context, customerID, loginID string, answers []flinks.MFAQuestion) error {
	if len(answers) == 0 {
		return &flinks.Error{FlinksCode: flinks.CodeInvalidRequest, Message: "Questions must hold at least one question and its answer.",
			ValidationDetails: map[string][]string{"Questions": {"required"}}}
	}
	return s.updateSavedLogin(ctx, customerID, loginID, func(_ *store.Login, ls *loginSecret) (bool, error) {
		known := make(map[string]string, len(ls.Questions))
		for _, q := range ls.Questions {
			known[NormalizePrompt(q)] = q
		}
		for i, a := range answers {
			q, ok := known[NormalizePrompt(a.Question)]
			if !ok {
				return false, &flinks.Error{FlinksCode: flinks.CodeInvalidRequest,
					Message: fmt.Sprintf("Questions[%d]: %s is not one of this login's questions; GetMFAQuestions lists them.", i, quote(a.Question))}
			}
			if strings.TrimSpace(a.Answer) == "" {
				return false, &flinks.Error{FlinksCode: flinks.CodeInvalidRequest, Message: fmt.Sprintf("Questions[%d]: the answer is empty.", i)}
			}
			if ls.Answers == nil {
				ls.Answers = make(map[string][]string)
			}
			ls.Answers[q] = []string{a.Answer}
		}
		return true, nil
	})
}

// listQuestions asks the connector for the login's security questions; a
// connector that cannot list them records none.
func (s *Service) listQuestions(ctx context.Context, c *conversation, state []byte) ([]string, error) {
	lister, ok := c.entry.conn.(connector.QuestionLister)
	if !ok {
		return []string{}, nil
	}
	qs, err := lister.Questions(ctx, connector.QuestionsRequest{State: state, Language: c.sess.Language})
	if err != nil {
		return nil, fmt.Errorf("authorize: list questions of %s: %w", c.entry.inst.Name, err)
	}
	if qs == nil {
		qs = []string{}
	}
	return qs, nil
}

// readSavedLogin runs fn on a saved login and its opened secret.
func (s *Service) readSavedLogin(ctx context.Context, customerID, loginID string, fn func(*store.Login, *loginSecret) error) error {
	login, err := s.findSaved(ctx, s.store, customerID, loginID)
	if err != nil {
		return err
	}
	var ls loginSecret
	if err := s.openLogin(login, &ls); err != nil {
		return err
	}
	return fn(login, &ls)
}

// updateSavedLogin changes a saved login in one transaction; fn reports
// whether it changed the secret, which is then sealed again.
func (s *Service) updateSavedLogin(ctx context.Context, customerID, loginID string, fn func(*store.Login, *loginSecret) (bool, error)) error {
	return retryConflict(func() error {
		return s.store.InTx(ctx, func(q store.Queries) error {
			login, err := s.findSaved(ctx, q, customerID, loginID)
			if err != nil {
				return err
			}
			var ls loginSecret
			if err := s.openLogin(login, &ls); err != nil {
				return err
			}
			sealAgain, err := fn(login, &ls)
			if err != nil {
				return err
			}
			if sealAgain {
				if err = s.sealLogin(login, ls); err != nil {
					return err
				}
			}
			login.UpdatedAt = s.now()
			return q.UpdateLogin(ctx, login)
		})
	})
}

// findSaved reads a saved login of the customer; an unknown, foreign or
// unsaved LoginId is INVALID_LOGIN.
func (s *Service) findSaved(ctx context.Context, q store.Queries, customerID, loginID string) (*store.Login, error) {
	loginID = strings.TrimSpace(loginID)
	if loginID == "" {
		return nil, &flinks.Error{FlinksCode: flinks.CodeInvalidRequest, Message: "LoginId is required.",
			ValidationDetails: map[string][]string{"LoginId": {"required"}}}
	}
	login, err := q.Login(ctx, customerID, loginID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !login.Saved) {
		return nil, &flinks.Error{FlinksCode: flinks.CodeInvalidLogin, Message: "The LoginId provided is either invalid or does not belong to the CustomerId."}
	}
	return login, err
}

// DeleteCard removes a login and everything bankfeed holds about it: its
// sealed credentials and answers, its data, its sessions (and so its
// RequestIds) and its jobs. It refuses with CARD_IN_USE while a fetch runs
// for the login, which would otherwise write the data back.
func (s *Service) DeleteCard(ctx context.Context, customerID, loginID string) (string, error) {
	loginID = strings.TrimSpace(loginID)
	err := s.store.InTx(ctx, func(q store.Queries) error {
		busy, err := q.LoginFetching(ctx, customerID, loginID)
		if err != nil {
			return err
		}
		if busy {
			return &flinks.Error{FlinksCode: flinks.CodeCardInUse,
				Message: "The login's data is being collected; delete it once the data calls answer 200."}
		}
		return q.DeleteLogin(ctx, customerID, loginID)
	})
	if errors.Is(err, store.ErrNotFound) {
		return "", &flinks.Error{FlinksCode: flinks.CodeInvalidLogin,
			Message: "Invalid LoginId: the LoginId provided is either invalid or does not belong to the CustomerId."}
	}
	if err != nil {
		return "", err
	}
	return "All of the information about LoginId " + loginID + " has been removed", nil
}

// maxAuthorizeMultiple bounds the LoginIds of one AuthorizeMultiple.
const maxAuthorizeMultiple = 100

// AuthorizeMultiple opens a cached session over each of several saved
// logins: the logins that can be reopened get a RequestId, the others are
// listed as invalid. Only cached sessions can be opened this way, since no
// person is there to answer a bank's questions for many logins at once.
func (s *Service) AuthorizeMultiple(ctx context.Context, customerID string, req *flinks.AuthorizeMultipleRequest) (*flinks.AuthorizeMultipleResponse, error) {
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
	resp := &flinks.AuthorizeMultipleResponse{HttpStatusCode: 200, ValidLoginIds: []flinks.LoginRequest{}, InvalidLoginIds: []string{}}
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
			resp.ValidLoginIds = append(resp.ValidLoginIds, flinks.LoginRequest{LoginId: id, RequestId: out.RequestId})
		case errors.As(err, &fe) && fe.RequestId != "":
			// The last live refresh failed: the session still serves the
			// data of the last successful one, as a cached Authorize does.
			resp.ValidLoginIds = append(resp.ValidLoginIds, flinks.LoginRequest{LoginId: id, RequestId: fe.RequestId})
		case errors.As(err, &fe):
			resp.InvalidLoginIds = append(resp.InvalidLoginIds, id)
		default:
			return nil, err
		}
	}
	return resp, nil
}
