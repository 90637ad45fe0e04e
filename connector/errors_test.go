package connector_test

import (
	"testing"

	"github.com/bankfeed/bankfeed/connector"
	"github.com/bankfeed/bankfeed/flinks"
)

// TestKindFlinksCode checks the one table from failure kind to FlinksCode
// in both directions, over every kind.
func TestKindFlinksCode(t *testing.T) {
	t.Parallel()
	want := map[connector.Kind]flinks.Code{
		connector.InvalidUsername:         flinks.CodeInvalidUsername,
		connector.InvalidPassword:         flinks.CodeInvalidPassword,
		connector.InvalidSecurityResponse: flinks.CodeInvalidSecurityResponse,
		connector.RetryLater:              flinks.CodeRetryLater,
		connector.DisabledLogin:           flinks.CodeDisabledLogin,
		connector.NewAccount:              flinks.CodeNewAccount,
		connector.DisabledInstitution:     flinks.CodeDisabledInstitution,
		connector.NeedsUser:               flinks.CodeQuestionNotFound,
		connector.Unauthorized:            flinks.CodeUnauthorized,
		connector.Failed:                  flinks.CodeAggregationError,
	}
	for k := connector.InvalidUsername; k <= connector.Failed; k++ {
		code, ok := want[k]
		if !ok {
			t.Fatalf("kind %v has no expected FlinksCode in this test", k)
		}
		if got := k.FlinksCode(); got != code {
			t.Errorf("%v.FlinksCode() = %s, want %s", k, got, code)
		}
		if back, ok := connector.KindOf(code); !ok || back != k {
			t.Errorf("KindOf(%s) = %v, %v; want %v", code, back, ok, k)
		}
	}
	if got := connector.Kind(0).FlinksCode(); got != flinks.CodeAggregationError {
		t.Errorf("an unknown kind's FlinksCode = %s, want AGGREGATION_ERROR", got)
	}
	for _, code := range []flinks.Code{flinks.CodeOperationPending, flinks.CodeInvalidRequest, ""} {
		if k, ok := connector.KindOf(code); ok {
			t.Errorf("KindOf(%q) = %v, want no kind", code, k)
		}
	}
}
