package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzDataBody sends arbitrary bodies to GetAccountsDetail, GetStatements
// and the POST of GetAccountsSummaryAsync through the real stack, over a
// session whose data is ready: no body may cause a panic or a 5xx, and every
// answer is a Flinks body whose HttpStatusCode equals the HTTP status. "RID"
// in a body stands for the session's RequestId, so that the fuzzer reaches
// the options and not only the unknown-RequestId error.
func FuzzDataBody(f *testing.F) {
	for _, seed := range []string{
		``, `{}`, `null`, `[]`, `{"RequestId":`, `{"RequestId":"RID"}`,
		`{"RequestId":"RID","WithTransactions":false,"WithKYC":"false","WithBalance":0}`,
		`{"RequestId":"RID","DaysOfTransactions":"Days365","AccountsFilter":["x"]}`,
		`{"RequestId":"RID","DateFrom":"2025-01-01","DateTo":"2024-01-01"}`,
		`{"RequestId":"RID","DateFrom":"2025-02-30"}`,
		`{"RequestId":"RID","RefreshDelta":[{"AccountId":"a","TransactionId":"b"},{"AccountId":"a","TransactionId":"c"}]}`,
		`{"RequestId":"RID","NumberOfStatements":"Months12","AccountsFilter":[]}`,
		`{"RequestId":"RID","AccountsFilter":"x"}`, `{"RequestId":7}`,
	} {
		f.Add([]byte(seed), uint8(0))
	}
	h, requestID := newDataStack(f)
	paths := []string{"GetAccountsDetail", "GetStatements", "GetAccountsSummaryAsync/" + requestID}
	f.Fuzz(func(t *testing.T, raw []byte, which uint8) {
		body := strings.ReplaceAll(string(raw), "RID", requestID)
		path := "/v3/" + customer + "/BankingServices/" + paths[int(which)%len(paths)]
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, strings.NewReader(body)))
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
	})
}
