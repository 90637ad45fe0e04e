package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/openapitest"
)

// TestFieldMatchEndToEnd matches the sandbox holder's own data, written
// differently, and refuses unknown and foreign LoginIds and bad thresholds.
func TestFieldMatchEndToEnd(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	ctx := context.Background()
	auth := liveLogin(t, s, "Greatday")
	d := detail(t, s, flinks.DataRequest{RequestId: auth.RequestId, WithKYC: yes()})
	var h *flinks.Holder
	for _, a := range d.Accounts {
		if a.Holder != nil && a.Holder.Name != nil {
			h = a.Holder
			break
		}
	}
	if h == nil {
		t.Fatal("the sandbox holder has no name")
	}
	words := strings.Fields(*h.Name)
	for i, j := 0, len(words)-1; i < j; i, j = i+1, j-1 {
		words[i], words[j] = words[j], words[i]
	}
	threshold := 0.9
	req := flinks.FieldMatchRequest{LoginId: auth.Login.Id, Name: strings.ToUpper(strings.Join(words, ", ")), Threshold: &threshold}
	if h.Email != nil {
		req.Email = strings.ToUpper(*h.Email)
	}
	resp, err := s.client.FieldMatch(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Scores["Name"] != 1 || resp.OverallMatchRate != 1 || resp.IsMatch == nil || !*resp.IsMatch {
		t.Errorf("FieldMatch(%+v) = %+v", req, resp)
	}

	wrong := req
	wrong.Name = "Air Bud"
	resp, err = s.client.FieldMatch(ctx, wrong)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Scores["Name"] != 0 || *resp.IsMatch {
		t.Errorf("FieldMatch(%+v) = %+v, want no match", wrong, resp)
	}

	other := s.clientWith(s.addCustomer())
	// A login whose data is still being fetched has no holder to match.
	pending, err := s.client.Authorize(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "test_pending", Password: "Everyday", Save: true})
	if err != nil {
		t.Fatal(err)
	}
	bad := 2.0
	cases := []struct {
		name   string
		req    flinks.FieldMatchRequest
		status int
		code   flinks.Code
	}{
		{"no loginId", flinks.FieldMatchRequest{Name: "x"}, http.StatusBadRequest, flinks.CodeInvalidRequest},
		{"unknown loginId", flinks.FieldMatchRequest{LoginId: "0e0e0e0e-0000-4000-8000-000000000000", Name: "x"}, http.StatusUnauthorized, flinks.CodeInvalidLogin},
		{"threshold out of range", flinks.FieldMatchRequest{LoginId: auth.Login.Id, Name: "x", Threshold: &bad}, http.StatusBadRequest, flinks.CodeInvalidRequest},
		{"no data yet", flinks.FieldMatchRequest{LoginId: pending.Login.Id, Name: "x"}, http.StatusBadRequest, flinks.CodeSessionNonexistent},
	}
	for _, c := range cases {
		cctx := ctx
		if c.name == "threshold out of range" {
			// Out of the OpenAPI document's range, on purpose.
			cctx = openapitest.BadInput(ctx)
		}
		_, err := s.client.FieldMatch(cctx, c.req)
		e := apiErr(t, err)
		if e.StatusCode != c.status || e.Body.FlinksCode != c.code {
			t.Errorf("%s: %d %s, want %d %s", c.name, e.StatusCode, e.Body.FlinksCode, c.status, c.code)
		}
	}
	_, err = other.FieldMatch(ctx, flinks.FieldMatchRequest{LoginId: auth.Login.Id, Name: "x"})
	if e := apiErr(t, err); e.Body.FlinksCode != flinks.CodeInvalidLogin {
		t.Errorf("another customer's loginId: %d %s, want INVALID_LOGIN", e.StatusCode, e.Body.FlinksCode)
	}
}
