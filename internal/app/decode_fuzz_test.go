package app

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/bankfeed/bankfeed/internal/openapitest"
)

// FuzzAuthorizeBody sends arbitrary bodies to /Authorize through the real
// stack: no body may cause a panic or a 5xx, and every answer is a Flinks
// body whose HttpStatusCode equals the HTTP status.
func FuzzAuthorizeBody(f *testing.F) {
	for _, seed := range []string{
		``, `{}`, `null`, `[]`, `"x"`, `{"Institution":`, `{} {}`,
		`{"Institution":"FlinksCapital","username":"Greatday","Password":"Everyday","MostRecentCached":false,"Save":true}`,
		`{"Institution":"FlinksCapital","Username":"greatday_nomfa","Password":"Everyday","Save":"True"}`,
		`{"RequestId":"006fd2f3-055b-4ef6-a9fc-c1261cd76ec6","SecurityResponses":{"What shape do people like most?":["Triangle"]}}`,
		`{"RequestId":"x","SecurityResponses":{"a":"b","c":[1,2.5],"d":null}}`,
		`{"LoginId":"x","MostRecentCached":"true"}`,
		`{"Save":1}`, `{"SecurityResponses":[]}`, `{"Language":"fr-CA","Institution":"flinkscapital","Username":"GREATDAY","Password":"everyday"}`,
	} {
		f.Add([]byte(seed))
	}
	h := newStack(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := post(h, string(body))
		checkFlinksBody(t, rec, string(body))
		checkDocument(t, http.MethodPost, authorizePath, rec)
	})
}

// checkFlinksBody fails t unless rec is a Flinks body for a request body
// that may be anything: no 5xx, JSON, HttpStatusCode equal to the status,
// and a FlinksCode and Message on errors.
func checkFlinksBody(t *testing.T, rec *httptest.ResponseRecorder, body string) {
	t.Helper()
	if rec.Code >= 500 {
		t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body)
	}
	var resp struct {
		HttpStatusCode int
		FlinksCode     string
		Message        string
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
		t.Fatalf("body is not JSON for %q: %v", body, err)
	}
	if resp.HttpStatusCode != rec.Code {
		t.Fatalf("HttpStatusCode %d, status %d", resp.HttpStatusCode, rec.Code)
	}
	if rec.Code >= 400 && (resp.FlinksCode == "" || resp.Message == "") {
		t.Fatalf("error without FlinksCode or Message: %s", rec.Body)
	}
}

// checkDocument validates the response rec holds, to method and path,
// against the OpenAPI document; the request is the fuzzer's, wrong on
// purpose, and is not.
func checkDocument(t *testing.T, method, path string, rec *httptest.ResponseRecorder) {
	t.Helper()
	doc, err := openapitest.Load()
	if err != nil {
		t.Fatal(err)
	}
	doc.CheckResponse(t, httptest.NewRequest(method, path, nil), rec.Code, rec.Header(), rec.Body.Bytes())
}
