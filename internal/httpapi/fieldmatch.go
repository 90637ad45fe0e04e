package httpapi

import (
	"net/http"

	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/fieldmatch"
)

// handleFieldMatch scores the body's fields against the holders of the
// login's latest snapshot.
func (s *Server) handleFieldMatch(w http.ResponseWriter, r *http.Request) error {
	var req flinks.FieldMatchRequest
	if err := s.decodeBody(w, r, &req); err != nil {
		return err
	}
	threshold := 0.0
	if req.Threshold != nil {
		if *req.Threshold < 0 || *req.Threshold > 1 {
			return &flinks.Error{FlinksCode: flinks.CodeInvalidRequest, Message: "threshold must be between 0 and 1.",
				ValidationDetails: map[string][]string{"threshold": {"between 0 and 1"}}}
		}
		threshold = *req.Threshold
	}
	holders, err := s.accounts.Holders(r.Context(), customerID(r), req.LoginId)
	if err != nil {
		return err
	}
	f := fieldmatch.Fields{Name: req.Name, Address: req.Address, PostalCode: req.PostalCode, Email: req.Email, Phone: req.Phone}
	res := fieldmatch.Match(f, holders, threshold)
	resp := &flinks.FieldMatchResponse{HttpStatusCode: http.StatusOK, LoginId: req.LoginId, Scores: map[string]float64{}, NoData: []string{}, OverallMatchRate: res.Rate}
	for _, name := range res.Names() {
		sc := res.Fields[name]
		resp.Scores[name] = sc.Value
		if sc.NoData {
			resp.NoData = append(resp.NoData, name)
		}
	}
	if req.Threshold != nil {
		resp.IsMatch = &res.Match
	}
	return writeJSON(w, http.StatusOK, resp)
}
