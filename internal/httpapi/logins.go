package httpapi

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/flinks"
)

// handleSetScheduledRefresh serves PATCH /SetScheduledRefresh. Its 200 body
// is a bare JSON string, as Flinks answers.
//
// One public client sends ?loginId=&isActivated= with an empty body: when
// the body names no LoginId, both are read from the query string, whose
// names are matched case-insensitively like the body's.
func (s *Server) handleSetScheduledRefresh(w http.ResponseWriter, r *http.Request) error {
	var req flinks.SetScheduledRefreshRequest
	if err := s.decodeBody(w, r, &req); err != nil {
		return err
	}
	if strings.TrimSpace(req.LoginId) == "" {
		q := foldedQuery(r)
		req.LoginId = q["loginid"]
		if v, ok := q["isactivated"]; ok {
			b, err := strconv.ParseBool(strings.ToLower(strings.TrimSpace(v)))
			if err != nil {
				return &flinks.Error{FlinksCode: flinks.CodeInvalidRequest, Message: "The query parameter isActivated must be true or false.",
					ValidationDetails: map[string][]string{"isActivated": {"must be true or false"}}}
			}
			req.IsActivated = flinks.Bool(b)
		}
	}
	return s.setScheduledRefresh(w, r, req.LoginId, bool(req.IsActivated))
}

// handleActivateScheduledRefresh serves the PATCH /ActivateScheduledRefresh
// and /DeactivateScheduledRefresh/{loginId} of Flinks' first clients, which
// SetScheduledRefresh superseded.
func (s *Server) handleActivateScheduledRefresh(on bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		return s.setScheduledRefresh(w, r, r.PathValue("loginId"), on)
	}
}

func (s *Server) setScheduledRefresh(w http.ResponseWriter, r *http.Request, loginID string, on bool) error {
	if err := s.logins.SetScheduledRefresh(r.Context(), customerID(r), loginID, on); err != nil {
		return err
	}
	state := "deactivated"
	if on {
		state = "activated"
	}
	return writeJSON(w, http.StatusOK, "LoginId "+strings.TrimSpace(loginID)+" has now been "+state+" for automatic refresh")
}

// foldedQuery is the query string with lowercased names, the first value
// of each.
func foldedQuery(r *http.Request) map[string]string {
	out := map[string]string{}
	for k, v := range r.URL.Query() {
		if k = strings.ToLower(k); len(v) > 0 {
			if _, seen := out[k]; !seen {
				out[k] = v[0]
			}
		}
	}
	return out
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
		resp.Data = append(resp.Data, institutionItem(all[i]))
	}
	return writeJSON(w, http.StatusOK, resp)
}

// handleRoutingNumber serves GET /Institutions/RoutingNumber/{routingNumber}:
// the institutions a routing number belongs to, in the shape of
// /Institutions with their RoutingNumbers.
func (s *Server) handleRoutingNumber(w http.ResponseWriter, r *http.Request) error {
	n := strings.TrimSpace(r.PathValue("routingNumber"))
	if !isDigits(n) || (len(n) != 3 && len(n) != 9) {
		return &flinks.Error{FlinksCode: flinks.CodeInvalidRequest,
			Message:           "A routing number is nine digits (an ABA number, or a Canadian 0IIITTTTT), or a three-digit institution number.",
			ValidationDetails: map[string][]string{"routingNumber": {"must be 3 or 9 digits"}}}
	}
	resp := flinks.InstitutionsResponse{Data: []flinks.Institution{}}
	for _, inst := range s.institutions.List() {
		if routes(inst.RoutingNumbers, n) {
			item := institutionItem(inst)
			item.RoutingNumbers = inst.RoutingNumbers
			resp.Data = append(resp.Data, item)
		}
	}
	if resp.Count = len(resp.Data); resp.Count == 0 {
		return &flinks.Error{HttpStatusCode: http.StatusNotFound, FlinksCode: flinks.CodeInvalidRequest,
			Message: "No institution has the routing number " + n + "."}
	}
	return writeJSON(w, http.StatusOK, resp)
}

// routes reports whether n is one of numbers, or a Canadian EFT routing
// number 0IIITTTTT whose institution number III is.
func routes(numbers []string, n string) bool {
	for _, x := range numbers {
		if x == n || (len(x) == 3 && len(n) == 9 && n[0] == '0' && n[1:4] == x) {
			return true
		}
	}
	return false
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// institutionItem is an institution as /Institutions lists it.
func institutionItem(inst connector.Institution) flinks.Institution {
	return flinks.Institution{
		Id: inst.ID, Status: "Enabled", Country: inst.Country,
		Localizations: []flinks.Localization{
			{Language: "en", Name: inst.DisplayName, Urls: []flinks.InstitutionURL{}},
			{Language: "fr", Name: inst.DisplayName, Urls: []flinks.InstitutionURL{}},
		},
	}
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
