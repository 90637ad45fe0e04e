package app

import (
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
		checkFlinksBody(t, rec, body)
		checkDocument(t, http.MethodPost, path, rec)
	})
}
