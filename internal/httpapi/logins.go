package httpapi

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/bankfeed/bankfeed/flinks"
)

// handleSetScheduledRefresh serves PATCH /SetScheduledRefresh. Its 200 body
// is a bare JSON string, as Flinks answers.
func (s *Server) handleSetScheduledRefresh(w http.ResponseWriter, r *http.Request) error {
	var req flinks.SetScheduledRefreshRequest
	if err := s.decodeBody(w, r, &req); err != nil {
		return err
	}
	if err := s.logins.SetScheduledRefresh(r.Context(), customerID(r), req.LoginId, bool(req.IsActivated)); err != nil {
		return err
	}
	state := "deactivated"
	if req.IsActivated {
		state = "activated"
	}
	return writeJSON(w, http.StatusOK, "LoginId "+strings.TrimSpace(req.LoginId)+" has now been "+state+" for automatic refresh")
}

// handleGetMFAQuestions serves GET /GetMFAQuestions/{loginId}.
func (s *Server) handleGetMFAQuestions(w http.ResponseWriter, r *http.Request) error {
	qs, err := s.logins.MFAQuestions(r.Context(), customerID(r), r.PathValue("loginId"))
	if err != nil {
		return err
	}
	resp := flinks.MFAQuestionsResponse{HttpStatusCode: http.StatusOK, Message: "SUCCESS", Questions: make([]flinks.MFAQuestion, len(qs))}
	for i, q := range qs {
		resp.Questions[i] = flinks.MFAQuestion{Question: q}
	}
	return writeJSON(w, http.StatusOK, resp)
}

// handleAnswerMFAQuestions serves PATCH /AnswerMFAQuestions.
func (s *Server) handleAnswerMFAQuestions(w http.ResponseWriter, r *http.Request) error {
	var req flinks.AnswerMFAQuestionsRequest
	if err := s.decodeBody(w, r, &req); err != nil {
		return err
	}
	if err := s.logins.AnswerMFAQuestions(r.Context(), customerID(r), req.LoginId, req.Questions); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, flinks.MessageResponse{HttpStatusCode: http.StatusOK, Message: "Answers updated"})
}

// handleNightlyRefreshStatus serves GET /GetNightlyRefreshStatus: the
// customer's logins with scheduled refresh on that the nightly refresh
// skips.
func (s *Server) handleNightlyRefreshStatus(w http.ResponseWriter, r *http.Request) error {
	cards, err := s.refresh.NightlyRefreshStatus(r.Context(), customerID(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, &flinks.NightlyRefreshStatusResponse{HttpStatusCode: http.StatusOK, IneligibleCards: cards})
}

// maxInstitutionsPage is the most institutions one response lists, as on
// Flinks.
const maxInstitutionsPage = 1000

// handleDeleteCard serves DELETE /DeleteCard/{loginId}.
func (s *Server) handleDeleteCard(w http.ResponseWriter, r *http.Request) error {
	loginID := strings.TrimSpace(r.PathValue("loginId"))
	if s.journal != nil {
		// The login's entries still in memory are written first, so that
		// the deletion deletes them too.
		if err := s.journal.WritePending(r.Context()); err != nil {
			return err
		}
	}
	if err := s.logins.DeleteCard(r.Context(), customerID(r), loginID); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, &flinks.MessageResponse{HttpStatusCode: http.StatusOK,
		Message: "All of the information about LoginId " + loginID + " has been removed"})
}

// handleInstitutions serves GET /Institutions?skip=&take=.
func (s *Server) handleInstitutions(w http.ResponseWriter, r *http.Request) error {
	skip, err := queryInt(r, "skip", 0)
	if err != nil {
		return err
	}
	take, err := queryInt(r, "take", maxInstitutionsPage)
	if err != nil {
		return err
	}
	all := s.institutions.List()
	resp := flinks.InstitutionsResponse{Count: len(all), Data: []flinks.Institution{}}
	for i := skip; i < len(all) && len(resp.Data) < min(take, maxInstitutionsPage); i++ {
		inst := all[i]
		resp.Data = append(resp.Data, flinks.Institution{
			Id: inst.ID, Status: "Enabled", Country: inst.Country,
			Localizations: []flinks.Localization{
				{Language: "en", Name: inst.DisplayName, Urls: []flinks.InstitutionURL{}},
				{Language: "fr", Name: inst.DisplayName, Urls: []flinks.InstitutionURL{}},
			},
		})
	}
	return writeJSON(w, http.StatusOK, resp)
}

// queryInt reads a non-negative integer query parameter.
func queryInt(r *http.Request, name string, def int) (int, error) {
	v := strings.TrimSpace(r.URL.Query().Get(name))
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, &flinks.Error{FlinksCode: flinks.CodeInvalidRequest, Message: "The query parameter " + name + " must be a whole number, 0 or more.",
			ValidationDetails: map[string][]string{name: {"must be a non-negative integer"}}}
	}
	return n, nil
}
