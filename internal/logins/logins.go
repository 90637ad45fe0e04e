// Package logins changes saved logins outside an Authorize conversation:
// SetScheduledRefresh, the Enhanced MFA calls (GetMFAQuestions and
// AnswerMFAQuestions) and DeleteCard.
package logins

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/secrets"
	"github.com/bankfeed/bankfeed/internal/session"
	"github.com/bankfeed/bankfeed/internal/store"
)

// Config holds the dependencies of a Service.
type Config struct {
	Store   store.Store
	Secrets *secrets.Keeper
	// Now is the application's clock; time.Now when nil.
	Now func() time.Time
	// Deleted, when set, is told of each login DeleteCard removed, once
	// the deletion is committed: for copies of its data kept in memory.
	Deleted func(customerID, loginID string)
}

// Service changes saved logins. It is safe for concurrent use.
type Service struct {
	store   store.Store
	secrets *secrets.Keeper
	now     func() time.Time
	deleted func(customerID, loginID string)
}

// NewService returns a Service.
func NewService(cfg Config) *Service {
	return &Service{store: cfg.Store, secrets: cfg.Secrets, now: store.Clock(cfg.Now), deleted: cfg.Deleted}
}

// SetScheduledRefresh turns the scheduled (nightly) refresh of a saved login
// on or off.
func (s *Service) SetScheduledRefresh(ctx context.Context, customerID, loginID string, on bool) error {
	return s.updateSaved(ctx, customerID, loginID, func(l *store.Login, _ *secrets.Login) (bool, error) {
		l.ScheduledRefresh = on
		return false, nil
	})
}

// MFAQuestions returns the security questions of a saved login that have no
// stored answer. The questions are those recorded by a live Authorize with
// WithMfaQuestions and Save.
func (s *Service) MFAQuestions(ctx context.Context, customerID, loginID string) ([]string, error) {
	login, err := s.findSaved(ctx, s.store, customerID, loginID)
	if err != nil {
		return nil, err
	}
	ls, err := s.secrets.OpenLogin(login)
	if err != nil {
		return nil, err
	}
	if ls.Questions == nil {
		return nil, &flinks.Error{FlinksCode: flinks.CodeInvalidRequest,
			Message: "This login's questions were never recorded: authorize it live with WithMfaQuestions: true and Save: true first."}
	}
	out := []string{}
	for _, q := range ls.Questions {
		if len(ls.Answers[q]) == 0 {
			out = append(out, q)
		}
	}
	return out, nil
}

// AnswerMFAQuestions stores answers to a saved login's security questions.
// They are checked at the next live login: a wrong one is erased, and its
// question is asked again.
func (s *Service) AnswerMFAQuestions(ctx context.Context, customerID, loginID string, answers []flinks.MFAQuestion) error {
	if len(answers) == 0 {
		return &flinks.Error{FlinksCode: flinks.CodeInvalidRequest, Message: "Questions must hold at least one question and its answer.",
			ValidationDetails: map[string][]string{"Questions": {"required"}}}
	}
	return s.updateSaved(ctx, customerID, loginID, func(_ *store.Login, ls *secrets.Login) (bool, error) {
		known := make(map[string]string, len(ls.Questions))
		for _, q := range ls.Questions {
			known[session.NormalizePrompt(q)] = q
		}
		for i, a := range answers {
			q, ok := known[session.NormalizePrompt(a.Question)]
			if !ok {
				return false, &flinks.Error{FlinksCode: flinks.CodeInvalidRequest,
					Message: fmt.Sprintf("Questions[%d]: %s is not one of this login's questions; GetMFAQuestions lists them.", i, session.Quote(a.Question))}
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

// updateSaved changes a saved login in one transaction; fn reports whether
// it changed the secret, which is then sealed again.
func (s *Service) updateSaved(ctx context.Context, customerID, loginID string, fn func(*store.Login, *secrets.Login) (bool, error)) error {
	return store.RetryConflict(func() error {
		return s.store.InTx(ctx, func(q store.Queries) error {
			login, err := s.findSaved(ctx, q, customerID, loginID)
			if err != nil {
				return err
			}
			ls, err := s.secrets.OpenLogin(login)
			if err != nil {
				return err
			}
			sealAgain, err := fn(login, &ls)
			if err != nil {
				return err
			}
			if sealAgain {
				if err = s.secrets.SealLogin(login, ls); err != nil {
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
// sealed credentials and answers, its data key, its data, its sessions (and
// so its RequestIds) and its jobs. It refuses with CARD_IN_USE while a fetch
// runs for the login, which would otherwise write the data back.
func (s *Service) DeleteCard(ctx context.Context, customerID, loginID string) error {
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
		return &flinks.Error{FlinksCode: flinks.CodeInvalidLogin,
			Message: "Invalid LoginId: the LoginId provided is either invalid or does not belong to the CustomerId."}
	}
	if err == nil && s.deleted != nil {
		s.deleted(customerID, loginID)
	}
	return err
}
