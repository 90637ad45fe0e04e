package openapitest_test

import (
	"strings"
	"testing"

	"github.com/bankfeed/bankfeed/internal/openapitest"
)

// TestLoad checks that bankfeed's document loads, and that Parse refuses
// what cannot validate traffic.
func TestLoad(t *testing.T) {
	t.Parallel()
	if _, err := openapitest.Load(); err != nil {
		t.Fatal(err)
	}
	for name, doc := range map[string]string{
		"not JSON":    `{"openapi":`,
		"no info":     `{"openapi":"3.1.0","paths":{}}`,
		"a dead $ref": `{"openapi":"3.1.0","info":{"title":"x","version":"1"},"paths":{"/a":{"get":{"responses":{"200":{"description":"ok","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Nothing"}}}}}}}}}`,
		"no Unrouted": `{"openapi":"3.1.0","info":{"title":"x","version":"1"},"paths":{}}`,
	} {
		if _, err := openapitest.Parse([]byte(doc)); err == nil {
			t.Errorf("%s: parsed", name)
		} else if !strings.HasPrefix(err.Error(), "openapitest: ") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
