package app

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzFieldMatchBody sends arbitrary bodies to FieldMatch through the real
// stack: no body may cause a panic or a 5xx, and every answer is a Flinks
// body whose HttpStatusCode equals the HTTP status.
func FuzzFieldMatchBody(f *testing.F) {
	for _, seed := range []string{
		``, `{}`, `null`, `[]`, `{"loginId":`, `{"loginId":"x","name":"A B"}`,
		`{"loginId":"x","threshold":2}`, `{"loginId":"x","threshold":"0.5"}`, `{"loginId":7}`,
		`{"loginId":"x","phone":"+1 (514) 555-0100","postalCode":"h2x1y4","email":"A@B.C"}`,
	} {
		f.Add([]byte(seed))
	}
	h, _ := newDataStack(f)
	f.Fuzz(func(t *testing.T, raw []byte) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v3/"+customer+"/BankingServices/FieldMatch", strings.NewReader(string(raw))))
		checkFlinksBody(t, rec, string(raw))
		checkDocument(t, http.MethodPost, "/v3/"+customer+"/BankingServices/FieldMatch", rec)
	})
}
